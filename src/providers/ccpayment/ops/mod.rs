//! CCPayment operations: one file each (its typed params and its request body, the shape of its
//! answer), and what they share: the `Appid`/`Timestamp`/`Sign` headers over the exact body (v1 or v2,
//! as the account's version), and CCPayment's answer envelope (`{"code", "msg", "data"}`, success
//! `10000`, v1 answers signed).
//!
//! Adding an operation: its file, a line in [`OPS`], and its entry in the descriptor (`../mod.rs`).

mod get_deposit_record;
mod get_withdraw_record;
mod record;
mod resend_webhooks;

pub use super::errors::{map_code, V1_RESEND_PER_DAY, V1_RESEND_PER_MINUTE};
pub use get_deposit_record::NAME as GET_DEPOSIT_RECORD;
pub use get_withdraw_record::{NAME as GET_WITHDRAW_RECORD, ORDER_ID, RECORD_ID};
pub use resend_webhooks::{
    MAX_WINDOW_SECONDS, NAME as RESEND_WEBHOOKS, RECORD_IDS, V1_RESULTS, V1_TYPES, V2_MAX_RECORD_IDS, V2_RESULTS, V2_TYPES,
};

use super::account::{CcpaymentAccount, CcpaymentVersion};
use super::errors::with_context;
use super::sign;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util;
use crate::providers::callback::{SignatureFault, SignatureProblem};
use crate::providers::{BuildCtx, HttpMethod, Outcome, Phrase, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};

/// One operation: its name, its request from its params, and its result from a successful answer.
pub(super) struct Op {
    pub name: &'static str,
    /// Reads the params (field-level errors) and says what to send.
    pub request: fn(&CcpaymentAccount, &Map<String, Value>) -> Result<Call>,
    /// The result of a success (`code` 10000) from its `msg` and `data`; `None` when `data` lacks the
    /// operation's documented shape.
    pub decode: fn(Option<String>, Value) -> Option<Value>,
    /// A look-up: CCPayment's "not found" (11003) is its answer that nothing matched (`{"record": null}`),
    /// not a failure.
    pub lookup: bool,
}

/// What one call sends, before it is signed.
pub(super) struct Call {
    /// After the base URL, e.g. `/webhook/resend`.
    pub path: &'static str,
    /// The JSON body, its keys in the order the params were given.
    pub body: Map<String, Value>,
}

/// CCPayment's code for a record (or path) it does not know.
const NOT_FOUND: i64 = 11003;

/// Every operation, by name.
const OPS: &[&Op] = &[&resend_webhooks::OP, &get_deposit_record::OP, &get_withdraw_record::OP];

fn op(name: &str) -> Result<&'static Op> {
    OPS.iter()
        .copied()
        .find(|o| o.name == name)
        .ok_or_else(|| Error::new(ErrorCode::InputUnknownOperation).with("operation", name))
}

/// Validates the params, writes the body with the params in the order given, serialises it once and
/// signs those bytes with the account's version. `Timestamp` = `ctx.now_ms` in seconds.
pub fn build(
    acct: &CcpaymentAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    let Call { path, body } = (op(operation)?.request)(acct, params)?;
    let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| Error::internal(e.to_string()))?;
    let ts = ctx.now_ms.div_euclid(1000).to_string();
    let (sign, content_type) = match acct.api_version {
        CcpaymentVersion::V1 => {
            (sign::sign_v1(&acct.app_id, &acct.app_secret, &ts, &bytes), "application/json; charset=utf-8")
        }
        CcpaymentVersion::V2 => (sign::sign_v2(&acct.app_id, &acct.app_secret, &ts, &bytes), "application/json"),
    };
    Ok(SignedRequest {
        method: HttpMethod::Post,
        url: util::join_url(&acct.base_url, path),
        headers: vec![
            ("Appid".into(), acct.app_id.clone()),
            ("Timestamp".into(), ts),
            ("Sign".into(), sign),
            ("Content-Type".into(), content_type.into()),
        ],
        body: Some(bytes),
    })
}

/// Checks `Appid`/`Timestamp`/`Sign` of a response or webhook over the raw body with the account's
/// version. `Err` says what is wrong (the callback checker, the CLI `verify`).
pub fn verify_signed(
    acct: &CcpaymentAccount,
    headers: &[(String, String)],
    body: &[u8],
) -> std::result::Result<(), SignatureProblem> {
    let get = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.trim());
    let app = get("Appid").ok_or_else(|| SignatureProblem::missing("Appid"))?;
    let ts = get("Timestamp").ok_or_else(|| SignatureProblem::missing("Timestamp"))?;
    let given = get("Sign").ok_or_else(|| SignatureProblem::missing("Sign"))?;
    if app != acct.app_id {
        return Err(SignatureProblem::new(
            SignatureFault::Mismatch,
            Phrase::note("checker.reason.other_app").with("header", "Appid").with("value", app),
            format!("Appid {app} does not match the account"),
        ));
    }
    let expected = match acct.api_version {
        CcpaymentVersion::V1 => sign::sign_v1(&acct.app_id, &acct.app_secret, ts, body),
        CcpaymentVersion::V2 => sign::sign_v2(&acct.app_id, &acct.app_secret, ts, body),
    };
    if sign::equal(&expected, given) {
        Ok(())
    } else {
        Err(SignatureProblem::mismatch("Sign", "Sign does not match the body"))
    }
}

/// `code == 10000` is success (v1: the response `Sign` is verified over the raw body first; v2
/// responses are not documented as signed). Other codes map to stable error codes.
pub fn parse(acct: &CcpaymentAccount, operation: &str, resp: &RawResponse) -> Result<Outcome> {
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let code = v.as_ref().and_then(|v| v.get("code")).and_then(Value::as_i64);
    let msg = v.as_ref().and_then(|v| v.get("msg")).and_then(Value::as_str).map(str::to_owned);
    if resp.status == 200 && code == Some(10000) {
        if acct.api_version == CcpaymentVersion::V1 {
            if let Err(why) = verify_signed(acct, &resp.headers, &resp.body) {
                return Err(Error::new(ErrorCode::ProviderSignatureInvalid).with("header", "Sign").detail(why.detail));
            }
        }
        let data = v.as_ref().and_then(|v| v.get("data")).cloned().unwrap_or(Value::Null);
        let malformed = || Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(&resp.body));
        return match op(operation) {
            Ok(op) => (op.decode)(msg, data).map(|result| Outcome { result }).ok_or_else(malformed),
            Err(e) => Err(e),
        };
    }
    if resp.status == 200 && code == Some(NOT_FOUND) && op(operation).is_ok_and(|o| o.lookup) {
        return Ok(Outcome { result: json!({ "msg": msg, "record": null }) });
    }
    let e = match code {
        // The success code with another status: nothing says what CCPayment did.
        Some(10000) => Error::new(ErrorCode::ProviderMalformedResponse).with("status", resp.status),
        Some(c) => with_context(acct, map_code(c), c, msg.as_deref(), resp),
        None if resp.status >= 500 => Error::new(ErrorCode::ProviderServerError).with("status", resp.status),
        None if resp.status == 429 => Error::new(ErrorCode::ProviderRateLimited),
        None => Error::new(ErrorCode::ProviderMalformedResponse).with("status", resp.status),
    };
    let e = match code {
        Some(c) => e.with("provider_code", c),
        None => e,
    };
    Err(e.detail(match (code, msg) {
        (Some(c), Some(m)) => format!("{c} {m}"),
        _ => util::body_detail(&resp.body),
    }))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub(super) fn acct(v: &str) -> CcpaymentAccount {
        let j = json!({"provider":"ccpayment","base_url":format!("https://admin.ccpayment.com/ccpayment/{v}"),"api_version":v,
            "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"});
        crate::providers::account::with_source(&j, |s| CcpaymentAccount::parse(s).unwrap())
    }

    /// A v2 app at CCPayment's documented v2 address, with part 2's test credentials.
    pub(super) fn v2_at_ccpayment() -> CcpaymentAccount {
        let j = json!({"provider":"ccpayment","base_url":"https://ccpayment.com/ccpayment/v2","api_version":"v2",
            "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"});
        crate::providers::account::with_source(&j, |s| CcpaymentAccount::parse(s).unwrap())
    }

    /// Part 2's v2 vectors, computed by running CCPayment's own SDKs.
    pub(super) fn additions() -> Vec<Value> {
        let v: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/ccpayment-v2-additions.json")).unwrap();
        v["vectors"].as_array().unwrap().clone()
    }

    /// Each vector whose id starts with `prefix`: the JS SDK's (compact JSON, as Callback Desk writes it)
    /// built from its body's params exactly; the Python SDK's (spaced JSON) verified as signed.
    pub(super) fn check_additions(prefix: &str, operation: &str) -> usize {
        let acct = v2_at_ccpayment();
        let mut built = 0;
        for case in additions().iter().filter(|c| c["id"].as_str().unwrap().starts_with(prefix)) {
            let body = case["body_exact"].as_str().unwrap();
            let headers = [("Appid".to_owned(), acct.app_id.clone()), ("Timestamp".to_owned(), "1700000000".to_owned()), ("Sign".to_owned(), case["Sign"].as_str().unwrap().to_owned())];
            assert_eq!(verify_signed(&acct, &headers, body.as_bytes()), Ok(()), "{}", case["id"]);
            if case["sdk"].as_str().unwrap().contains("javascript") {
                let params: Map<String, Value> = serde_json::from_str(body).unwrap();
                let r = build(&acct, operation, &params, &BuildCtx::at(1_700_000_000_000)).unwrap();
                assert_eq!(r.url, case["url"].as_str().unwrap());
                assert_eq!(r.body_text().unwrap(), body, "{}", case["id"]);
                assert_eq!(r.header("Sign"), case["Sign"].as_str(), "{}", case["id"]);
                built += 1;
            }
        }
        built
    }

    pub(super) fn vectors() -> Value {
        serde_json::from_str(include_str!("../../../../tests/fixtures/vectors.json")).unwrap()
    }

    #[test]
    fn v1_success_requires_a_valid_response_sign() {
        let a = acct("v1");
        let body = r#"{"code":10000,"msg":"success","data":{"resend_count":"12345"}}"#;
        let s = sign::sign_v1(&a.app_id, &a.app_secret, "1700000001", body.as_bytes());
        let ok = RawResponse::new(200, &[("Appid", &a.app_id), ("Timestamp", "1700000001"), ("Sign", &s)], body);
        let out = parse(&a, RESEND_WEBHOOKS, &ok).unwrap();
        assert_eq!(out.result["resend_count"], 12345);
        let bad = RawResponse::new(200, &[("Appid", &a.app_id), ("Timestamp", "1700000002"), ("Sign", &s)], body);
        assert_eq!(parse(&a, RESEND_WEBHOOKS, &bad).unwrap_err().code, ErrorCode::ProviderSignatureInvalid);
        let unsigned = RawResponse::new(200, &[], body);
        assert_eq!(parse(&a, RESEND_WEBHOOKS, &unsigned).unwrap_err().code, ErrorCode::ProviderSignatureInvalid);
        // Error answers are not required to be signed.
        let fail =
            RawResponse::new(200, &[], r#"{"code":224066,"msg":"Service error, pleaser try again","data":null}"#);
        let e = parse(&a, RESEND_WEBHOOKS, &fail).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderServerError);
        assert_eq!(e.detail.as_deref(), Some("224066 Service error, pleaser try again"));
    }

    #[test]
    fn v2_success_and_error_codes() {
        let a = acct("v2");
        let out = parse(
            &a,
            RESEND_WEBHOOKS,
            &RawResponse::new(200, &[], r#"{"code":10000,"msg":"Success","data":{"resendCount":7}}"#),
        )
        .unwrap();
        assert_eq!(out.result["resend_count"], 7);
        let cases: &[(i64, ErrorCode)] = &[
            (11004, ErrorCode::ProviderRateLimited),
            (11005, ErrorCode::AuthSignatureRejected),
            (11006, ErrorCode::AuthClockSkew),
            (11007, ErrorCode::AuthReplayRejected),
            (11009, ErrorCode::ProviderDailyLimit),
            (11013, ErrorCode::ProviderVersionUnsupported),
            (11001, ErrorCode::AuthInvalidApiKey),
            (11014, ErrorCode::AuthIpNotAllowed),
            (12002, ErrorCode::AuthIpNotAllowed),
            (12003, ErrorCode::AuthPermissionDenied),
            (11000, ErrorCode::ProviderInvalidParameter),
            (11008, ErrorCode::InputWindowTooLarge),
            (11003, ErrorCode::ProviderNotFound),
            (10001, ErrorCode::ProviderBusinessError),
        ];
        for (code, expect) in cases {
            let body = format!(r#"{{"code":{code},"msg":"m{code}","data":null}}"#);
            let e = parse(&a, RESEND_WEBHOOKS, &RawResponse::new(200, &[], body)).unwrap_err();
            assert_eq!(e.code, *expect, "{code}");
            assert_eq!(e.params["provider_code"], *code);
        }
        // The window error names the allowed window, as its message does (found by fuzzing: the message
        // showed an empty `{{max_seconds}}`).
        let e = parse(&a, RESEND_WEBHOOKS, &RawResponse::new(200, &[], r#"{"code":11008,"msg":"QueryRangeTooLarge"}"#));
        assert_eq!(e.unwrap_err().params["max_seconds"], MAX_WINDOW_SECONDS);
        // Quotas: from the message when it says, else the documented v1 quota (v2's is not documented).
        let limited = |a: &CcpaymentAccount, body: &str| {
            parse(a, RESEND_WEBHOOKS, &RawResponse::new(200, &[], body)).unwrap_err()
        };
        let e = limited(&a, r#"{"code":11004,"msg":"Rate limit exceeded (30 calls/minute)","data":null}"#);
        assert_eq!((e.params["limit"].as_i64(), e.params["per"].as_str()), (Some(30), Some("minute")));
        assert!(limited(&a, r#"{"code":11004,"msg":"RateLimit","data":null}"#).params.get("limit").is_none());
        let v1 = acct("v1");
        assert_eq!(limited(&v1, r#"{"code":11004,"msg":"RateLimit","data":null}"#).params["limit"], 1);
        let e = limited(&v1, r#"{"code":11009,"msg":"ReqDailyLimit","data":null}"#);
        assert_eq!((e.params["limit"].as_i64(), e.params["per"].as_str()), (Some(25), Some("day")));
        let mut r = RawResponse::new(
            200,
            &[("Date", "Tue, 14 Nov 2023 22:13:20 GMT")],
            r#"{"code":11006,"msg":"Request expired","data":null}"#,
        );
        r.received_at_ms = 1_700_000_000_000 - 130_000;
        assert_eq!(parse(&a, RESEND_WEBHOOKS, &r).unwrap_err().params["skew_seconds"], -130);
        assert_eq!(
            parse(&a, RESEND_WEBHOOKS, &RawResponse::new(502, &[], "bad gateway")).unwrap_err().code,
            ErrorCode::ProviderServerError
        );
        assert_eq!(
            parse(&a, RESEND_WEBHOOKS, &RawResponse::new(200, &[], "nope")).unwrap_err().code,
            ErrorCode::ProviderMalformedResponse
        );
    }
}
