//! CYBAVO's error answers (`{"error", "error_code", "message"}`, statuses 400/403/404/429/5xx) mapped to
//! stable error codes, for every operation alike.

use crate::error::{Error, ErrorCode};
use crate::providers::util;
use crate::providers::RawResponse;
use serde_json::Value;

/// Maps a non-200 CYBAVO answer (`{"error", "error_code", "message"}`) to a stable code.
pub fn map_error(resp: &RawResponse) -> Error {
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let s = |k: &str| v.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).unwrap_or("").to_owned();
    let error_code = v.as_ref().and_then(|v| v.get("error_code")).and_then(Value::as_i64);
    let has_text = |k: &str| !s(k).is_empty();
    let text = {
        let e = s("error");
        if e.is_empty() {
            let m = s("message");
            if m.is_empty() {
                util::body_detail(&resp.body)
            } else {
                m
            }
        } else {
            e
        }
    };
    let detail = text.clone();
    let e = if let Some(rest) = text.strip_prefix("Forbidden. Call too frequently") {
        let n: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        let mut e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute");
        if let Ok(n) = n.parse::<i64>() {
            e = e.with("limit", n);
        }
        e
    } else if text.starts_with("Forbidden. Invalid timestamp") {
        let mut e = Error::new(ErrorCode::AuthClockSkew);
        if let Some(skew) = util::skew_seconds(resp.header("Date"), resp.received_at_ms) {
            e = e.with("skew_seconds", skew);
        }
        e
    } else if text.starts_with("Forbidden. Invalid checksum") {
        Error::new(ErrorCode::AuthReplayRejected)
    } else if text.contains("Checksum unmatch") {
        Error::new(ErrorCode::AuthSignatureRejected)
    } else if text.starts_with("Forbidden. Header not found") {
        Error::new(ErrorCode::AuthMissingCredentials)
    } else if text.starts_with("Forbidden. Invalid API code") || text.starts_with("Invalid API code for wallet") {
        Error::new(ErrorCode::AuthInvalidApiKey)
    } else if error_code == Some(385) || text.starts_with("API Secret not valid") {
        Error::new(ErrorCode::AuthPermissionDenied)
    } else if text.starts_with("Forbidden. Invalid wallet ID")
        || text.starts_with("Forbidden. Invalid ID")
        || error_code == Some(304)
        || text.starts_with("Wallet ID invalid")
    {
        Error::new(ErrorCode::ProviderWalletInvalid)
    } else if error_code == Some(112) || text.starts_with("Invalid parameter") || resp.status == 400 {
        Error::new(ErrorCode::ProviderInvalidParameter)
    } else if resp.status == 404 {
        Error::new(ErrorCode::ProviderNotFound)
    } else if resp.status == 429 {
        Error::new(ErrorCode::ProviderRateLimited)
    } else if resp.status >= 500 {
        Error::new(ErrorCode::ProviderServerError).with("status", resp.status)
    } else if (200..300).contains(&resp.status) || !(error_code.is_some() || has_text("error") || has_text("message")) {
        // Not CYBAVO's error shape (`error`/`message`/`error_code`), or a 2xx other than the documented 200:
        // nothing says what CYBAVO did.
        Error::new(ErrorCode::ProviderMalformedResponse).with("status", resp.status)
    } else {
        Error::new(ErrorCode::ProviderBusinessError).with("status", resp.status)
    };
    let e = match error_code {
        Some(c) => e.with("provider_code", c),
        None => e,
    };
    e.detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(status: u16, body: &str) -> Error {
        map_error(&RawResponse::new(status, &[], body))
    }

    #[test]
    fn maps_the_documented_error_table() {
        let e = err(403, r#"{"error":"Forbidden. Call too frequently (30 calls/minute)"}"#);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code":"provider.rate_limited","params":{"per":"minute","limit":30},"detail":"Forbidden. Call too frequently (30 calls/minute)"})
        );
        let cases: &[(u16, &str, ErrorCode)] = &[
            (403, r#"{"error":"Forbidden. Invalid wallet ID"}"#, ErrorCode::ProviderWalletInvalid),
            (403, r#"{"error":"Forbidden. Invalid ID"}"#, ErrorCode::ProviderWalletInvalid),
            (403, r#"{"error":"Forbidden. Header not found"}"#, ErrorCode::AuthMissingCredentials),
            (403, r#"{"error":"Forbidden. Invalid timestamp"}"#, ErrorCode::AuthClockSkew),
            (403, r#"{"error":"Forbidden. Invalid checksum"}"#, ErrorCode::AuthReplayRejected),
            (403, r#"{"error":"Forbidden. Invalid API code"}"#, ErrorCode::AuthInvalidApiKey),
            (403, r#"{"error":"Invalid API code for wallet 55743"}"#, ErrorCode::AuthInvalidApiKey),
            (403, r#"{"error":"Forbidden. Checksum unmatch"}"#, ErrorCode::AuthSignatureRejected),
            (403, r#"{"error":"API Secret not valid","error_code":385}"#, ErrorCode::AuthPermissionDenied),
            (400, r#"{"error":"Invalid parameter","error_code":112}"#, ErrorCode::ProviderInvalidParameter),
            (404, r#"{"error":"Wallet ID invalid","error_code":304}"#, ErrorCode::ProviderWalletInvalid),
            (404, r#"{"error":"record not found"}"#, ErrorCode::ProviderNotFound),
            (500, "oops", ErrorCode::ProviderServerError),
            (502, "", ErrorCode::ProviderServerError),
            (418, "<html>", ErrorCode::ProviderMalformedResponse),
            (409, r#"{"error":"Order is locked"}"#, ErrorCode::ProviderBusinessError),
            (409, r#"{"result":1}"#, ErrorCode::ProviderMalformedResponse),
            (202, r#"{"count":3}"#, ErrorCode::ProviderMalformedResponse),
        ];
        for (status, body, code) in cases {
            let e = err(*status, body);
            assert_eq!(e.code, *code, "{body}");
            assert!(e.detail.is_some());
        }
        assert_eq!(err(403, r#"{"error":"API Secret not valid","error_code":385}"#).params["provider_code"], 385);
    }

    #[test]
    fn clock_skew_from_date_header() {
        let mut r = RawResponse::new(
            403,
            &[("Date", "Tue, 14 Nov 2023 22:13:20 GMT")],
            r#"{"error":"Forbidden. Invalid timestamp"}"#,
        );
        r.received_at_ms = 1_700_000_000_000 + 125_000;
        let e = map_error(&r);
        assert_eq!(e.code, ErrorCode::AuthClockSkew);
        assert_eq!(e.params["skew_seconds"], 125);
        assert_eq!(e.detail.as_deref(), Some("Forbidden. Invalid timestamp"));
    }
}
