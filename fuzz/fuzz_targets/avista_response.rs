//! Avista response parsers: `providers::parse_response` (→ `avista::ops::parse`) for every operation, and
//! the token parser `avista::ops::parse_token` with the token cache's expiry arithmetic (`Token::
//! expires_at_ms`, `token_usable`), which any `expires_in` the provider sends must survive.
//!
//! A token answer is accepted exactly when it is 200/201 with a non-empty `access_token`; the parsed
//! result never carries the token; documented statuses map to their codes.
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::providers;
use callback_desk::providers::avista::ops;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let Some(resp) = f::response(data) else { return };
    let account = f::account("avista");
    let body = f::json(&resp.body);

    // The token parser, and what the engine does with a token (cache it, look it up).
    let token_text =
        body.as_ref().and_then(|v| v.get("access_token")).and_then(Value::as_str).filter(|t| !t.is_empty());
    let token_ok = (resp.status == 200 || resp.status == 201) && token_text.is_some();
    match ops::parse_token(&resp) {
        Ok(tok) => {
            assert!(token_ok);
            assert_eq!(Some(tok.access_token.expose()), token_text);
            // The cache's expiry arithmetic (the cache itself also registers the token with the log
            // scrubber, a process-wide list that would grow with every run).
            let now = f::RECEIVED_AT_MS;
            let expires_at = tok.expires_at_ms(now);
            assert_eq!(expires_at >= now, tok.expires_in >= 0);
            assert_eq!(providers::bearer::token_usable(expires_at, now), tok.expires_in > providers::bearer::TOKEN_REFRESH_MARGIN_MS / 1000);
        }
        Err(e) => {
            assert!(!token_ok, "token answer rejected: {e}");
            f::check_error(&e);
        }
    }

    for op in f::operations(account) {
        let result = providers::parse_response(account, &op, &resp);
        f::check_parse(&result);
        if f::check_redirect(resp.status, &result) {
            continue;
        }
        if op == ops::GET_TOKEN {
            assert_eq!(result.is_ok(), token_ok);
            if let Ok(o) = &result {
                let expires_in = body.as_ref().unwrap().get("expires_in").and_then(Value::as_i64).unwrap_or(1800);
                assert_eq!(
                    o.result,
                    json!({"token_type": "Bearer", "expires_in": expires_in}),
                    "only these, never the token"
                );
            }
            if !(resp.status == 200 || resp.status == 201) {
                check_status(&result.unwrap_err(), resp.status, &body);
            }
        } else {
            assert_eq!(result.is_ok(), resp.status == 200 && body.as_ref().is_some_and(Value::is_object));
            match &result {
                Ok(o) => {
                    let v = body.as_ref().unwrap();
                    for k in ["message", "webhookLogId", "sentAt", "statusCode"] {
                        assert_eq!(o.result[k], v.get(k).cloned().unwrap_or(Value::Null));
                    }
                }
                Err(e) if resp.status != 200 => check_status(e, resp.status, &body),
                Err(e) => assert_eq!(e.code, ErrorCode::ProviderMalformedResponse),
            }
        }
    }
});

/// Avista's documented statuses and their codes.
fn check_status(e: &callback_desk::Error, status: u16, body: &Option<Value>) {
    let expect = match status {
        400 => ErrorCode::ProviderNoWebhookUrl,
        401 => ErrorCode::AuthTokenRejected,
        403 => ErrorCode::AuthPermissionDenied,
        404 => ErrorCode::ProviderNotFound,
        429 => ErrorCode::ProviderRateLimited,
        502 => ErrorCode::ProviderDestinationError,
        504 => ErrorCode::ProviderDestinationTimeout,
        s if s >= 500 => ErrorCode::ProviderServerError,
        s if body.is_none() || (200..300).contains(&s) => ErrorCode::ProviderMalformedResponse,
        _ => ErrorCode::ProviderBusinessError,
    };
    assert_eq!(e.code, expect, "HTTP {status}");
    if status == 502 {
        if let Some(d) = e.params.get("destination_status") {
            assert!(d.is_i64());
        }
    }
}
