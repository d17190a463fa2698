//! Test the wallet's callback endpoint (`POST …/notifications/inspect`, `{"test_number": N}`; a `VIEW`
//! call, so a read-only API code may make it): CYBAVO posts a "CONNECTION TEST" message to the endpoint
//! configured for the wallet and reports what it answered. The answer is 200 whatever the endpoint did:
//! `notification_endpoint` (and `withdrawal_authentication_endpoint`) hold either the endpoint's `url`
//! (percent-escaped), its `status_code` and its `response` body (base64), or an `error` (it could not be
//! reached, or none is set). The result keeps every field and adds the URL and the body as text.
//!
//! `test_number` is generated when not given (the attempt's Unix seconds), so the window asks nothing.

use super::{Call, Op};
use crate::error::Result;
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::params::Params;
use crate::providers::{BuildCtx, Phrase};
use base64::Engine as _;
use serde_json::{json, Map, Value};

pub const NAME: &str = "inspect-callback-endpoint";

pub(super) const OP: Op = Op { name: NAME, request, decode };

/// The endpoints CYBAVO reports on, in the order they are shown.
pub const ENDPOINTS: [&str; 2] = ["notification_endpoint", "withdrawal_authentication_endpoint"];

/// The number CYBAVO puts in its test message, so the merchant can find it in the server's logs.
pub struct InspectParams {
    pub test_number: Option<i64>,
}

impl InspectParams {
    pub fn read(params: &Map<String, Value>) -> Result<InspectParams> {
        let p = Params::read(params, &["test_number"])?;
        Ok(InspectParams { test_number: p.opt_i64("test_number")? })
    }
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<Call> {
    let p = InspectParams::read(params)?;
    let test_number = p.test_number.unwrap_or_else(|| ctx.now_ms.div_euclid(1000));
    Call::post(format!("/v1/sofa/wallets/{}/notifications/inspect", acct.wallet()?), &json!({ "test_number": test_number }))
}

fn decode(v: &Value) -> Option<Value> {
    v.get(ENDPOINTS[0]).filter(|e| e.is_object())?;
    let mut out = v.as_object()?.clone();
    for name in ENDPOINTS {
        if let Some(Value::Object(e)) = out.get_mut(name) {
            if let Some(url) = e.get("url").and_then(Value::as_str).map(unescape) {
                e.insert("url_text".into(), json!(url));
            }
            if let Some(text) = e.get("response").and_then(Value::as_str).and_then(base64_text) {
                e.insert("response_text".into(), json!(text));
            }
        }
    }
    Some(Value::Object(out))
}

/// The answer in words, as the merchant's server's answer (it is not an error of CYBAVO's): what the
/// callback endpoint answered (or why CYBAVO could not reach it), what it said, and from where CYBAVO saw
/// this computer call; then the withdrawal authentication endpoint, when one is set.
pub fn describe(result: &Value) -> Vec<Phrase> {
    let mut out = Vec::new();
    let endpoint = &result[ENDPOINTS[0]];
    let url = endpoint["url_text"].as_str().or(endpoint["url"].as_str()).unwrap_or("").to_owned();
    match (endpoint["status_code"].as_i64(), endpoint["error"].as_str()) {
        (Some(status), _) => {
            out.push(Phrase::new("result.cybavo_inspect.answered").with("status", status.to_string()).with("url", url));
            match endpoint["response_text"].as_str().map(str::trim) {
                Some("") | None => out.push(Phrase::new("result.cybavo_inspect.body_empty")),
                Some(body) => out.push(Phrase::new("result.cybavo_inspect.body").with("body", shorten(body))),
            }
            let hint = if (200..300).contains(&status) { "ok_hint" } else { "refused_hint" };
            out.push(Phrase::new(&format!("result.cybavo_inspect.{hint}")));
        }
        (None, Some(error)) if is_none_set(error) => out.push(Phrase::new("result.cybavo_inspect.no_endpoint")),
        (None, error) => out.push(Phrase::new("result.cybavo_inspect.unreachable").with("error", error.unwrap_or("—"))),
    }
    if let Some(ip) = result["client_ip"].as_str().filter(|ip| !ip.is_empty()) {
        out.push(Phrase::new("result.cybavo_inspect.client_ip").with("ip", ip));
    }
    let auth = &result[ENDPOINTS[1]];
    match (auth["status_code"].as_i64(), auth["error"].as_str()) {
        (Some(status), _) => out.push(Phrase::new("result.cybavo_inspect.auth_answered").with("status", status.to_string())),
        (None, Some(error)) if !is_none_set(error) => {
            out.push(Phrase::new("result.cybavo_inspect.auth_unreachable").with("error", error))
        }
        _ => {}
    }
    out
}

/// CYBAVO's words for "no endpoint is set" (`no endpoint found`).
fn is_none_set(error: &str) -> bool {
    error.to_ascii_lowercase().contains("no endpoint")
}

/// At most 300 characters of an answer, for a sentence.
fn shorten(text: &str) -> String {
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// A query-escaped URL as text (`+` is a space, `%XX` a byte).
fn unescape(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// The endpoint's answer body as text (bytes that are not UTF-8 are replaced); `None` when it is not
/// base64.
fn base64_text(s: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s.trim()).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use crate::providers::cybavo::sign;
    use crate::secret::Secret;
    use serde_json::json;

    fn vectors() -> Vec<Value> {
        let v: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/cybavo-sofa-additions.json")).unwrap();
        v["vectors"].as_array().unwrap().clone()
    }

    /// The part-2 vectors computed with CYBAVO's own checksum code, through the operation.
    #[test]
    fn inspect_vectors_are_exact() {
        let mut seen = 0;
        for case in vectors().iter().filter(|c| c["id"].as_str().unwrap().starts_with("inspect-")) {
            let line = case["request_line"].as_str().unwrap();
            let wallet: i64 = line.split("/wallets/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
            let file = json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","wallet_id":wallet,"api_code":"TESTAPICODE","api_secret":case["api_secret"]});
            let acct = crate::providers::account::with_source(&file, |s| CybavoAccount::parse(s).unwrap());
            let body: Value = serde_json::from_str(case["body_exact"].as_str().unwrap()).unwrap();
            let ctx = BuildCtx {
                now_ms: case["t"].as_i64().unwrap() * 1000 + 999,
                nonce: Some(case["r"].as_str().unwrap().into()),
                token: None,
            };
            let r = build(&acct, INSPECT_CALLBACK_ENDPOINT, &params(body), &ctx).unwrap();
            assert_eq!(format!("POST {}", r.url), line.replace("{base}", "http://127.0.0.1:8889"), "{}", case["id"]);
            assert_eq!(r.body_text().unwrap(), case["body_exact"].as_str().unwrap());
            assert_eq!(r.header("X-CHECKSUM"), case["X-CHECKSUM"].as_str(), "{}", case["id"]);
            let tokens: Vec<String> = r.url.split_once('?').unwrap().1.split('&').map(str::to_owned).collect();
            let pre = sign::request_preimage(&tokens, r.body.as_deref(), &Secret::new(case["api_secret"].as_str().unwrap()));
            assert_eq!(String::from_utf8(pre).unwrap(), case["preimage"].as_str().unwrap());
            seen += 1;
        }
        assert_eq!(seen, 3);
    }

    #[test]
    fn test_number_is_generated_from_the_attempts_time_and_checked_when_given() {
        let r = build(&acct(), INSPECT_CALLBACK_ENDPOINT, &Map::new(), &ctx()).unwrap();
        assert_eq!(r.body_text().unwrap(), r#"{"test_number":1700000000}"#);
        assert!(r.url.starts_with("http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications/inspect?t="));
        let e = build(&acct(), INSPECT_CALLBACK_ENDPOINT, &params(json!({"test_number": "x"})), &ctx()).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("test_number"), Some("not_integer")));
    }

    /// The documented answer (an endpoint that answered 400 `400`, no withdrawal authentication endpoint).
    #[test]
    fn the_documented_answer_is_read_with_the_url_and_the_body_as_text() {
        let body = r#"{"server_time":1622195253,"client_ip":"::1","notification_endpoint":{"url":"http%3A%2F%2Flocalhost%3A8889%2Fv1%2Fmock%2Fwallets%2Fcallback","status_code":400,"response":"NDAw"},"withdrawal_authentication_endpoint":{"error":"no endpoint found"}}"#;
        let out = parse(&acct(), INSPECT_CALLBACK_ENDPOINT, &signed(body)).unwrap().result;
        let n = &out["notification_endpoint"];
        assert_eq!(n["url"], "http%3A%2F%2Flocalhost%3A8889%2Fv1%2Fmock%2Fwallets%2Fcallback");
        assert_eq!(n["url_text"], "http://localhost:8889/v1/mock/wallets/callback");
        assert_eq!((n["status_code"].as_i64(), n["response_text"].as_str()), (Some(400), Some("400")));
        assert_eq!(out["withdrawal_authentication_endpoint"], json!({"error": "no endpoint found"}));
        assert_eq!((out["client_ip"].as_str(), out["server_time"].as_i64()), (Some("::1"), Some(1622195253)));
        let bad = parse(&acct(), INSPECT_CALLBACK_ENDPOINT, &signed(r#"{"server_time":1}"#)).unwrap_err();
        assert_eq!(bad.code, crate::error::ErrorCode::ProviderMalformedResponse);
        let e = parse(&acct(), INSPECT_CALLBACK_ENDPOINT, &RawResponse::new(400, &[], r#"{"error":"Invalid parameter","error_code":112}"#));
        assert_eq!(e.unwrap_err().code, crate::error::ErrorCode::ProviderInvalidParameter);
    }

    #[test]
    fn the_answer_is_worded_as_the_merchant_servers() {
        let keys = |v: Value| -> Vec<(String, Value)> {
            super::describe(&v).into_iter().map(|p| (p.key.trim_start_matches("result.cybavo_inspect.").to_owned(), Value::Object(p.params))).collect()
        };
        let answered = json!({"client_ip": "203.0.113.7", "notification_endpoint": {"url_text": "https://shop.example/cb", "status_code": 400, "response_text": "unknown payload"}, "withdrawal_authentication_endpoint": {"error": "no endpoint found"}});
        assert_eq!(
            keys(answered),
            [
                ("answered".to_owned(), json!({"status": "400", "url": "https://shop.example/cb"})),
                ("body".to_owned(), json!({"body": "unknown payload"})),
                ("refused_hint".to_owned(), json!({})),
                ("client_ip".to_owned(), json!({"ip": "203.0.113.7"})),
            ]
        );
        let ok = json!({"notification_endpoint": {"url": "https%3A%2F%2Fshop", "status_code": 200, "response": ""}, "withdrawal_authentication_endpoint": {"url": "x", "status_code": 503}});
        let k: Vec<String> = keys(ok).into_iter().map(|(k, _)| k).collect();
        assert_eq!(k, ["answered", "body_empty", "ok_hint", "auth_answered"]);
        let unreachable = json!({"notification_endpoint": {"error": "dial tcp: connection refused"}, "withdrawal_authentication_endpoint": {"error": "timeout"}});
        assert_eq!(
            keys(unreachable),
            [
                ("unreachable".to_owned(), json!({"error": "dial tcp: connection refused"})),
                ("auth_unreachable".to_owned(), json!({"error": "timeout"})),
            ]
        );
        assert_eq!(keys(json!({"notification_endpoint": {"error": "no endpoint found"}}))[0].0, "no_endpoint");
    }
}
