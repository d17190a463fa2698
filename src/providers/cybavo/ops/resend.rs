//! Resend withdrawal callbacks (`POST …/sender/notifications/manual`) or deposit and collection callbacks
//! (`POST …/collection/notifications/manual`): one callback by its serial, or `0` for every callback that
//! is pending or failed. The two differ only in their path. Answer: `{"count"}`.

use super::{Call, Op};
use crate::error::{Error, Result};
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use serde_json::{json, Map, Value};

pub const WITHDRAWAL: &str = "resend-withdrawal-callbacks";
pub const DEPOSIT: &str = "resend-deposit-callbacks";

pub(super) const WITHDRAWAL_OP: Op = Op { name: WITHDRAWAL, request: withdrawal, decode };
pub(super) const DEPOSIT_OP: Op = Op { name: DEPOSIT, request: deposit, decode };

/// Which callback to resend.
pub struct ResendParams {
    /// A serial, or `0` for every pending or failed callback.
    pub notification_id: i64,
}

impl ResendParams {
    pub fn read(params: &Map<String, Value>) -> Result<ResendParams> {
        let p = Params::read(params, &["notification_id"])?;
        let notification_id = p.i64("notification_id")?;
        if notification_id < 0 {
            return Err(Error::invalid_field("notification_id", "negative"));
        }
        Ok(ResendParams { notification_id })
    }
}

fn withdrawal(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    request(acct, params, "sender")
}

fn deposit(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    request(acct, params, "collection")
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, side: &str) -> Result<Call> {
    let p = ResendParams::read(params)?;
    let w = acct.wallet()?;
    Call::post(format!("/v1/sofa/wallets/{w}/{side}/notifications/manual"), &json!({ "notification_id": p.notification_id }))
}

fn decode(v: &Value) -> Option<Value> {
    v.get("count").and_then(Value::as_i64).map(|count| json!({ "count": count }))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use crate::providers::BuildCtx;
    use serde_json::json;

    #[test]
    fn vector_a_request_is_exact() {
        let r = build(&acct(), RESEND_WITHDRAWAL, &params(json!({"notification_id": 0})), &ctx()).unwrap();
        assert_eq!(r.method, HttpMethod::Post);
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/sender/notifications/manual?t=1700000000&r=Ab3dE6gH"
        );
        assert_eq!(r.body.as_deref(), Some(&b"{\"notification_id\":0}"[..]));
        assert_eq!(r.header("X-CHECKSUM"), Some("861bfbeafdb7c4c8d2e5bece994fc03d16bafddfd9ffa42cc6940bd2251e0226"));
        assert_eq!(r.header("X-API-CODE"), Some("TESTAPICODE"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert!(r.header("User-Agent").unwrap().starts_with("callback-desk/"));
    }

    #[test]
    fn deposit_resend_path_and_fresh_nonce() {
        let p = params(json!({"notification_id": "12"}));
        let c = BuildCtx::at(1_700_000_000_000);
        let a = build(&acct(), RESEND_DEPOSIT, &p, &c).unwrap();
        let b = build(&acct(), RESEND_DEPOSIT, &p, &c).unwrap();
        assert!(a.url.contains("/collection/notifications/manual?t=1700000000&r="));
        assert_ne!(a.url, b.url, "every attempt gets a new r");
        assert_ne!(a.header("X-CHECKSUM"), b.header("X-CHECKSUM"));
        let e = build(&acct(), RESEND_DEPOSIT, &params(json!({"notification_id": -1})), &c).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("notification_id"), Some("negative")));
        let e = build(&acct(), RESEND_DEPOSIT, &params(json!({})), &c).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("notification_id")));
        let e = build(&acct(), RESEND_DEPOSIT, &params(json!({"notification_id": 1, "x": 1})), &c).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("x"), Some("unknown_field")));
    }
}
