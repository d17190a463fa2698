//! Resend the webhooks of a time window (`POST {base}/webhook/resend`), v1 and v2 field names; v2 also
//! takes `recordIds` (at most 50), and then the window is optional. The window may span at most one hour,
//! checked before anything is sent. The body holds the params in the order given (times as JSON numbers,
//! `recordIds` as strings). Answer: `{"resend_count"}` (v1 `resend_count`, v2 `resendCount`).

use super::{Call, Op};
use crate::error::{Error, ErrorCode, Result};
use crate::providers::ccpayment::account::{CcpaymentAccount, CcpaymentVersion};
use crate::providers::params::Params;
use serde_json::{json, Map, Value};

pub const NAME: &str = "resend-webhooks";
/// The window between start and end may not exceed one hour (both versions).
pub const MAX_WINDOW_SECONDS: i64 = 3600;
pub const V2_MAX_RECORD_IDS: usize = 50;
pub const V1_RESULTS: &[&str] = &["Failed", "All Result"];
pub const V1_TYPES: &[&str] = &["All Type", "Direct Deposit", "API Deposit", "Invoice", "API Withdrawal", "Refund"];
pub const V2_RESULTS: &[&str] = &["Failed", "AllResult"];
pub const V2_TYPES: &[&str] =
    &["AllType", "ApiDeposit", "DirectDeposit", "ApiWithdrawal", "UserDeposit", "UserWithdrawal"];

pub(super) const OP: Op = Op { name: NAME, request, decode, lookup: false };

/// The v2 field of the record ids, which make the window optional.
pub const RECORD_IDS: &str = "recordIds";

/// The names of the fields in one API version.
struct Names {
    start: &'static str,
    end: &'static str,
    result: &'static str,
    kind: &'static str,
    results: &'static [&'static str],
    kinds: &'static [&'static str],
}

const V1: Names = Names {
    start: "start_timestamp",
    end: "end_timestamp",
    result: "webhook_result",
    kind: "transaction_type",
    results: V1_RESULTS,
    kinds: V1_TYPES,
};
const V2: Names = Names {
    start: "startTimestamp",
    end: "endTimestamp",
    result: "webhookResult",
    kind: "transactionType",
    results: V2_RESULTS,
    kinds: V2_TYPES,
};

/// What to resend, in the account's version's names, with the fields in the order they were given.
pub struct ResendParams {
    names: &'static Names,
    /// `None` only when record ids are given.
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub result: Option<String>,
    pub kind: Option<String>,
    pub record_ids: Option<Vec<String>>,
    /// The names of the fields given, in order.
    order: Vec<String>,
}

impl ResendParams {
    pub fn read(acct: &CcpaymentAccount, params: &Map<String, Value>) -> Result<ResendParams> {
        let n = match acct.api_version {
            CcpaymentVersion::V1 => &V1,
            CcpaymentVersion::V2 => &V2,
        };
        let mut known = vec![n.start, n.end, n.result, n.kind];
        if acct.api_version == CcpaymentVersion::V2 {
            known.push(RECORD_IDS);
        }
        let p = Params::read(params, &known)?;
        let record_ids = p.opt_text_list(RECORD_IDS)?;
        if let Some(r) = &record_ids {
            if r.len() > V2_MAX_RECORD_IDS {
                return Err(Error::invalid_field(RECORD_IDS, "too_many").with("max", V2_MAX_RECORD_IDS));
            }
        }
        // The window: required, unless record ids say what to resend (then an end needs its start).
        let end = p.opt_i64(n.end)?;
        let start = match p.opt_i64(n.start)? {
            Some(start) => Some(start),
            None if record_ids.is_some() && end.is_none() => None,
            None => return Err(Error::missing_field(n.start)),
        };
        if let Some(start) = start {
            check_ts(n.start, start)?;
        }
        if let (Some(start), Some(end)) = (start, end) {
            check_ts(n.end, end)?;
            if end < start {
                return Err(Error::invalid_field(n.end, "before_start"));
            }
            if end - start > MAX_WINDOW_SECONDS {
                return Err(Error::new(ErrorCode::InputWindowTooLarge)
                    .with("field", n.end)
                    .with("max_seconds", MAX_WINDOW_SECONDS)
                    .with("seconds", end - start));
            }
        }
        let result = p.opt_choice(n.result, n.results)?;
        let kind = p.opt_choice(n.kind, n.kinds)?;
        let order = p.keys().map(str::to_owned).collect();
        Ok(ResendParams { names: n, start, end, result, kind, record_ids, order })
    }

    /// The body: each field given and not empty, in the order given.
    fn body(&self) -> Map<String, Value> {
        let n = self.names;
        let mut body = Map::new();
        for k in &self.order {
            let v = match k.as_str() {
                k if k == n.start => match self.start {
                    Some(s) => json!(s),
                    None => continue,
                },
                k if k == n.end => match self.end {
                    Some(e) => json!(e),
                    None => continue,
                },
                k if k == n.result => match &self.result {
                    Some(r) => json!(r),
                    None => continue,
                },
                k if k == n.kind => match &self.kind {
                    Some(r) => json!(r),
                    None => continue,
                },
                RECORD_IDS => match &self.record_ids {
                    Some(r) => json!(r),
                    None => continue,
                },
                _ => continue,
            };
            body.insert(k.clone(), v);
        }
        body
    }
}

fn check_ts(field: &str, v: i64) -> Result<()> {
    if (1_000_000_000..10_000_000_000).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_field(field, "not_unix_seconds"))
    }
}

fn request(acct: &CcpaymentAccount, params: &Map<String, Value>) -> Result<Call> {
    Ok(Call { path: "/webhook/resend", body: ResendParams::read(acct, params)?.body() })
}

/// Always a result: the count when CCPayment gives one.
fn decode(msg: Option<String>, data: Value) -> Option<Value> {
    let count = data
        .get("resend_count")
        .or_else(|| data.get("resendCount"))
        .and_then(|c| c.as_i64().or_else(|| c.as_str().and_then(|s| s.parse().ok())));
    Some(json!({ "code": 10000, "msg": msg, "resend_count": count, "data": data }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{acct, check_additions, vectors};
    use super::super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn v1_and_v2_requests_match_vectors() {
        let v = vectors();
        for ver in ["v1", "v2"] {
            let c = &v["ccpayment"][ver];
            let r =
                build(&acct(ver), RESEND_WEBHOOKS, c["params"].as_object().unwrap(), &BuildCtx::at(1_700_000_000_500))
                    .unwrap();
            assert_eq!(r.url, format!("https://admin.ccpayment.com/ccpayment/{ver}/webhook/resend"));
            assert_eq!(r.body_text().unwrap(), c["body"].as_str().unwrap());
            assert_eq!(r.header("Sign"), c["sign"].as_str());
            assert_eq!(r.header("Timestamp"), Some("1700000000"));
            assert_eq!(r.header("Appid"), Some("202302010636261620672405236006912"));
        }
    }

    #[test]
    fn window_is_checked_before_sending() {
        let p = json!({"start_timestamp": 1699990000, "end_timestamp": 1699993601});
        let e = build(&acct("v1"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputWindowTooLarge);
        assert_eq!(e.params["max_seconds"], 3600);
        let p = json!({"startTimestamp": 1699990000, "endTimestamp": 1699989999});
        assert_eq!(
            build(&acct("v2"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["reason"],
            "before_start"
        );
        let p = json!({"start_timestamp": 1699990000, "webhook_result": "AllResult"});
        assert_eq!(
            build(&acct("v1"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["field"],
            "webhook_result"
        );
        let p = json!({"start_timestamp": 1699990000000i64});
        assert_eq!(
            build(&acct("v1"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["reason"],
            "not_unix_seconds"
        );
        let p = json!({"startTimestamp": 1699990000});
        assert_eq!(
            build(&acct("v1"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["reason"],
            "unknown_field"
        );
        let p = json!({"recordIds": "a, b", "startTimestamp": "1699990000"});
        let r = build(&acct("v2"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0)).unwrap();
        assert_eq!(r.body_text().unwrap(), r#"{"recordIds":["a","b"],"startTimestamp":1699990000}"#);
    }

    #[test]
    fn record_id_vectors_are_exact() {
        assert_eq!(check_additions("resend_by_recordIds", RESEND_WEBHOOKS), 2);
    }

    /// v2 resends by record ids (at most 50) need no window; an end still needs its start.
    #[test]
    fn record_ids_make_the_window_optional() {
        let build_v2 = |p: Value| build(&acct("v2"), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(0));
        let r = build_v2(json!({"recordIds": ["r1", "r2"], "webhookResult": "AllResult"})).unwrap();
        assert_eq!(r.body_text().unwrap(), r#"{"recordIds":["r1","r2"],"webhookResult":"AllResult"}"#);
        let e = build_v2(json!({"webhookResult": "AllResult"})).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("startTimestamp")));
        let e = build_v2(json!({"recordIds": ["r1"], "endTimestamp": 1699990000})).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("startTimestamp")));
        let ids: Vec<String> = (0..51).map(|i| format!("r{i}")).collect();
        let e = build_v2(json!({ "recordIds": ids })).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str(), e.params["max"].as_i64()), (Some("recordIds"), Some("too_many"), Some(50)));
        assert!(build_v2(json!({ "recordIds": &ids[..50] })).is_ok());
        let e = build(&acct("v1"), RESEND_WEBHOOKS, json!({"recordIds": ["r1"]}).as_object().unwrap(), &BuildCtx::at(0)).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("recordIds"), Some("unknown_field")));
    }
}
