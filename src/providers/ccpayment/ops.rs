//! CCPayment operation `resend-webhooks` (POST `{base}/webhook/resend`), v1 and v2 field sets.

use super::sign;
use crate::error::{Error, ErrorCode, Result};
use super::account::{CcpaymentAccount, CcpaymentVersion};
use crate::providers::util;
use crate::providers::{BuildCtx, HttpMethod, Outcome, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};

pub const RESEND_WEBHOOKS: &str = "resend-webhooks";
/// The window between start and end may not exceed one hour (both versions).
pub const MAX_WINDOW_SECONDS: i64 = 3600;
pub const V2_MAX_RECORD_IDS: usize = 50;
pub const V1_RESULTS: &[&str] = &["Failed", "All Result"];
pub const V1_TYPES: &[&str] = &["All Type", "Direct Deposit", "API Deposit", "Invoice", "API Withdrawal", "Refund"];
pub const V2_RESULTS: &[&str] = &["Failed", "AllResult"];
pub const V2_TYPES: &[&str] =
    &["AllType", "ApiDeposit", "DirectDeposit", "ApiWithdrawal", "UserDeposit", "UserWithdrawal"];

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

/// Validates the params (window ≤ 3600 s checked before anything is sent), writes the body with the
/// params in the order given (integers as JSON numbers, `recordIds` as strings), serialises once and
/// signs those bytes with the account's version. `Timestamp` = `ctx.now_ms` in seconds.
pub fn build(
    acct: &CcpaymentAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    if operation != RESEND_WEBHOOKS {
        return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", operation));
    }
    let n = match acct.api_version {
        CcpaymentVersion::V1 => &V1,
        CcpaymentVersion::V2 => &V2,
    };
    let mut known = vec![n.start, n.end, n.result, n.kind];
    if acct.api_version == CcpaymentVersion::V2 {
        known.push("recordIds");
    }
    util::reject_unknown(params, &known)?;
    let start = util::req_i64(params, n.start)?;
    let end = util::opt_i64(params, n.end)?;
    check_ts(n.start, start)?;
    if let Some(end) = end {
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
    let result = util::opt_choice(params, n.result, n.results)?;
    let kind = util::opt_choice(params, n.kind, n.kinds)?;
    let records = util::opt_string_list(params, "recordIds")?;
    if let Some(r) = &records {
        if r.len() > V2_MAX_RECORD_IDS {
            return Err(Error::invalid_field("recordIds", "too_many").with("max", V2_MAX_RECORD_IDS));
        }
    }
    let mut body = Map::new();
    for (k, _) in params.iter() {
        let v = match k.as_str() {
            k if k == n.start => json!(start),
            k if k == n.end => match end {
                Some(e) => json!(e),
                None => continue,
            },
            k if k == n.result => match &result {
                Some(r) => json!(r),
                None => continue,
            },
            k if k == n.kind => match &kind {
                Some(r) => json!(r),
                None => continue,
            },
            "recordIds" => match &records {
                Some(r) => json!(r),
                None => continue,
            },
            _ => continue,
        };
        body.insert(k.clone(), v);
    }
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
        url: util::join_url(&acct.base_url, "/webhook/resend"),
        headers: vec![
            ("Appid".into(), acct.app_id.clone()),
            ("Timestamp".into(), ts),
            ("Sign".into(), sign),
            ("Content-Type".into(), content_type.into()),
        ],
        body: Some(bytes),
    })
}

fn check_ts(field: &str, v: i64) -> Result<()> {
    if (1_000_000_000..10_000_000_000).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_field(field, "not_unix_seconds"))
    }
}

/// Checks `Appid`/`Timestamp`/`Sign` of a response or webhook over the raw body with the account's
/// version. `Err` says what is wrong (for the CLI `verify`).
pub fn verify_signed(
    acct: &CcpaymentAccount,
    headers: &[(String, String)],
    body: &[u8],
) -> std::result::Result<(), String> {
    let get = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.trim());
    let app = get("Appid").ok_or("Appid header missing")?;
    let ts = get("Timestamp").ok_or("Timestamp header missing")?;
    let given = get("Sign").ok_or("Sign header missing")?;
    if app != acct.app_id {
        return Err(format!("Appid {app} does not match the account"));
    }
    let expected = match acct.api_version {
        CcpaymentVersion::V1 => sign::sign_v1(&acct.app_id, &acct.app_secret, ts, body),
        CcpaymentVersion::V2 => sign::sign_v2(&acct.app_id, &acct.app_secret, ts, body),
    };
    if sign::equal(&expected, given) {
        Ok(())
    } else {
        Err("Sign does not match the body".into())
    }
}

/// `code == 10000` is success (v1: the response `Sign` is verified over the raw body first; v2
/// responses are not documented as signed). Other codes map to stable error codes.
pub fn parse(acct: &CcpaymentAccount, operation: &str, resp: &RawResponse) -> Result<Outcome> {
    let _ = operation;
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let code = v.as_ref().and_then(|v| v.get("code")).and_then(Value::as_i64);
    let msg = v.as_ref().and_then(|v| v.get("msg")).and_then(Value::as_str).map(str::to_owned);
    if resp.status == 200 && code == Some(10000) {
        if acct.api_version == CcpaymentVersion::V1 {
            if let Err(why) = verify_signed(acct, &resp.headers, &resp.body) {
                return Err(Error::new(ErrorCode::ProviderSignatureInvalid).with("header", "Sign").detail(why));
            }
        }
        let data = v.as_ref().and_then(|v| v.get("data")).cloned().unwrap_or(Value::Null);
        let count = data
            .get("resend_count")
            .or_else(|| data.get("resendCount"))
            .and_then(|c| c.as_i64().or_else(|| c.as_str().and_then(|s| s.parse().ok())));
        return Ok(Outcome { result: json!({ "code": 10000, "msg": msg, "resend_count": count, "data": data }) });
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

/// v1 resend quota, documented on the resend page: "once per minute, with a daily limit of 25 calls".
pub const V1_RESEND_PER_MINUTE: i64 = 1;
pub const V1_RESEND_PER_DAY: i64 = 25;

/// The number in a message such as `Rate limit exceeded (1 calls/minute)` or `… (25 calls/day)`.
fn limit_in(msg: Option<&str>, unit: &str) -> Option<i64> {
    let msg = msg?;
    let at = msg.find(&format!(" calls/{unit}"))?;
    let digits: String =
        msg[..at].chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    digits.parse().ok()
}

/// Adds what the UI shows with a code: the quota for 11004/11009 (from the provider's message, else the
/// documented v1 quota) and the local clock skew for 11006 (from the response `Date`).
fn with_context(acct: &CcpaymentAccount, e: Error, code: i64, msg: Option<&str>, resp: &RawResponse) -> Error {
    let v1 = acct.api_version == CcpaymentVersion::V1;
    match code {
        11004 => {
            let limit = limit_in(msg, "minute").or(v1.then_some(V1_RESEND_PER_MINUTE));
            let e = e.with("per", "minute");
            match limit {
                Some(l) => e.with("limit", l),
                None => e,
            }
        }
        11009 => {
            let limit = limit_in(msg, "day").or(v1.then_some(V1_RESEND_PER_DAY));
            let e = e.with("per", "day");
            match limit {
                Some(l) => e.with("limit", l),
                None => e,
            }
        }
        11006 => match util::skew_seconds(resp.header("Date"), resp.received_at_ms) {
            Some(skew) => e.with("skew_seconds", skew),
            None => e,
        },
        _ => e,
    }
}

/// CCPayment's documented codes (v2 appendix; v1 shares 10000 and the 11xxx family).
///
/// 11001 is "header invalid". The engine always sends `Appid`, `Timestamp` and `Sign`, and a bad
/// timestamp or signature has its own code (11006, 11005), so 11001 means the `Appid` was not accepted.
pub fn map_code(code: i64) -> Error {
    match code {
        10001 => Error::new(ErrorCode::ProviderBusinessError),
        11000 | 11010 => Error::new(ErrorCode::ProviderInvalidParameter),
        11001 => Error::new(ErrorCode::AuthInvalidApiKey),
        11002 | 224066 => Error::new(ErrorCode::ProviderServerError),
        11003 => Error::new(ErrorCode::ProviderNotFound),
        11004 => Error::new(ErrorCode::ProviderRateLimited),
        11005 => Error::new(ErrorCode::AuthSignatureRejected),
        11006 => Error::new(ErrorCode::AuthClockSkew).with("window_seconds", 120),
        11007 => Error::new(ErrorCode::AuthReplayRejected),
        11008 => Error::new(ErrorCode::InputWindowTooLarge).with("max_seconds", MAX_WINDOW_SECONDS),
        11009 => Error::new(ErrorCode::ProviderDailyLimit),
        11013 => Error::new(ErrorCode::ProviderVersionUnsupported),
        11014 => Error::new(ErrorCode::AuthIpNotAllowed).with("blocked_days", 5),
        12002 => Error::new(ErrorCode::AuthIpNotAllowed),
        12003 => Error::new(ErrorCode::AuthPermissionDenied),
        _ => Error::new(ErrorCode::ProviderBusinessError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(v: &str) -> CcpaymentAccount {
        let j = json!({"provider":"ccpayment","base_url":format!("https://admin.ccpayment.com/ccpayment/{v}"),"api_version":v,
            "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"});
        crate::providers::account::with_source(&j, |s| CcpaymentAccount::parse(s).unwrap())
    }

    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap()
    }

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
