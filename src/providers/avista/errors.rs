//! Avista's documented error statuses (token and resend calls alike) mapped to stable error codes, with
//! the destination's own status when Avista reports that your server refused a resent webhook.

use crate::error::{Error, ErrorCode};
use crate::providers::util;
use crate::providers::RawResponse;
use serde_json::Value;

/// Avista's documented statuses: 400 no webhook URL, 401 token rejected, 404 transaction not found,
/// 429 rate limit (60/min), 502 destination answered 4xx/5xx, 504 destination timed out (10 s).
pub fn map_error(resp: &RawResponse) -> Error {
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let message = v.as_ref().and_then(|v| v.get("message")).and_then(|m| match m {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => Some(a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")),
        _ => None,
    });
    let mut e = match resp.status {
        400 => Error::new(ErrorCode::ProviderNoWebhookUrl),
        401 => Error::new(ErrorCode::AuthTokenRejected),
        403 => Error::new(ErrorCode::AuthPermissionDenied),
        404 => Error::new(ErrorCode::ProviderNotFound),
        429 => Error::new(ErrorCode::ProviderRateLimited).with("limit", 60).with("per", "minute"),
        502 => Error::new(ErrorCode::ProviderDestinationError),
        504 => Error::new(ErrorCode::ProviderDestinationTimeout).with("timeout_seconds", 10),
        s if s >= 500 => Error::new(ErrorCode::ProviderServerError).with("status", s),
        // Not JSON, or a 2xx other than the documented 200: nothing says what Avista did.
        s if v.is_none() || (200..300).contains(&s) => {
            Error::new(ErrorCode::ProviderMalformedResponse).with("status", s)
        }
        s => Error::new(ErrorCode::ProviderBusinessError).with("status", s),
    };
    // The destination's own status on a 502. The documented 200 answer carries it as `statusCode`; an
    // error body may use `statusCode` for its own HTTP status (NestJS style) and name the destination's
    // `destinationStatusCode`, so a `statusCode` equal to the answer's status says nothing.
    if resp.status == 502 {
        let field = |k: &str| v.as_ref().and_then(|v| v.get(k)).and_then(Value::as_i64);
        let destination =
            field("destinationStatusCode").or_else(|| field("statusCode").filter(|c| *c != i64::from(resp.status)));
        if let Some(code) = destination {
            e = e.with("destination_status", code);
        }
    }
    e.detail(message.unwrap_or_else(|| util::body_detail(&resp.body)))
}
