//! CCPayment response parser (`providers::parse_response` → `ccpayment::ops::parse`), v1 and v2 accounts,
//! every operation of each version.
//!
//! Success is exactly HTTP 200 with `"code": 10000`, and for v1 only with a valid `Appid`/`Timestamp`/
//! `Sign` over the raw body. Each input is parsed as it came and, for v1, once more correctly signed.
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::providers::ccpayment::sign;
use callback_desk::providers::ccpayment::account::{CcpaymentAccount, CcpaymentVersion};
use callback_desk::providers;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some(resp) = f::response(data) else { return };
    let body = f::json(&resp.body);
    let code = body.as_ref().and_then(|v| v.get("code")).and_then(Value::as_i64);
    let success = resp.status == 200 && code == Some(10000);

    for key in ["ccpayment-v1", "ccpayment-v2"] {
        let account = f::account(key);
        let acct = account.downcast::<CcpaymentAccount>().expect("a CCPayment account");
        let ts = f::header(&resp.headers, "Timestamp").unwrap_or("1700000000").trim().to_owned();
        let expected = match acct.api_version {
            CcpaymentVersion::V1 => sign::sign_v1(&acct.app_id, &acct.app_secret, &ts, &resp.body),
            CcpaymentVersion::V2 => sign::sign_v2(&acct.app_id, &acct.app_secret, &ts, &resp.body),
        };
        let genuine = f::header(&resp.headers, "Appid").map(str::trim) == Some(acct.app_id.as_str())
            && f::header(&resp.headers, "Timestamp").is_some()
            && f::header(&resp.headers, "Sign").is_some_and(|s| s.trim().to_ascii_lowercase() == expected);
        let mut signed = resp.clone();
        f::set_header(&mut signed.headers, "Appid", &acct.app_id);
        f::set_header(&mut signed.headers, "Timestamp", &ts);
        f::set_header(&mut signed.headers, "Sign", &expected);

        for op in f::operations(account) {
            let result = providers::parse_response(account, &op, &resp);
            f::check_parse(&result);
            let must_verify = acct.api_version == CcpaymentVersion::V1;
            assert_eq!(result.is_ok(), success && (genuine || !must_verify), "{key}: {result:?}");
            if success && must_verify && !genuine {
                assert_eq!(f::code(&result), Some(ErrorCode::ProviderSignatureInvalid));
            }
            check(&result, &resp, &body, code);

            let result = providers::parse_response(account, &op, &signed);
            f::check_parse(&result);
            assert_eq!(result.is_ok(), success, "{key} correctly signed: {result:?}");
            check(&result, &signed, &body, code);
        }
    }
});

fn check(
    result: &Result<providers::Outcome, callback_desk::Error>,
    resp: &providers::RawResponse,
    body: &Option<Value>,
    code: Option<i64>,
) {
    if f::check_redirect(resp.status, result) {
        return;
    }
    match result {
        Ok(o) => {
            assert_eq!(o.result["code"], 10000);
            let data = body.as_ref().unwrap().get("data").cloned().unwrap_or(Value::Null);
            assert_eq!(o.result["data"], data);
            let count = &o.result["resend_count"];
            assert!(count.is_null() || count.is_i64(), "resend_count {count}");
        }
        Err(e) => match code {
            // The success code with another status than 200: unreadable.
            Some(10000) if resp.status != 200 => assert_eq!(e.code, ErrorCode::ProviderMalformedResponse),
            Some(c) => {
                if e.code != ErrorCode::ProviderSignatureInvalid {
                    assert_eq!(e.params.get("provider_code").and_then(Value::as_i64), Some(c));
                    assert_eq!(e.code, providers::ccpayment::ops::map_code(c).code);
                }
            }
            None => {
                let expect = match resp.status {
                    s if s >= 500 => ErrorCode::ProviderServerError,
                    429 => ErrorCode::ProviderRateLimited,
                    _ => ErrorCode::ProviderMalformedResponse,
                };
                assert_eq!(e.code, expect);
            }
        },
    }
}
