//! Fireblocks operations: each one's request (method, path, query, body) from its params, and the signed
//! request (see [`sign`](super::sign)). Bodies are what Fireblocks' current SDKs send: compact JSON of
//! the params given, in the order given (`{}` for a resend of failed notifications given none), and no
//! body on GETs, on the v1 resend of every failed webhook and on the resend of one notification. Ids in
//! paths are percent-encoded (`encodeURIComponent`); the v2 webhook id comes from the account.

use super::account::FireblocksAccount;
use super::sign::{self, Claims, HeaderOrder};
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util::{self, encode_uri_component};
use crate::providers::{BuildCtx, HttpMethod, SignedRequest};
use serde_json::{Map, Value};

pub const RESEND_FAILED: &str = "resend-failed-notifications";
pub const GET_RESEND_JOB: &str = "get-resend-job";
pub const RESEND_NOTIFICATION: &str = "resend-notification";
pub const RESEND_BY_RESOURCE: &str = "resend-by-resource";
pub const LIST_NOTIFICATIONS: &str = "list-notifications";
pub const GET_ATTEMPTS: &str = "get-notification-attempts";
pub const GET_TRANSACTION: &str = "get-transaction";
pub const GET_TRANSACTION_BY_EXTERNAL_ID: &str = "get-transaction-by-external-id";
pub const RESEND_FAILED_V1: &str = "resend-failed-webhooks-v1";
pub const RESEND_TRANSACTION_V1: &str = "resend-transaction-webhooks-v1";
pub const LIST_WEBHOOKS: &str = "list-webhooks";

/// How far back a resend of failed notifications may start (Fireblocks: the last 24 hours).
pub const RESEND_FAILED_MAX_AGE_MS: i64 = 24 * 3_600_000;
/// The longest time range of a notifications list (Fireblocks' default range: 31 days).
pub const LIST_MAX_DAYS: i64 = 31;
/// Page sizes Fireblocks accepts.
pub const MAX_PAGE_SIZE: i64 = 100;

/// Notification statuses (v2).
pub const STATUSES: [&str; 4] = ["COMPLETED", "FAILED", "IN_PROGRESS", "ON_HOLD"];

/// The events a resend or a list is most often narrowed to (the form's choices); any other event name
/// Fireblocks defines is accepted too.
pub const COMMON_EVENTS: [&str; 6] = [
    "transaction.created",
    "transaction.status.updated",
    "transaction.approval_status.updated",
    "transaction.network_records.processing_completed",
    "transaction.alert.stuck",
    "vault_account.asset.balance_updated",
];

/// A request before signing: method, the path and query after the base URL, the body.
struct Plain {
    method: HttpMethod,
    path: String,
    body: Option<Vec<u8>>,
}

pub fn build(acct: &FireblocksAccount, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
    let plain = request_of(acct, operation, params, ctx.now_ms)?;
    let url = url::Url::parse(&util::join_url(&acct.base_url, &plain.path))
        .map_err(|_| Error::invalid_field("base_url", "not_url"))?;
    let nonce = ctx.nonce.clone().unwrap_or_else(sign::uuid_v4);
    let body = plain.body.as_deref().unwrap_or_default();
    let claims = Claims::new(&sign::uri_of(&url), &nonce, ctx.now_ms, acct.api_key.expose(), body);
    let jwt = sign::token(&acct.key, HeaderOrder::TypFirst, &claims);
    let mut headers =
        vec![("X-API-Key".to_owned(), acct.api_key.expose().to_owned()), ("Authorization".to_owned(), format!("Bearer {jwt}"))];
    if plain.body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    Ok(SignedRequest { method: plain.method, url: url.to_string(), headers, body: plain.body })
}

fn request_of(acct: &FireblocksAccount, operation: &str, params: &Map<String, Value>, now_ms: i64) -> Result<Plain> {
    let get = |path: String| Plain { method: HttpMethod::Get, path, body: None };
    let post = |path: String, body: Option<Vec<u8>>| Plain { method: HttpMethod::Post, path, body };
    let id = |field: &str| util::req_string(params, field).map(|v| encode_uri_component(&v));
    Ok(match operation {
        RESEND_FAILED => {
            util::reject_unknown(params, &["startTime", "events"])?;
            let mut body = Map::new();
            for (k, _) in params {
                match k.as_str() {
                    "startTime" => {
                        if let Some(t) = util::opt_i64(params, k)? {
                            check_resend_start(t, now_ms)?;
                            body.insert(k.clone(), t.into());
                        }
                    }
                    _ => {
                        if let Some(events) = events(params, k)? {
                            body.insert(k.clone(), events.into());
                        }
                    }
                }
            }
            post(format!("{}/notifications/resend_failed", webhook(acct)?), Some(json_bytes(&body)?))
        }
        GET_RESEND_JOB => {
            util::reject_unknown(params, &["jobId"])?;
            get(format!("{}/notifications/resend_failed/jobs/{}", webhook(acct)?, id("jobId")?))
        }
        RESEND_NOTIFICATION => {
            util::reject_unknown(params, &["notificationId"])?;
            post(format!("{}/notifications/{}/resend", webhook(acct)?, id("notificationId")?), None)
        }
        RESEND_BY_RESOURCE => {
            util::reject_unknown(params, &["resourceId", "excludeStatuses"])?;
            let resource = util::req_string(params, "resourceId")?;
            let mut body = Map::new();
            for (k, _) in params {
                if k == "resourceId" {
                    body.insert(k.clone(), resource.clone().into());
                } else if let Some(list) = util::opt_choice_list(params, k, &STATUSES)? {
                    // An empty list is sent as such: Fireblocks then resends whatever the status.
                    body.insert(k.clone(), list.into());
                }
            }
            post(format!("{}/notifications/resend_by_resource", webhook(acct)?), Some(json_bytes(&body)?))
        }
        LIST_NOTIFICATIONS => {
            let known =
                ["startTime", "endTime", "statuses", "events", "resourceId", "order", "sortBy", "pageSize", "pageCursor"];
            util::reject_unknown(params, &known)?;
            check_list_range(params, now_ms)?;
            let query = query_of(params)?;
            get(format!("{}/notifications{query}", webhook(acct)?))
        }
        GET_ATTEMPTS => {
            util::reject_unknown(params, &["notificationId", "pageSize", "pageCursor"])?;
            let nid = id("notificationId")?;
            let rest: Map<String, Value> = params.iter().filter(|(k, _)| *k != "notificationId").map(|(k, v)| (k.clone(), v.clone())).collect();
            get(format!("{}/notifications/{nid}/attempts{}", webhook(acct)?, query_of(&rest)?))
        }
        GET_TRANSACTION => {
            util::reject_unknown(params, &["txId"])?;
            get(format!("/transactions/{}", id("txId")?))
        }
        GET_TRANSACTION_BY_EXTERNAL_ID => {
            util::reject_unknown(params, &["externalTxId"])?;
            get(format!("/transactions/external_tx_id/{}", id("externalTxId")?))
        }
        RESEND_FAILED_V1 => {
            util::reject_unknown(params, &[])?;
            post("/webhooks/resend".to_owned(), None)
        }
        RESEND_TRANSACTION_V1 => {
            util::reject_unknown(params, &["txId", "resendCreated", "resendStatusUpdated"])?;
            let tx = id("txId")?;
            let mut body = Map::new();
            for (k, _) in params.iter().filter(|(k, _)| *k != "txId") {
                if let Some(b) = opt_bool(params, k)? {
                    body.insert(k.clone(), b.into());
                }
            }
            post(format!("/webhooks/resend/{tx}"), Some(json_bytes(&body)?))
        }
        LIST_WEBHOOKS => {
            util::reject_unknown(params, &["pageSize", "pageCursor"])?;
            get(format!("/webhooks{}", query_of(params)?))
        }
        other => return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", other)),
    })
}

/// `/webhooks/{webhookId}` of the account's v2 webhook.
fn webhook(acct: &FireblocksAccount) -> Result<String> {
    match &acct.webhook_id {
        Some(w) => Ok(format!("/webhooks/{}", encode_uri_component(w))),
        None => Err(Error::invalid_field("webhook_id", "webhook_id_needed")),
    }
}

fn json_bytes(body: &Map<String, Value>) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::internal(e.to_string()))
}

/// Fireblocks resends failed notifications of the last 24 hours only, and none from the future.
fn check_resend_start(start_ms: i64, now_ms: i64) -> Result<()> {
    if start_ms > now_ms {
        return Err(Error::invalid_field("startTime", "in_future"));
    }
    if start_ms < now_ms - RESEND_FAILED_MAX_AGE_MS {
        return Err(Error::invalid_field("startTime", "too_far_back").with("hours", RESEND_FAILED_MAX_AGE_MS / 3_600_000));
    }
    Ok(())
}

/// A list's range: its end after its start, at most [`LIST_MAX_DAYS`] long (an open end is now).
fn check_list_range(params: &Map<String, Value>, now_ms: i64) -> Result<()> {
    let start = util::opt_i64(params, "startTime")?;
    let end = util::opt_i64(params, "endTime")?;
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err(Error::invalid_field("endTime", "before_start"));
        }
    }
    if let Some(s) = start {
        if end.unwrap_or(now_ms) - s > LIST_MAX_DAYS * 86_400_000 {
            return Err(Error::invalid_field("startTime", "range_too_long").with("max_days", LIST_MAX_DAYS));
        }
    }
    Ok(())
}

/// Event names: some of Fireblocks' (`transaction.status.updated`), as a list.
fn events(params: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>> {
    let Some(list) = util::opt_string_list(params, field)? else { return Ok(None) };
    let event_like = |e: &str| {
        !e.is_empty()
            && e.split('.').count() >= 2
            && e.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    };
    if let Some(bad) = list.iter().find(|e| !event_like(e)) {
        return Err(Error::invalid_field(field, "not_allowed").with("allowed", COMMON_EVENTS.to_vec()).detail(bad.clone()));
    }
    let mut out: Vec<String> = Vec::new();
    for e in list {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(Some(out))
}

/// A boolean param: JSON `true`/`false` or the text `"true"`/`"false"`.
fn opt_bool(params: &Map<String, Value>, field: &str) -> Result<Option<bool>> {
    match params.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.trim() == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s.trim() == "false" => Ok(Some(false)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(_) => Err(Error::invalid_field(field, "not_allowed").with("allowed", vec!["true", "false"])),
    }
}

/// The query string of list params, in the order given: lists as repeated parameters
/// (`statuses=FAILED&statuses=ON_HOLD`), values percent-encoded; empty when there are none.
fn query_of(params: &Map<String, Value>) -> Result<String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, _) in params {
        match k.as_str() {
            "statuses" => {
                for s in util::opt_choice_list(params, k, &STATUSES)?.unwrap_or_default() {
                    pairs.push((k.clone(), s));
                }
            }
            "events" => {
                for e in events(params, k)?.unwrap_or_default() {
                    pairs.push((k.clone(), e));
                }
            }
            "startTime" | "endTime" => {
                if let Some(t) = util::opt_i64(params, k)? {
                    pairs.push((k.clone(), t.to_string()));
                }
            }
            "pageSize" => {
                if let Some(n) = util::opt_i64(params, k)? {
                    if !(1..=MAX_PAGE_SIZE).contains(&n) {
                        return Err(Error::invalid_field(k, "out_of_range").with("min", 1).with("max", MAX_PAGE_SIZE));
                    }
                    pairs.push((k.clone(), n.to_string()));
                }
            }
            "order" => {
                if let Some(o) = util::opt_choice(params, k, &["ASC", "DESC"])? {
                    pairs.push((k.clone(), o));
                }
            }
            "sortBy" => {
                let by = ["id", "createdAt", "updatedAt", "status", "eventType", "resourceId"];
                if let Some(o) = util::opt_choice(params, k, &by)? {
                    pairs.push((k.clone(), o));
                }
            }
            _ => {
                if let Some(v) = util::opt_string(params, k)? {
                    pairs.push((k.clone(), v));
                }
            }
        }
    }
    if pairs.is_empty() {
        return Ok(String::new());
    }
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode_uri_component(v))).collect();
    Ok(format!("?{}", q.join("&")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Account;
    use serde_json::json;

    const NOW_MS: i64 = 1_700_000_000_123;
    const WEBHOOK: &str = "44fcead0-7053-4831-a53a-df7fb90d440f";

    pub(crate) fn account_file() -> Value {
        json!({"provider": "fireblocks", "base_url": "https://sandbox-api.fireblocks.io/v1",
            "api_key": "11111111-2222-4333-8444-555555555555",
            "private_key": include_str!("../../../tests/fixtures/fireblocks_test_key.pem"), "webhook_id": WEBHOOK})
    }

    fn acct() -> Account {
        Account::from_map(account_file().as_object().unwrap()).unwrap()
    }

    fn req(op: &str, params: Value) -> Result<SignedRequest> {
        let a = acct();
        let ctx = BuildCtx { now_ms: NOW_MS, nonce: Some("6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b".into()), token: None };
        build(a.downcast::<FireblocksAccount>().unwrap(), op, params.as_object().unwrap(), &ctx)
    }

    fn claims(r: &SignedRequest) -> Value {
        use base64::Engine as _;
        let jwt = r.header("Authorization").unwrap().strip_prefix("Bearer ").unwrap();
        let payload = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    /// The vectors' requests (the current SDKs'): same method, URL and body bytes; the JWT's `uri` and
    /// `bodyHash` are theirs.
    #[test]
    fn requests_are_the_current_sdks_bytes() {
        let v: Value = serde_json::from_str(include_str!("../../../tests/fixtures/fireblocks_jwt_vectors.json")).unwrap();
        let vector = |id: &str| v["vectors"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
        let cases = [
            ("js_ts:get_tx", GET_TRANSACTION, json!({"txId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
            ("js_ts:get_tx_external", GET_TRANSACTION_BY_EXTERNAL_ID, json!({"externalTxId": "INV-20231114-0001"})),
            ("js_ts:get_tx_external_special", GET_TRANSACTION_BY_EXTERNAL_ID, json!({"externalTxId": "order/2024 #17"})),
            ("js_ts:resend_all", RESEND_FAILED_V1, json!({})),
            ("js_ts:resend_tx", RESEND_TRANSACTION_V1,
                json!({"txId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6", "resendCreated": true, "resendStatusUpdated": true})),
            ("js_ts:v2_list_notifications", LIST_NOTIFICATIONS,
                json!({"pageSize": 10, "statuses": ["FAILED"], "resourceId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
            ("js_ts:v2_attempts", GET_ATTEMPTS, json!({"notificationId": "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e", "pageSize": 10})),
            ("js_ts:v2_resend_by_id", RESEND_NOTIFICATION, json!({"notificationId": "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"})),
            ("js_ts:v2_resend_by_resource", RESEND_BY_RESOURCE,
                json!({"resourceId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6", "excludeStatuses": []})),
            ("js_ts:v2_resend_job_status", GET_RESEND_JOB, json!({"jobId": "123e4567-e89b-12d3-a456-426614174000"})),
        ];
        for (id, op, params) in cases {
            let vector = vector(id);
            let r = req(op, params).unwrap();
            assert_eq!(r.method.as_str(), vector["request"]["method"], "{id}");
            assert_eq!(r.url, vector["request"]["url"], "{id}");
            assert_eq!(r.body_text().unwrap_or_default(), vector["request"]["body_exact"], "{id}");
            let theirs: Value = serde_json::from_str(vector["jwt_payload_json"].as_str().unwrap()).unwrap();
            let ours = claims(&r);
            assert_eq!((&ours["uri"], &ours["bodyHash"]), (&theirs["uri"], &theirs["bodyHash"]), "{id}");
            assert_eq!(ours["sub"], "11111111-2222-4333-8444-555555555555");
            assert_eq!(ours["exp"].as_i64().unwrap() - ours["iat"].as_i64().unwrap(), 30);
            assert_eq!(r.header("X-API-Key"), Some("11111111-2222-4333-8444-555555555555"));
            assert_eq!(r.header("Content-Type").is_some(), r.body.is_some(), "{id}");
        }
        // The v2 resend of failed notifications, with its params in the order given.
        let t = NOW_MS - 3_600_000;
        let r = req(RESEND_FAILED, json!({"startTime": t, "events": ["transaction.status.updated"]})).unwrap();
        assert_eq!(r.url, format!("https://sandbox-api.fireblocks.io/v1/webhooks/{WEBHOOK}/notifications/resend_failed"));
        assert_eq!(r.body_text().unwrap(), format!(r#"{{"startTime":{t},"events":["transaction.status.updated"]}}"#));
        let r = req(RESEND_FAILED, json!({"events": "transaction.created, transaction.created", "startTime": t})).unwrap();
        assert_eq!(r.body_text().unwrap(), format!(r#"{{"events":["transaction.created"],"startTime":{t}}}"#));
        assert_eq!(req(RESEND_FAILED, json!({})).unwrap().body_text().unwrap(), "{}");
    }

    #[test]
    fn windows_are_refused_before_sending() {
        let reason = |op: &str, p: Value| {
            let e = req(op, p).unwrap_err();
            (e.params["field"].as_str().unwrap().to_owned(), e.params["reason"].as_str().unwrap().to_owned())
        };
        let day = 24 * 3_600_000;
        assert!(req(RESEND_FAILED, json!({"startTime": NOW_MS - day})).is_ok());
        assert_eq!(reason(RESEND_FAILED, json!({"startTime": NOW_MS - day - 1})), ("startTime".into(), "too_far_back".into()));
        assert_eq!(reason(RESEND_FAILED, json!({"startTime": NOW_MS + 1})), ("startTime".into(), "in_future".into()));
        assert_eq!(reason(RESEND_FAILED, json!({"events": ["Transaction Created"]})), ("events".into(), "not_allowed".into()));
        let month = 31 * day;
        assert!(req(LIST_NOTIFICATIONS, json!({"startTime": NOW_MS - month})).is_ok());
        assert_eq!(reason(LIST_NOTIFICATIONS, json!({"startTime": NOW_MS - month - 1})), ("startTime".into(), "range_too_long".into()));
        assert_eq!(
            reason(LIST_NOTIFICATIONS, json!({"startTime": 1_000, "endTime": 1_000 + month + 1})),
            ("startTime".into(), "range_too_long".into())
        );
        assert_eq!(reason(LIST_NOTIFICATIONS, json!({"startTime": 2_000, "endTime": 1_000})), ("endTime".into(), "before_start".into()));
        assert_eq!(reason(LIST_NOTIFICATIONS, json!({"pageSize": 101})), ("pageSize".into(), "out_of_range".into()));
        assert_eq!(reason(LIST_NOTIFICATIONS, json!({"statuses": ["LOST"]})), ("statuses".into(), "not_allowed".into()));
        assert_eq!(reason(RESEND_BY_RESOURCE, json!({"resourceId": "x", "excludeStatuses": ["DONE"]})).1, "not_allowed");
        assert_eq!(reason(RESEND_TRANSACTION_V1, json!({"txId": "x", "resendCreated": "yes"})).1, "not_allowed");
        assert_eq!(reason(GET_TRANSACTION, json!({"txId": "x", "extra": 1})), ("extra".into(), "unknown_field".into()));
    }

    #[test]
    fn lists_and_ids_are_encoded_and_the_webhook_comes_from_the_account() {
        let r = req(
            LIST_NOTIFICATIONS,
            json!({"startTime": NOW_MS - 1000, "statuses": "FAILED,ON_HOLD", "events": ["transaction.created"], "pageCursor": "a b/c=="}),
        )
        .unwrap();
        let q = format!("startTime={}&statuses=FAILED&statuses=ON_HOLD&events=transaction.created&pageCursor=a%20b%2Fc%3D%3D", NOW_MS - 1000);
        assert_eq!(r.url, format!("https://sandbox-api.fireblocks.io/v1/webhooks/{WEBHOOK}/notifications?{q}"));
        assert_eq!(claims(&r)["uri"], format!("/v1/webhooks/{WEBHOOK}/notifications?{q}"));
        let r = req(RESEND_NOTIFICATION, json!({"notificationId": "n/1 ?"})).unwrap();
        assert!(r.url.ends_with("/notifications/n%2F1%20%3F/resend"), "{}", r.url);
        assert_eq!(r.body, None);
        let r = req(RESEND_TRANSACTION_V1, json!({"txId": "t1", "resendStatusUpdated": "false", "resendCreated": "true"})).unwrap();
        assert_eq!(r.body_text().unwrap(), r#"{"resendStatusUpdated":false,"resendCreated":true}"#);
        // Without a webhook ID the v2 operations say where to add it; the others need none.
        let mut file = account_file();
        file.as_object_mut().unwrap().remove("webhook_id");
        let a = Account::from_map(file.as_object().unwrap()).unwrap();
        let a = a.downcast::<FireblocksAccount>().unwrap();
        let p = json!({"notificationId": "n"});
        let e = build(a, RESEND_NOTIFICATION, p.as_object().unwrap(), &BuildCtx::at(NOW_MS)).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("webhook_id"), Some("webhook_id_needed")));
        assert!(build(a, GET_TRANSACTION, json!({"txId": "t"}).as_object().unwrap(), &BuildCtx::at(NOW_MS)).is_ok());
    }

    #[test]
    fn every_attempt_is_signed_afresh() {
        let a = acct();
        let a = a.downcast::<FireblocksAccount>().unwrap();
        let p = json!({"txId": "t"});
        let one = build(a, GET_TRANSACTION, p.as_object().unwrap(), &BuildCtx::at(NOW_MS)).unwrap();
        let two = build(a, GET_TRANSACTION, p.as_object().unwrap(), &BuildCtx::at(NOW_MS)).unwrap();
        assert_ne!(claims(&one)["nonce"], claims(&two)["nonce"]);
        assert_eq!(claims(&one)["nonce"].as_str().unwrap().len(), 36);
    }
}
