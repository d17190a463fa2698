//! Ceffu response parser (`providers::parse_response` → `ceffu::ops::parse`), every operation.
//!
//! Success is exactly HTTP 200 with `"code": "000000"`; the `x-request-id` Ceffu support asks for is kept
//! in the result and in every error; a `G2xxxx` code is kept as `provider_code`.
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::providers;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some(resp) = f::response(data) else { return };
    let account = f::account("ceffu");
    let body = f::json(&resp.body);
    let code = body.as_ref().and_then(|v| v.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let request_id = f::header(&resp.headers, "x-request-id");
    let success = resp.status == 200 && code.as_deref() == Some("000000");

    for op in f::operations(account) {
        let result = providers::parse_response(account, &op, &resp);
        f::check_parse(&result);
        assert_eq!(result.is_ok(), success, "{result:?}");
        if f::check_redirect(resp.status, &result) {
            continue;
        }
        match &result {
            Ok(o) => {
                assert_eq!(o.result["code"], "000000");
                assert_eq!(o.result["request_id"].as_str(), request_id);
                assert_eq!(o.result["data"], body.as_ref().unwrap().get("data").cloned().unwrap_or(Value::Null));
            }
            Err(e) => {
                assert_eq!(e.params.get("request_id").and_then(Value::as_str), request_id);
                assert_eq!(e.params.get("provider_code").and_then(Value::as_str), code.as_deref());
                if code.as_deref().is_some_and(|c| c.starts_with('G')) {
                    assert_eq!(e.code, providers::ceffu::ops::map_code(code.as_deref().unwrap()).code);
                } else {
                    let by_status = match resp.status {
                        400 => Some(ErrorCode::ProviderInvalidParameter),
                        401 => Some(ErrorCode::AuthSignatureRejected),
                        403 => Some(ErrorCode::AuthPermissionDenied),
                        404 => Some(ErrorCode::ProviderNotFound),
                        429 => Some(ErrorCode::ProviderRateLimited),
                        s if s >= 500 => Some(ErrorCode::ProviderServerError),
                        // No code of Ceffu's, and not its documented success: unreadable.
                        _ if code.is_none() || code.as_deref() == Some("000000") => {
                            Some(ErrorCode::ProviderMalformedResponse)
                        }
                        _ => Some(ErrorCode::ProviderBusinessError),
                    };
                    if let Some(c) = by_status {
                        assert_eq!(e.code, c, "HTTP {} → {e}", resp.status);
                    }
                }
            }
        }
    }
});
