//! CCPayment simulator: `POST /ccpayment/v1/webhook/resend` and `POST /ccpayment/v2/webhook/resend`.
//!
//! v1: `Sign` = lowercase hex SHA-256(AppId + AppSecret + Timestamp + body); responses are signed the same
//! way (`Appid`, `Timestamp`, `Sign` headers over the raw response body). v2: `Sign` = lowercase hex
//! HMAC-SHA256(key = AppSecret, AppId + Timestamp + body); responses are not signed. `Timestamp` is unix
//! seconds, valid for [`super::SandboxConfig::ccpayment_timestamp_window_secs`]. Errors are HTTP 200 with
//! `{"code":N,"msg":…,"data":null}` (v2 codes; v1 uses the same numbers, its own table was not found).

use super::{lock, Inner, OnDelivered, ProviderId, ProviderResponse, SbRequest, SeedRng, Signing, Window};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// v1 `Sign`.
pub fn sign_v1(app_id: &str, secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(secret.as_bytes());
    h.update(timestamp.as_bytes());
    h.update(body);
    hex::encode(h.finalize())
}

/// v2 `Sign`.
pub fn sign_v2(app_id: &str, secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(app_id.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub record_id: String,
    pub order_id: String,
    pub time: i64,
    pub failed: bool,
    /// v1 name ("API Deposit", …) and v2 name ("ApiDeposit", …).
    pub type_v1: &'static str,
    pub type_v2: &'static str,
    pub coin: &'static str,
    pub amount: String,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    apps: HashMap<String, String>,
    pub records: Vec<Record>,
    minute: HashMap<(String, u8), Window>,
    daily: HashMap<(String, u8, i64), u32>,
}

const TYPES: &[(&str, &str)] = &[
    ("API Deposit", "ApiDeposit"),
    ("Direct Deposit", "DirectDeposit"),
    ("API Withdrawal", "ApiWithdrawal"),
    ("Invoice", "Invoice"),
    ("Refund", "Refund"),
];

impl State {
    pub fn seeded(seed: u64, now_ms: i64) -> Self {
        let now = now_ms.div_euclid(1000);
        let mut apps = HashMap::new();
        for (id, secret) in [
            (super::demo::CCPAYMENT_V1_APP_ID, super::demo::CCPAYMENT_V1_APP_SECRET),
            (super::demo::CCPAYMENT_V2_APP_ID, super::demo::CCPAYMENT_V2_APP_SECRET),
            (super::demo::CCPAYMENT_LEGACY_APP_ID, super::demo::CCPAYMENT_LEGACY_APP_SECRET),
        ] {
            apps.insert(id.to_owned(), secret.to_owned());
        }
        let mut rng = SeedRng::new(seed, 4);
        let coins = ["USDT", "BTC", "ETH", "TRX", "USDC"];
        // One record every 3-12 minutes over the last 24 hours, a third of them with failed webhooks.
        let mut records = Vec::new();
        let mut t = now - 60;
        for i in 0..400 {
            if t < now - 86_400 {
                break;
            }
            let (type_v1, type_v2) = TYPES[rng.below(TYPES.len() as u64) as usize];
            records.push(Record {
                record_id: format!("20240516{:06}{:011}", i, rng.below(100_000_000_000)),
                order_id: format!("ORD-{}", rng.alnum(12)),
                time: t,
                failed: i % 3 == 0,
                type_v1,
                type_v2,
                coin: coins[rng.below(coins.len() as u64) as usize],
                amount: format!("{}.{:02}", rng.below(2_000) + 1, rng.below(100)),
            });
            t -= 180 + rng.below(540) as i64;
        }
        State { apps, records, minute: HashMap::new(), daily: HashMap::new() }
    }
}

fn reply(code: i64, msg: &str) -> Value {
    json!({"code": code, "msg": msg, "data": null})
}

/// The rate-limit answer (also used by the rate-limit fault).
pub(crate) fn rate_limited() -> ProviderResponse {
    ProviderResponse::json(200, &reply(11004, "Rate limit exceeded")).rejected()
}

struct Auth {
    app_id: String,
    secret: String,
}

pub(crate) fn handle_v1(inner: &Arc<Inner>, req: &SbRequest) -> ProviderResponse {
    handle(inner, req, Version::V1)
}

pub(crate) fn handle_v2(inner: &Arc<Inner>, req: &SbRequest) -> ProviderResponse {
    handle(inner, req, Version::V2)
}

fn handle(inner: &Arc<Inner>, req: &SbRequest, version: Version) -> ProviderResponse {
    let now = inner.now_secs();
    let (resp, auth) = handle_inner(inner, req, version, now);
    match (version, auth) {
        (Version::V1, Some(a)) => {
            resp.signed(Signing::CcpaymentV1 { app_id: a.app_id, secret: a.secret, timestamp: now })
        }
        _ => resp,
    }
}

fn error(code: i64, msg: &str) -> ProviderResponse {
    ProviderResponse::json(200, &reply(code, msg)).rejected()
}

fn handle_inner(inner: &Arc<Inner>, req: &SbRequest, version: Version, now: i64) -> (ProviderResponse, Option<Auth>) {
    let expected_path = match version {
        Version::V1 => "/ccpayment/v1/webhook/resend",
        Version::V2 => "/ccpayment/v2/webhook/resend",
    };
    if req.method != hyper::Method::POST || req.path != expected_path {
        return (ProviderResponse::json(404, &reply(11003, "Not found")), None);
    }
    let (Some(app_id), Some(ts), Some(sign)) = (req.header("appid"), req.header("timestamp"), req.header("sign"))
    else {
        return (error(11001, "Header invalid: Appid, Timestamp and Sign are required"), None);
    };
    let mut st = lock(&inner.ccpayment);
    let Some(secret) = st.apps.get(app_id).cloned() else {
        return (error(11001, "Header invalid: unknown Appid"), None);
    };
    let auth = || Some(Auth { app_id: app_id.to_owned(), secret: secret.clone() });
    match ts.parse::<i64>() {
        Ok(t) if ts.len() == 10 && (now - t).abs() <= inner.config.ccpayment_timestamp_window_secs => {}
        _ => return (error(11006, "Request expired"), auth()),
    }
    let expected = match version {
        Version::V1 => sign_v1(app_id, &secret, ts, &req.body),
        Version::V2 => sign_v2(app_id, &secret, ts, &req.body),
    };
    if !bool::from(expected.as_bytes().ct_eq(sign.to_ascii_lowercase().as_bytes())) {
        return (error(11005, "Signature verification failed"), auth());
    }
    if version == Version::V2 && inner.config.ccpayment_v1_only_apps.iter().any(|a| a == app_id) {
        return (error(11013, "This version is not supported by API v2"), auth());
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return (error(11000, "Invalid argument: body must be a JSON object"), auth());
    };
    let names = match version {
        Version::V1 => ["start_timestamp", "end_timestamp", "webhook_result", "transaction_type"],
        Version::V2 => ["startTimestamp", "endTimestamp", "webhookResult", "transactionType"],
    };
    let record_ids: Vec<String> = match (version, body.get("recordIds")) {
        (Version::V2, Some(Value::Array(ids))) => ids.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    if record_ids.len() > 50 {
        return (error(11000, "Invalid argument: at most 50 recordIds"), auth());
    }
    let start = body.get(names[0]).and_then(Value::as_i64);
    let Some(start) = start.or(if record_ids.is_empty() { None } else { Some(0) }) else {
        return (error(11000, &format!("Invalid argument: {} is required", names[0])), auth());
    };
    let end = body.get(names[1]).and_then(Value::as_i64).unwrap_or(start + 3_600);
    if record_ids.is_empty() && (end < start || end - start > 3_600) {
        return (error(11000, "Invalid argument: the window between start and end must not exceed one hour"), auth());
    }
    let all_results = match body.get(names[2]).and_then(Value::as_str) {
        None | Some("Failed") => false,
        Some("All Result") if version == Version::V1 => true,
        Some("AllResult") if version == Version::V2 => true,
        Some(_) => return (error(11000, &format!("Invalid argument: {}", names[2])), auth()),
    };
    let type_filter = match body.get(names[3]).and_then(Value::as_str) {
        None | Some("All Type") | Some("AllType") => None,
        Some(t) => {
            let known = TYPES.iter().any(|(v1, v2)| match version {
                Version::V1 => *v1 == t,
                Version::V2 => *v2 == t,
            }) || (version == Version::V2 && matches!(t, "UserDeposit" | "UserWithdrawal"));
            if !known {
                return (error(11000, &format!("Invalid argument: {}", names[3])), auth());
            }
            Some(t.to_owned())
        }
    };
    let limits = &inner.config.limits;
    if limits.enabled {
        let (per_minute, per_day) = match version {
            Version::V1 => (limits.ccpayment_v1_per_minute, limits.ccpayment_v1_per_day),
            Version::V2 => (limits.ccpayment_v2_per_minute, limits.ccpayment_v2_per_day),
        };
        let v = version as u8;
        let day = (now + inner.config.ccpayment_day_offset_secs).div_euclid(86_400);
        let used = st.daily.get(&(app_id.to_owned(), v, day)).copied().unwrap_or(0);
        if used >= per_day {
            return (error(11009, &format!("Daily request limit reached ({per_day} calls/day)")), auth());
        }
        if !st.minute.entry((app_id.to_owned(), v)).or_default().try_hit(now * 1000, 60_000, per_minute) {
            return (error(11004, &format!("Rate limit exceeded ({per_minute} calls/minute)")).rejected(), auth());
        }
        *st.daily.entry((app_id.to_owned(), v, day)).or_default() += 1;
        st.daily.retain(|(_, _, d), _| *d >= day - 1);
    }
    let picked: Vec<(usize, Record)> = st
        .records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            if !record_ids.is_empty() {
                return record_ids.contains(&r.record_id);
            }
            r.time >= start
                && r.time <= end
                && (all_results || r.failed)
                && type_filter.as_deref().is_none_or(|t| t == r.type_v1 || t == r.type_v2)
        })
        .map(|(i, r)| (i, r.clone()))
        .collect();
    drop(st);
    let ts_now = now.to_string();
    let items = picked
        .into_iter()
        .map(|(i, r)| {
            let body = match version {
                Version::V1 => json!({
                    "pay_status": "success",
                    "order_type": r.type_v1,
                    "record_id": r.record_id,
                    "order_id": r.order_id,
                    "product_price": r.amount,
                    "token_symbol": r.coin,
                    "paid_amount": r.amount,
                    "created": r.time,
                }),
                Version::V2 => json!({
                    "type": r.type_v2,
                    "msg": {
                        "recordId": r.record_id,
                        "orderId": r.order_id,
                        "coinSymbol": r.coin,
                        "amount": r.amount,
                        "status": "Success",
                        "createdAt": r.time,
                    },
                }),
            };
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let sign = match version {
                Version::V1 => sign_v1(app_id, &secret, &ts_now, &bytes),
                Version::V2 => sign_v2(app_id, &secret, &ts_now, &bytes),
            };
            let headers = vec![
                ("Appid".to_owned(), app_id.to_owned()),
                ("Timestamp".to_owned(), ts_now.clone()),
                ("Sign".to_owned(), sign),
            ];
            let on_done: OnDelivered = Box::new(move |inner: &Arc<Inner>, ok: bool| {
                if ok {
                    if let Some(rec) = lock(&inner.ccpayment).records.get_mut(i) {
                        rec.failed = false;
                    }
                }
            });
            (headers, bytes, Some(on_done))
        })
        .collect::<Vec<_>>();
    let count = items.len();
    let provider = match version {
        Version::V1 => ProviderId::CcpaymentV1,
        Version::V2 => ProviderId::CcpaymentV2,
    };
    inner.deliver_in_background(provider, items);
    let body = match version {
        Version::V1 => {
            json!({"code": 10000, "msg": "success", "data": {"resend_count": count.to_string()}})
        }
        Version::V2 => json!({"code": 10000, "msg": "Success", "data": {"resendCount": count}}),
    };
    (ProviderResponse::json(200, &body), auth())
}

/// CCPayment's simulator, v1 and v2 (see [`Simulator`](super::Simulator)).
pub struct CcpaymentSimulator;

impl super::Simulator for CcpaymentSimulator {
    fn apis(&self) -> &'static [super::SimApi] {
        &[
            super::SimApi { key: "ccpayment-v1", prefix: "/ccpayment/v1/" },
            super::SimApi { key: "ccpayment-v2", prefix: "/ccpayment/v2/" },
        ]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<super::DemoAccount> {
        use super::demo;
        let account = |version: &str, app_id: &str, secret: &str| {
            serde_json::json!({
                "provider": "ccpayment",
                "base_url": format!("{base_url}/ccpayment/{version}"),
                "api_version": version,
                "app_id": app_id,
                "app_secret": secret,
            })
        };
        vec![
            super::DemoAccount {
                key: "ccpayment-v1",
                label: "CCPayment v1",
                account: account("v1", demo::CCPAYMENT_V1_APP_ID, demo::CCPAYMENT_V1_APP_SECRET),
            },
            super::DemoAccount {
                key: "ccpayment-v2",
                label: "CCPayment v2",
                account: account("v2", demo::CCPAYMENT_V2_APP_ID, demo::CCPAYMENT_V2_APP_SECRET),
            },
        ]
    }

    /// By API version: `{root}/ccpayment/v1` or `/v2`.
    fn base_url_for(&self, root: &str, public: &serde_json::Map<String, Value>) -> String {
        match public.get("api_version").and_then(Value::as_str) {
            Some("v2") => format!("{root}/ccpayment/v2"),
            _ => format!("{root}/ccpayment/v1"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "202302010636261620672405236006912";
    const SECRET: &str = "TESTAPPSECRET1234567890abcdef";

    #[test]
    fn published_v1_vector_verifies() {
        let body = r#"{"start_timestamp":1699996400,"end_timestamp":1700000000,"webhook_result":"Failed","transaction_type":"All Type"}"#;
        assert_eq!(
            sign_v1(APP, SECRET, "1700000000", body.as_bytes()),
            "e7bfbed7c91b578008ee5d15fcef1b5ffe14e4f510d0e0c486d36b44d85f2d10"
        );
    }

    #[test]
    fn published_v2_vectors_verify() {
        let body = r#"{"startTimestamp":1699996400,"endTimestamp":1700000000,"webhookResult":"Failed","transactionType":"AllType"}"#;
        assert_eq!(
            sign_v2(APP, SECRET, "1700000000", body.as_bytes()),
            "97270b785ec87e3d008a6627d9354184784154a720d9b394d57816043d394750"
        );
        assert_eq!(
            sign_v2(APP, SECRET, "1700000000", b"{}"),
            "fc36913c4226190cbf1af38cd71f089c8e1752e6cea818c2bbd3e46ada416abe"
        );
    }

    #[test]
    fn seeded_records_cover_recent_hours() {
        let now_ms = 1_700_000_000_000;
        let st = State::seeded(7, now_ms);
        let recent = st.records.iter().filter(|r| r.time >= 1_700_000_000 - 3_600 && r.failed).count();
        assert!(recent > 0, "the last hour must hold failed webhooks");
    }
}
