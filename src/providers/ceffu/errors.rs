//! Ceffu's answers that are not the documented success (HTTP 200 with `"code": "000000"`): its `G2xxxx`
//! codes and HTTP statuses mapped to stable error codes, with the `x-request-id` Ceffu support asks for.

use crate::error::{Error, ErrorCode};
use crate::providers::util;
use crate::providers::RawResponse;

/// The error of an answer that is not a success: its code (`"G20007"`…, when it has one) and message.
pub fn answer_error(resp: &RawResponse, code: Option<&str>, message: Option<&str>, request_id: Option<String>) -> Error {
    let mut e = match code {
        Some("G20007") => match util::skew_seconds(resp.header("Date"), resp.received_at_ms) {
            Some(skew) => map_code("G20007").with("skew_seconds", skew),
            None => map_code("G20007"),
        },
        Some(c) if c.starts_with('G') => map_code(c),
        _ => match resp.status {
            400 => Error::new(ErrorCode::ProviderInvalidParameter),
            401 => Error::new(ErrorCode::AuthSignatureRejected),
            403 => Error::new(ErrorCode::AuthPermissionDenied),
            404 => Error::new(ErrorCode::ProviderNotFound),
            429 => Error::new(ErrorCode::ProviderRateLimited),
            s if s >= 500 => Error::new(ErrorCode::ProviderServerError).with("status", s),
            // A code of Ceffu's own that it does not document: its refusal.
            s if code.is_some_and(|c| c != "000000") => Error::new(ErrorCode::ProviderBusinessError).with("status", s),
            // No error code, and not the documented success (HTTP 200 with "000000"): not JSON, another
            // shape, or "000000" with another status. Nothing says what Ceffu did.
            s => Error::new(ErrorCode::ProviderMalformedResponse).with("status", s),
        },
    };
    if let Some(c) = code {
        e = e.with("provider_code", c);
    }
    if let Some(id) = request_id {
        e = e.with("request_id", id);
    }
    let detail = match (code, message) {
        (Some(c), Some(m)) => format!("{c} {m}"),
        (None, Some(m)) => m.to_owned(),
        _ => util::body_detail(&resp.body),
    };
    e.detail(detail)
}

/// Ceffu's documented `G2xxxx` codes (Error Codes page, 21-Oct-2024).
pub fn map_code(code: &str) -> Error {
    let c = match code {
        "G20001" => ErrorCode::ProviderServerError,
        "G20002" | "G20005" | "G20014" => ErrorCode::ProviderInvalidParameter,
        "G20006" | "G20008" => ErrorCode::AuthMissingCredentials,
        "G20007" => ErrorCode::AuthClockSkew,
        "G20009" => ErrorCode::AuthSignatureRejected,
        "G20010" => ErrorCode::AuthInvalidApiKey,
        "G20011" => ErrorCode::AuthIpNotAllowed,
        "G20012" => ErrorCode::ProviderRateLimited,
        "G20013" | "G20016" => ErrorCode::AuthPermissionDenied,
        "G20015" => ErrorCode::AuthReplayRejected,
        _ => ErrorCode::ProviderBusinessError,
    };
    Error::new(c)
}

