//! Ceffu operations: one file each (its typed params and its request), and what they share: reading
//! Ceffu's answer envelope (`{"code", "message", "data"}`, success `"000000"`) with its `x-request-id`.

mod resend_webhooks;

pub use super::errors::map_code;
pub use resend_webhooks::NAME as RESEND_WEBHOOKS;

use super::account::CeffuAccount;
use super::errors::answer_error;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::{BuildCtx, Outcome, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};

/// Builds and signs one call of `operation`.
pub fn build(
    acct: &CeffuAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    match operation {
        RESEND_WEBHOOKS => resend_webhooks::build(acct, params, ctx),
        other => Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", other)),
    }
}

/// HTTP 200 with `code == "000000"` is success; HTTP 200 with any other code is a business error mapped
/// by its `G2xxxx` code. `x-request-id` (what Ceffu support asks for) is kept in the result and errors.
pub fn parse(operation: &str, resp: &RawResponse) -> Result<Outcome> {
    let _ = operation;
    let request_id = resp.header("x-request-id").map(str::to_owned);
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let code = v.as_ref().and_then(|v| v.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let message = v.as_ref().and_then(|v| v.get("message")).and_then(Value::as_str).map(str::to_owned);
    if resp.status == 200 && code.as_deref() == Some("000000") {
        let v = v.unwrap_or(Value::Null);
        return Ok(Outcome {
            result: json!({
                "data": v.get("data").cloned().unwrap_or(Value::Null),
                "code": "000000",
                "message": message,
                "request_id": request_id,
            }),
        });
    }
    Err(answer_error(resp, code.as_deref(), message.as_deref(), request_id))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(super) fn acct() -> CeffuAccount {
        let key = include_str!("../../../../tests/fixtures/ceffu_test_key.pem");
        let j = json!({"provider":"ceffu","base_url":"https://open-api.ceffu.com","api_key":"TESTAPIKEY","private_key":key});
        crate::providers::account::with_source(&j, |s| CeffuAccount::parse(s).unwrap())
    }

    #[test]
    fn parses_success_and_keeps_request_id() {
        let r = RawResponse::new(
            200,
            &[("x-request-id", "req-123")],
            r#"{"data": true, "code": "000000", "message": "Success"}"#,
        );
        let out = parse(RESEND_WEBHOOKS, &r).unwrap();
        assert_eq!(out.result, json!({"data": true, "code": "000000", "message": "Success", "request_id": "req-123"}));
    }

    #[test]
    fn maps_business_errors_and_statuses() {
        let cases: &[(u16, &str, ErrorCode)] = &[
            (200, "G20007", ErrorCode::AuthClockSkew),
            (200, "G20009", ErrorCode::AuthSignatureRejected),
            (200, "G20012", ErrorCode::ProviderRateLimited),
            (200, "G20015", ErrorCode::AuthReplayRejected),
            (200, "G20010", ErrorCode::AuthInvalidApiKey),
            (200, "G20011", ErrorCode::AuthIpNotAllowed),
            (200, "G20013", ErrorCode::AuthPermissionDenied),
            (200, "G20016", ErrorCode::AuthPermissionDenied),
            (200, "G20005", ErrorCode::ProviderInvalidParameter),
            (200, "G20006", ErrorCode::AuthMissingCredentials),
            (200, "G20008", ErrorCode::AuthMissingCredentials),
            (200, "G20001", ErrorCode::ProviderServerError),
            (200, "G20030", ErrorCode::ProviderBusinessError),
        ];
        for (status, code, expect) in cases {
            let body = format!(r#"{{"data":null,"code":"{code}","message":"msg {code}"}}"#);
            let e = parse(RESEND_WEBHOOKS, &RawResponse::new(*status, &[("x-request-id", "rid")], body)).unwrap_err();
            assert_eq!(e.code, *expect, "{code}");
            assert_eq!(e.params["provider_code"], *code);
            assert_eq!(e.params["request_id"], "rid");
            assert_eq!(e.detail.as_deref(), Some(format!("{code} msg {code}").as_str()));
        }
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(429, &[], "Too Many Requests")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderRateLimited);
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(500, &[], "")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderServerError);
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(200, &[], "<html>")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderMalformedResponse);
        // JSON of another shape, or the success code with another status, is not an answer either.
        for (status, body) in [(200, r#"{"data":true}"#), (202, r#"{"code":"000000"}"#), (418, "{}")] {
            let e = parse(RESEND_WEBHOOKS, &RawResponse::new(status, &[], body)).unwrap_err();
            assert_eq!(e.code, ErrorCode::ProviderMalformedResponse, "{status} {body}");
        }
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(418, &[], r#"{"code":"X1"}"#)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderBusinessError, "an undocumented code of Ceffu's is its refusal");
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(404, &[], "")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderNotFound);
    }
}
