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
            // A record look-up answers a record (or CCPayment's "not found", which is its "nothing matched").
            let lookup = LOOKUPS.contains(&op.as_str());
            let shaped = !lookup || record_of(&body).is_some();
            let nothing = lookup && resp.status == 200 && code == Some(NOT_FOUND);
            let result = providers::parse_response(account, &op, &resp);
            f::check_parse(&result);
            let must_verify = acct.api_version == CcpaymentVersion::V1;
            let accepted = (success && shaped && (genuine || !must_verify)) || nothing;
            assert_eq!(result.is_ok(), accepted, "{key} {op}: {result:?}");
            if success && must_verify && !genuine {
                assert_eq!(f::code(&result), Some(ErrorCode::ProviderSignatureInvalid));
            }
            check(lookup, &result, &resp, &body, code);

            let result = providers::parse_response(account, &op, &signed);
            f::check_parse(&result);
            assert_eq!(result.is_ok(), (success && shaped) || nothing, "{key} {op} correctly signed: {result:?}");
            check(lookup, &result, &signed, &body, code);
        }
    }
});

/// The look-ups whose answer is one record (v2 accounts).
const LOOKUPS: &[&str] = &["get-deposit-record", "get-withdraw-record"];
/// CCPayment's "not found", a look-up's answer that nothing matched.
const NOT_FOUND: i64 = 11003;

/// The record object of a successful look-up's body (`data.record`), if it has one.
fn record_of(body: &Option<Value>) -> Option<&serde_json::Map<String, Value>> {
    body.as_ref()?.get("data")?.get("record")?.as_object()
}

fn check(
    lookup: bool,
    result: &Result<providers::Outcome, callback_desk::Error>,
    resp: &providers::RawResponse,
    body: &Option<Value>,
    code: Option<i64>,
) {
    if f::check_redirect(resp.status, result) {
        return;
    }
    match result {
        Ok(o) if lookup => match record_of(body).filter(|_| code == Some(10000)) {
            // The record as CCPayment gave it, marked with the resend that sends its webhook again.
            Some(given) => {
                let record = o.result["record"].as_object().expect("a record");
                for (k, v) in given {
                    if k != "resend_operation" {
                        assert_eq!(record.get(k), Some(v), "record field {k} changed");
                    }
                }
                assert_eq!(record.len(), given.len() + usize::from(!given.contains_key("resend_operation")));
                assert_eq!(record["resend_operation"], "resend-webhooks");
            }
            None => {
                assert_eq!(code, Some(NOT_FOUND));
                assert!(o.result["record"].is_null(), "nothing matched: {}", o.result);
            }
        },
        Err(e) if lookup && code == Some(10000) && resp.status == 200 && record_of(body).is_none() => {
            assert!(matches!(e.code, ErrorCode::ProviderMalformedResponse | ErrorCode::ProviderSignatureInvalid), "{e:?}");
        }
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
