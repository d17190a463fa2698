//! Ceffu operations: `resend-webhooks` (POST /open-api/entity/webhook/resend).

use super::sign;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util;
use super::account::CeffuAccount;
use crate::providers::{BuildCtx, HttpMethod, Outcome, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};

pub const RESEND_WEBHOOKS: &str = "resend-webhooks";

/// Body = the params in the order given (validated: `webhookId` kept a string because it is a 19-digit
/// id, `eventType` a string `"1"`–`"4"`, `resendFromDateTime` integer ms), then `timestamp` (ms of this
/// attempt) appended **last**. Serialised once; those exact bytes are signed and sent.
pub fn build(
    acct: &CeffuAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    if operation != RESEND_WEBHOOKS {
        return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", operation));
    }
    util::reject_unknown(params, &["webhookId", "eventType", "resendFromDateTime", "coinSymbol", "timestamp"])?;
    util::req_string(params, "webhookId")?;
    util::req_string(params, "eventType")?;
    util::opt_choice(params, "eventType", &["1", "2", "3", "4"])?;
    let from = util::req_i64(params, "resendFromDateTime")?;
    if from < 1_000_000_000_000 {
        return Err(Error::invalid_field("resendFromDateTime", "not_millis"));
    }
    let mut body = Map::new();
    for (k, _) in params.iter() {
        match k.as_str() {
            "timestamp" => {}
            "resendFromDateTime" => {
                body.insert(k.clone(), json!(from));
            }
            _ => {
                if let Some(s) = util::opt_string(params, k)? {
                    body.insert(k.clone(), json!(s));
                }
            }
        }
    }
    body.insert("timestamp".into(), json!(ctx.now_ms));
    let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| Error::internal(e.to_string()))?;
    let signature = sign::sign(&acct.private_key, &bytes);
    Ok(SignedRequest {
        method: HttpMethod::Post,
        url: util::join_url(&acct.base_url, "/open-api/entity/webhook/resend"),
        headers: vec![
            ("open-apikey".into(), acct.api_key.expose().to_owned()),
            ("signature".into(), signature),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(bytes),
    })
}

/// HTTP 200 with `code == "000000"` is success; HTTP 200 with any other code is a business error mapped
/// by its `G2xxxx` code. `x-request-id` (what Ceffu support asks for) is kept in the result and errors.
pub fn parse(operation: &str, resp: &RawResponse) -> Result<Outcome> {
    let _ = operation;
    let request_id = resp.header("x-request-id").map(str::to_owned);
    let v: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let code = v.as_ref().and_then(|v| v.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let message = v.as_ref().and_then(|v| v.get("message")).and_then(Value::as_str).map(str::to_owned);
    if resp.status == 200 && code.as_deref() == Some("000000") {
        let v = v.unwrap_or(Value::Null);
        return Ok(Outcome {
            result: json!({
                "data": v.get("data").cloned().unwrap_or(Value::Null),
                "code": "000000",
                "message": message,
                "request_id": request_id,
            }),
        });
    }
    let mut e = match code.as_deref() {
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
            s if code.as_deref().is_some_and(|c| c != "000000") => {
                Error::new(ErrorCode::ProviderBusinessError).with("status", s)
            }
            // No error code, and not the documented success (HTTP 200 with "000000"): not JSON, another
            // shape, or "000000" with another status. Nothing says what Ceffu did.
            s => Error::new(ErrorCode::ProviderMalformedResponse).with("status", s),
        },
    };
    if let Some(c) = &code {
        e = e.with("provider_code", c.as_str());
    }
    if let Some(id) = request_id {
        e = e.with("request_id", id);
    }
    let detail = match (&code, &message) {
        (Some(c), Some(m)) => format!("{c} {m}"),
        (None, Some(m)) => m.clone(),
        _ => util::body_detail(&resp.body),
    };
    Err(e.detail(detail))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn acct() -> CeffuAccount {
        let key = include_str!("../../../tests/fixtures/ceffu_test_key.pem");
        let j = json!({"provider":"ceffu","base_url":"https://open-api.ceffu.com","api_key":"TESTAPIKEY","private_key":key});
        crate::providers::account::with_source(&j, |s| CeffuAccount::parse(s).unwrap())
    }

    #[test]
    fn vector_1_request_is_exact() {
        let v: Value = serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap();
        let c = &v["ceffu"];
        let r = build(&acct(), RESEND_WEBHOOKS, c["params"].as_object().unwrap(), &BuildCtx::at(1_699_256_508_000))
            .unwrap();
        assert_eq!(r.url, "https://open-api.ceffu.com/open-api/entity/webhook/resend");
        assert_eq!(r.body_text().unwrap(), c["body"].as_str().unwrap());
        assert_eq!(r.header("signature"), c["signature"].as_str());
        assert_eq!(r.header("open-apikey"), Some("TESTAPIKEY"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
    }

    #[test]
    fn timestamp_is_appended_last_and_refreshed() {
        let p = json!({"timestamp": 1, "eventType": 3, "webhookId": "9", "resendFromDateTime": "1699256508000"});
        let r = build(&acct(), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(1_700_000_000_123)).unwrap();
        assert_eq!(
            r.body_text().unwrap(),
            r#"{"eventType":"3","webhookId":"9","resendFromDateTime":1699256508000,"timestamp":1700000000123}"#
        );
        let r2 = build(&acct(), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(1_700_000_000_124)).unwrap();
        assert_ne!(r.header("signature"), r2.header("signature"));
        let bad = json!({"webhookId": "9", "eventType": "5", "resendFromDateTime": 1699256508000i64});
        assert_eq!(
            build(&acct(), RESEND_WEBHOOKS, bad.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["field"],
            "eventType"
        );
        let missing = json!({"eventType": "1", "resendFromDateTime": 1699256508000i64});
        assert_eq!(
            build(&acct(), RESEND_WEBHOOKS, missing.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().code,
            ErrorCode::InputMissing
        );
    }

    #[test]
    fn parses_success_and_keeps_request_id() {
        let r = RawResponse::new(
            200,
            &[("x-request-id", "req-123")],
            r#"{"data": true, "code": "000000", "message": "Success"}"#,
        );
        let out = parse(RESEND_WEBHOOKS, &r).unwrap();
        assert_eq!(out.result, json!({"data": true, "code": "000000", "message": "Success", "request_id": "req-123"}));
    }

    #[test]
    fn maps_business_errors_and_statuses() {
        let cases: &[(u16, &str, ErrorCode)] = &[
            (200, "G20007", ErrorCode::AuthClockSkew),
            (200, "G20009", ErrorCode::AuthSignatureRejected),
            (200, "G20012", ErrorCode::ProviderRateLimited),
            (200, "G20015", ErrorCode::AuthReplayRejected),
            (200, "G20010", ErrorCode::AuthInvalidApiKey),
            (200, "G20011", ErrorCode::AuthIpNotAllowed),
            (200, "G20013", ErrorCode::AuthPermissionDenied),
            (200, "G20016", ErrorCode::AuthPermissionDenied),
            (200, "G20005", ErrorCode::ProviderInvalidParameter),
            (200, "G20006", ErrorCode::AuthMissingCredentials),
            (200, "G20008", ErrorCode::AuthMissingCredentials),
            (200, "G20001", ErrorCode::ProviderServerError),
            (200, "G20030", ErrorCode::ProviderBusinessError),
        ];
        for (status, code, expect) in cases {
            let body = format!(r#"{{"data":null,"code":"{code}","message":"msg {code}"}}"#);
            let e = parse(RESEND_WEBHOOKS, &RawResponse::new(*status, &[("x-request-id", "rid")], body)).unwrap_err();
            assert_eq!(e.code, *expect, "{code}");
            assert_eq!(e.params["provider_code"], *code);
            assert_eq!(e.params["request_id"], "rid");
            assert_eq!(e.detail.as_deref(), Some(format!("{code} msg {code}").as_str()));
        }
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(429, &[], "Too Many Requests")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderRateLimited);
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(500, &[], "")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderServerError);
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(200, &[], "<html>")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderMalformedResponse);
        // JSON of another shape, or the success code with another status, is not an answer either.
        for (status, body) in [(200, r#"{"data":true}"#), (202, r#"{"code":"000000"}"#), (418, "{}")] {
            let e = parse(RESEND_WEBHOOKS, &RawResponse::new(status, &[], body)).unwrap_err();
            assert_eq!(e.code, ErrorCode::ProviderMalformedResponse, "{status} {body}");
        }
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(418, &[], r#"{"code":"X1"}"#)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderBusinessError, "an undocumented code of Ceffu's is its refusal");
        let e = parse(RESEND_WEBHOOKS, &RawResponse::new(404, &[], "")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderNotFound);
    }
}
