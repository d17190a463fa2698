//! Fireblocks answers: each operation's result from its documented answer, rows made ready for the
//! window (a tone per status, how to resend a row), and every documented error mapped to a stable code.
//! Error bodies are `{"message": string, "code": number}`; the message says which check failed.

use super::ops::*;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util;
use crate::providers::{Outcome, RawResponse};
use serde_json::{json, Map, Value};

/// How far the computer's clock may be from Fireblocks' before a rejected token is put down to it.
const SKEW_TOLERANCE_SECS: i64 = 25;

pub fn parse(operation: &str, resp: &RawResponse) -> Result<Outcome> {
    if !(200..300).contains(&resp.status) {
        return Err(map_error(resp));
    }
    let result = match operation {
        RESEND_FAILED => {
            let v = json_object(resp)?;
            let total = v.get("total").and_then(Value::as_i64).ok_or_else(|| malformed(resp))?;
            let job = resp.header("Location").and_then(job_of_location);
            // 200: nothing failed in the window; 202: a job resends them (its URL in `Location`).
            match (resp.status, job) {
                (202, Some(job)) => json!({"total": total, "jobId": job}),
                (202, None) => return Err(malformed(resp).detail("202 without the job's Location")),
                _ => json!({"total": total, "jobId": null}),
            }
        }
        GET_RESEND_JOB => {
            let v = json_object(resp)?;
            for k in ["jobId", "status", "processed", "total"] {
                if v.get(k).is_none_or(Value::is_null) {
                    return Err(malformed(resp));
                }
            }
            Value::Object(v)
        }
        // Accepted (202) with no body; a body that is there must at least be JSON.
        RESEND_NOTIFICATION | RESEND_BY_RESOURCE => {
            if !resp.body.iter().all(u8::is_ascii_whitespace) && serde_json::from_slice::<Value>(&resp.body).is_err() {
                return Err(malformed(resp));
            }
            json!({"accepted": true})
        }
        LIST_NOTIFICATIONS => page(resp, "notifications", notification_row)?,
        GET_ATTEMPTS => page(resp, "attempts", attempt_row)?,
        LIST_WEBHOOKS => page(resp, "webhooks", |w| w)?,
        GET_TRANSACTION | GET_TRANSACTION_BY_EXTERNAL_ID => {
            let tx = json_object(resp)?;
            if tx.get("id").and_then(Value::as_str).is_none() {
                return Err(malformed(resp));
            }
            json!({"transaction": transaction_row(tx)})
        }
        RESEND_FAILED_V1 => {
            let v = json_object(resp)?;
            json!({"messagesCount": v.get("messagesCount").and_then(Value::as_i64).ok_or_else(|| malformed(resp))?})
        }
        RESEND_TRANSACTION_V1 => {
            let v = json_object(resp)?;
            match v.get("success").and_then(Value::as_bool) {
                Some(true) => json!({"success": true}),
                // Fireblocks' own answer that it did not resend them.
                Some(false) => {
                    return Err(Error::new(ErrorCode::ProviderBusinessError)
                        .with("status", resp.status)
                        .detail(util::body_detail(&resp.body)))
                }
                None => return Err(malformed(resp)),
            }
        }
        other => return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", other)),
    };
    Ok(Outcome { result })
}

/// The job id at the end of a `Location` such as `/v1/webhooks/{id}/notifications/resend_failed/jobs/{jobId}`.
pub fn job_of_location(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next()?.trim_end_matches('/');
    let (before, last) = path.rsplit_once('/')?;
    (before.ends_with("/jobs") && !last.is_empty())
        .then(|| percent_encoding::percent_decode_str(last).decode_utf8_lossy().into_owned())
}

fn json_object(resp: &RawResponse) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(malformed(resp)),
    }
}

fn malformed(resp: &RawResponse) -> Error {
    Error::new(ErrorCode::ProviderMalformedResponse).with("status", resp.status).detail(util::body_detail(&resp.body))
}

/// A page `{"data": [...], "next": cursor | null}` as `{<rows>: [...], "next": cursor}`.
fn page(resp: &RawResponse, rows: &str, row: fn(Map<String, Value>) -> Map<String, Value>) -> Result<Value> {
    let v = json_object(resp)?;
    let Some(Value::Array(data)) = v.get("data") else { return Err(malformed(resp)) };
    let list: Vec<Value> = data
        .iter()
        .map(|d| match d {
            Value::Object(m) => Ok(Value::Object(row(m.clone()))),
            _ => Err(malformed(resp)),
        })
        .collect::<Result<_>>()?;
    let next = v.get("next").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert(rows.to_owned(), Value::Array(list));
    out.insert("next".into(), next);
    Ok(Value::Object(out))
}

/// A notification row: its tone, and how it is resent (one notification, by its id).
fn notification_row(mut n: Map<String, Value>) -> Map<String, Value> {
    let tone = match n.get("status").and_then(Value::as_str) {
        Some("COMPLETED") => "succeeded",
        Some("FAILED") => "failed",
        _ => "pending",
    };
    n.insert("tone".into(), tone.into());
    n.insert("resend_operation".into(), RESEND_NOTIFICATION.into());
    n
}

/// An attempt row: what happened in one word (`outcome`), for its label.
fn attempt_row(mut a: Map<String, Value>) -> Map<String, Value> {
    let outcome = match (a.get("responseCode").and_then(Value::as_i64), a.get("failureReason").and_then(Value::as_str)) {
        (Some(c), _) if (200..300).contains(&c) => "DELIVERED".to_owned(),
        (Some(_), _) => "HTTP_ERROR".to_owned(),
        (None, Some(r)) => r.to_owned(),
        (None, None) => "unknown".to_owned(),
    };
    a.insert("outcome".into(), outcome.into());
    a
}

/// A transaction row: its tone, its amount, and how its webhooks are resent (every notification of it).
fn transaction_row(mut tx: Map<String, Value>) -> Map<String, Value> {
    let tone = match tx.get("status").and_then(Value::as_str) {
        Some("COMPLETED") => "succeeded",
        Some("FAILED" | "REJECTED" | "CANCELLED" | "BLOCKED" | "TIMEOUT") => "failed",
        _ => "pending",
    };
    tx.insert("tone".into(), tone.into());
    let amount = tx.get("amountInfo").and_then(|a| a.get("amount")).cloned().or_else(|| tx.get("amount").cloned());
    if let Some(a) = amount {
        tx.insert("amount_text".into(), a.as_str().map_or_else(|| a.to_string(), str::to_owned).into());
    }
    tx.insert("resend_operation".into(), RESEND_BY_RESOURCE.into());
    tx
}

/// Fireblocks' documented statuses: 400 invalid request, 401 the JWT or API key rejected, 403 the API
/// user's role does not allow it, 404 not found, 429 rate limit, 5xx its own failure.
pub fn map_error(resp: &RawResponse) -> Error {
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let message = v.as_ref().and_then(|v| v.get("message")).and_then(Value::as_str).unwrap_or_default().to_owned();
    let code = v.as_ref().and_then(|v| v.get("code")).filter(|c| c.is_number() || c.is_string()).cloned();
    let lower = message.to_ascii_lowercase();
    let skew = util::skew_seconds(resp.header("Date"), resp.received_at_ms);
    let mut e = match resp.status {
        400 => Error::new(ErrorCode::ProviderInvalidParameter),
        401 => {
            let far = skew.is_some_and(|s| s.abs() > SKEW_TOLERANCE_SECS);
            if far || ["expired", "issued in the future", "iat", "not yet valid"].iter().any(|w| lower.contains(w)) {
                let e = Error::new(ErrorCode::AuthClockSkew).with("window_seconds", super::sign::TOKEN_LIFETIME_SECS);
                match skew {
                    Some(s) => e.with("skew_seconds", s),
                    None => e,
                }
            } else if lower.contains("nonce") {
                Error::new(ErrorCode::AuthReplayRejected)
            } else if lower.contains("api key") || lower.contains("api-key") || lower.contains("apikey") {
                Error::new(ErrorCode::AuthInvalidApiKey)
            } else {
                Error::new(ErrorCode::AuthSignatureRejected)
            }
        }
        403 => Error::new(ErrorCode::AuthPermissionDenied),
        404 => Error::new(ErrorCode::ProviderNotFound),
        429 => Error::new(ErrorCode::ProviderRateLimited),
        s if s >= 500 => Error::new(ErrorCode::ProviderServerError).with("status", s),
        s if v.is_none() => Error::new(ErrorCode::ProviderMalformedResponse).with("status", s),
        s => Error::new(ErrorCode::ProviderBusinessError).with("status", s),
    };
    if let Some(c) = code {
        e = e.with("provider_code", c);
    }
    e.detail(if message.is_empty() { util::body_detail(&resp.body) } else { message })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(op: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Value {
        parse(op, &RawResponse::new(status, headers, body)).unwrap().result
    }

    fn err(op: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Error {
        parse(op, &RawResponse::new(status, headers, body)).unwrap_err()
    }

    #[test]
    fn documented_answers() {
        let loc = "/v1/webhooks/44fc/notifications/resend_failed/jobs/123e4567-e89b-12d3-a456-426614174000";
        assert_eq!(
            ok(RESEND_FAILED, 202, &[("Location", loc)], r#"{"total":5}"#),
            json!({"total": 5, "jobId": "123e4567-e89b-12d3-a456-426614174000"})
        );
        assert_eq!(ok(RESEND_FAILED, 200, &[], r#"{"total":0}"#), json!({"total": 0, "jobId": null}));
        // Accepted as a job without saying which: nothing tells what Fireblocks does.
        assert_eq!(err(RESEND_FAILED, 202, &[], r#"{"total":5}"#).code, ErrorCode::ProviderMalformedResponse);
        let job = r#"{"jobId":"j","status":"IN_PROGRESS","processed":2,"total":5}"#;
        assert_eq!(ok(GET_RESEND_JOB, 200, &[], job)["processed"], 2);
        assert_eq!(err(GET_RESEND_JOB, 200, &[], r#"{"jobId":"j"}"#).code, ErrorCode::ProviderMalformedResponse);
        assert_eq!(ok(RESEND_NOTIFICATION, 202, &[], ""), json!({"accepted": true}));
        assert_eq!(ok(RESEND_BY_RESOURCE, 202, &[], ""), json!({"accepted": true}));
        assert_eq!(ok(RESEND_BY_RESOURCE, 202, &[], "{}"), json!({"accepted": true}));
        // Cut short: nothing says what Fireblocks accepted.
        assert_eq!(err(RESEND_BY_RESOURCE, 202, &[], r#"{""#).code, ErrorCode::ProviderMalformedResponse);
        let page = r#"{"data":[{"id":"n1","status":"FAILED","eventType":"transaction.created","resourceId":"t","createdAt":1,"updatedAt":2}],"next":"c1"}"#;
        let v = ok(LIST_NOTIFICATIONS, 200, &[], page);
        assert_eq!(v["next"], "c1");
        assert_eq!(v["notifications"][0]["tone"], "failed");
        assert_eq!(v["notifications"][0]["resend_operation"], RESEND_NOTIFICATION);
        assert_eq!(ok(LIST_NOTIFICATIONS, 200, &[], r#"{"data":[],"next":null}"#)["next"], Value::Null);
        let attempts = r#"{"data":[{"sentTime":1,"duration":10000,"failureReason":"TIMED_OUT"},{"sentTime":2,"duration":5,"responseCode":200},{"sentTime":3,"duration":5,"responseCode":502}],"next":null}"#;
        let v = ok(GET_ATTEMPTS, 200, &[], attempts);
        let outcomes: Vec<&str> = v["attempts"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["TIMED_OUT", "DELIVERED", "HTTP_ERROR"]);
        let tx = r#"{"id":"t","status":"COMPLETED","amountInfo":{"amount":"12.5"},"assetId":"BTC"}"#;
        let v = ok(GET_TRANSACTION, 200, &[], tx);
        assert_eq!((&v["transaction"]["amount_text"], &v["transaction"]["tone"]), (&json!("12.5"), &json!("succeeded")));
        assert_eq!(v["transaction"]["resend_operation"], RESEND_BY_RESOURCE);
        assert_eq!(ok(RESEND_FAILED_V1, 200, &[], r#"{"messagesCount":3}"#), json!({"messagesCount": 3}));
        assert_eq!(ok(RESEND_TRANSACTION_V1, 200, &[], r#"{"success":true}"#), json!({"success": true}));
        assert_eq!(err(RESEND_TRANSACTION_V1, 200, &[], r#"{"success":false}"#).code, ErrorCode::ProviderBusinessError);
        assert_eq!(err(GET_TRANSACTION, 200, &[], "not json").code, ErrorCode::ProviderMalformedResponse);
    }

    #[test]
    fn documented_errors() {
        let cases: &[(u16, &str, ErrorCode)] = &[
            (401, r#"{"message":"invalid signature","code":-1}"#, ErrorCode::AuthSignatureRejected),
            (401, r#"{"message":"invalid signature: bodyHash does not match the request body","code":-1}"#, ErrorCode::AuthSignatureRejected),
            (401, r#"{"message":"invalid signature: uri does not match the request","code":-1}"#, ErrorCode::AuthSignatureRejected),
            (401, r#"{"message":"Unauthorized: token expired","code":-1}"#, ErrorCode::AuthClockSkew),
            (401, r#"{"message":"Unauthorized: token issued in the future","code":-1}"#, ErrorCode::AuthClockSkew),
            (401, r#"{"message":"Unauthorized: nonce already used","code":-1}"#, ErrorCode::AuthReplayRejected),
            (401, r#"{"message":"Unauthorized: missing or unknown API key","code":-1}"#, ErrorCode::AuthInvalidApiKey),
            (403, r#"{"message":"The API key doesn't have the necessary permissions","code":-1}"#, ErrorCode::AuthPermissionDenied),
            (400, r#"{"message":"startTime must be within the last 24 hours","code":400}"#, ErrorCode::ProviderInvalidParameter),
            (404, r#"{"message":"Transaction not found","code":404}"#, ErrorCode::ProviderNotFound),
            (429, r#"{"message":"Too many requests","code":429}"#, ErrorCode::ProviderRateLimited),
            (500, r#"{"message":"Internal Server Error","code":500}"#, ErrorCode::ProviderServerError),
            (409, "<html>", ErrorCode::ProviderMalformedResponse),
        ];
        for (status, body, code) in cases {
            let e = err(GET_TRANSACTION, *status, &[], body);
            assert_eq!(e.code, *code, "{status} {body}");
        }
        let e = err(GET_TRANSACTION, 401, &[], r#"{"message":"invalid signature","code":-1}"#);
        assert_eq!((e.params["provider_code"].clone(), e.detail.as_deref()), (json!(-1), Some("invalid signature")));
        // Whatever the message, a 401 from a server whose clock is far from ours is the clock: with how far.
        let mut r = RawResponse::new(401, &[("Date", "Tue, 14 Nov 2023 22:13:20 GMT")], r#"{"message":"invalid signature","code":-1}"#);
        r.received_at_ms = 1_700_000_000_000 + 95_000;
        let e = parse(GET_TRANSACTION, &r).unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthClockSkew);
        assert_eq!((e.params["skew_seconds"].clone(), e.params["window_seconds"].clone()), (json!(95), json!(30)));
        r.received_at_ms = 1_700_000_000_000 + 3_000;
        assert_eq!(parse(GET_TRANSACTION, &r).unwrap_err().code, ErrorCode::AuthSignatureRejected);
    }

    #[test]
    fn the_job_is_the_end_of_its_location() {
        assert_eq!(job_of_location("https://api.fireblocks.io/v1/webhooks/w/notifications/resend_failed/jobs/j%201?x=1").as_deref(), Some("j 1"));
        assert_eq!(job_of_location("/v1/webhooks/w/notifications/resend_failed/jobs/"), None);
        assert_eq!(job_of_location("/v1/webhooks/w"), None);
    }
}
