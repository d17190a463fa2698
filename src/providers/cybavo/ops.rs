//! CYBAVO operations: build signed requests, verify and decode responses, map the documented errors.

use super::sign;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util::{self, encode_uri_component};
use super::account::CybavoAccount;
use crate::providers::{BuildCtx, HttpMethod, Outcome, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};

pub const RESEND_WITHDRAWAL: &str = "resend-withdrawal-callbacks";
pub const RESEND_DEPOSIT: &str = "resend-deposit-callbacks";
pub const QUERY_CALLBACKS: &str = "query-callbacks";
pub const LIST_CALLBACKS: &str = "list-callbacks";
pub const LOOKUP_DEPOSIT: &str = "lookup-deposit";
pub const LOOKUP_WITHDRAWAL: &str = "lookup-withdrawal";

/// `get_by_id` takes at most 100 ids per call (seed docs: extra ids are silently ignored).
pub const MAX_IDS_PER_CALL: usize = 100;

/// Splits `query-callbacks` into calls of at most 100 ids (order kept); other operations are one call.
pub fn plan(operation: &str, params: &Map<String, Value>) -> Result<Vec<Map<String, Value>>> {
    if operation != QUERY_CALLBACKS {
        return Ok(vec![params.clone()]);
    }
    util::reject_unknown(params, &["ids"])?;
    let ids = util::opt_i64_list(params, "ids")?.ok_or_else(|| Error::missing_field("ids"))?;
    Ok(ids
        .chunks(MAX_IDS_PER_CALL)
        .map(|c| {
            let mut m = Map::new();
            m.insert("ids".into(), json!(c));
            m
        })
        .collect())
}

/// Builds one signed call. `t` = `ctx.now_ms` in seconds, `r` = `ctx.nonce` or 8 random alphanumerics.
/// URL: `{base}{path}?t={t}&r={r}[&k=v…]`; the body (POST) is serialised once and those bytes signed.
pub fn build(
    acct: &CybavoAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    let w = acct.wallet_id;
    let mut extra_tokens: Vec<String> = Vec::new();
    let (method, path, body): (HttpMethod, String, Option<Vec<u8>>) = match operation {
        RESEND_WITHDRAWAL | RESEND_DEPOSIT => {
            util::reject_unknown(params, &["notification_id"])?;
            let id = util::req_i64(params, "notification_id")?;
            if id < 0 {
                return Err(Error::invalid_field("notification_id", "negative"));
            }
            let path = if operation == RESEND_WITHDRAWAL {
                format!("/v1/sofa/wallets/{w}/sender/notifications/manual")
            } else {
                format!("/v1/sofa/wallets/{w}/collection/notifications/manual")
            };
            (HttpMethod::Post, path, Some(to_vec(&json!({ "notification_id": id }))?))
        }
        QUERY_CALLBACKS => {
            util::reject_unknown(params, &["ids"])?;
            let ids = util::opt_i64_list(params, "ids")?.ok_or_else(|| Error::missing_field("ids"))?;
            if ids.len() > MAX_IDS_PER_CALL {
                return Err(Error::invalid_field("ids", "too_many").with("max", MAX_IDS_PER_CALL));
            }
            (
                HttpMethod::Post,
                format!("/v1/sofa/wallets/{w}/notifications/get_by_id"),
                Some(to_vec(&json!({ "ids": ids }))?),
            )
        }
        LIST_CALLBACKS => {
            util::reject_unknown(params, &["from_time", "to_time", "type"])?;
            // Query tokens in the order given; values are integers (validated), so encoding is a no-op,
            // but the token is signed exactly as it appears in the URL either way.
            for (k, _) in params.iter() {
                if let Some(v) = util::opt_i64(params, k)? {
                    extra_tokens.push(format!("{}={}", encode_uri_component(k), v));
                }
            }
            if let (Some(f), Some(t)) = (util::opt_i64(params, "from_time")?, util::opt_i64(params, "to_time")?) {
                if t < f {
                    return Err(Error::invalid_field("to_time", "before_start"));
                }
            }
            (HttpMethod::Get, format!("/v1/sofa/wallets/{w}/notifications"), None)
        }
        LOOKUP_DEPOSIT => {
            util::reject_unknown(params, &["txid", "vout_index"])?;
            let txid = util::req_string(params, "txid")?;
            let vout = util::req_i64(params, "vout_index")?;
            if vout < 0 {
                return Err(Error::invalid_field("vout_index", "negative"));
            }
            let path =
                format!("/v1/sofa/wallets/{w}/receiver/notifications/txid/{}/{vout}", encode_uri_component(&txid));
            (HttpMethod::Get, path, None)
        }
        LOOKUP_WITHDRAWAL => {
            util::reject_unknown(params, &["order_id"])?;
            let order = util::req_string(params, "order_id")?;
            (
                HttpMethod::Get,
                format!("/v1/sofa/wallets/{w}/sender/notifications/order_id/{}", encode_uri_component(&order)),
                None,
            )
        }
        other => return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", other)),
    };
    let t = ctx.now_ms.div_euclid(1000);
    let r = ctx.nonce.clone().unwrap_or_else(|| util::random_alnum(8));
    let mut tokens = vec![format!("t={t}"), format!("r={r}")];
    tokens.extend(extra_tokens);
    let checksum = sign::request_checksum(&tokens, body.as_deref(), &acct.api_secret);
    let url = format!("{}?{}", util::join_url(&acct.base_url, &path), tokens.join("&"));
    let mut headers =
        vec![("X-API-CODE".to_owned(), acct.api_code.expose().to_owned()), ("X-CHECKSUM".to_owned(), checksum)];
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    headers.push(("User-Agent".to_owned(), format!("callback-desk/{}", env!("CARGO_PKG_VERSION"))));
    Ok(SignedRequest { method, url, headers, body })
}

fn to_vec(v: &Value) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::internal(e.to_string()))
}

/// Verifies `X-CHECKSUM` on HTTP 200 over the raw body, decodes the body, and maps errors.
pub fn parse(acct: &CybavoAccount, operation: &str, resp: &RawResponse) -> Result<Outcome> {
    if resp.status != 200 {
        return Err(map_error(resp));
    }
    match resp.header("X-CHECKSUM") {
        Some(sum) if sign::verify_body_checksum(&resp.body, sum, &acct.api_secret) => {}
        Some(_) => {
            return Err(Error::new(ErrorCode::ProviderSignatureInvalid)
                .with("header", "X-CHECKSUM")
                .detail("checksum mismatch"))
        }
        None => {
            return Err(Error::new(ErrorCode::ProviderSignatureInvalid)
                .with("header", "X-CHECKSUM")
                .detail("X-CHECKSUM header missing"))
        }
    }
    Ok(Outcome { result: decode_body(operation, &resp.body)? })
}

/// Decodes the body of a successful answer (already verified, or read back from history where it was
/// recorded after verification): `{"count"}` of a resend, decoded callbacks of a look-up.
pub fn decode_body(operation: &str, body: &[u8]) -> Result<Value> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(body)))?;
    let malformed = || Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(body));
    Ok(match operation {
        RESEND_WITHDRAWAL | RESEND_DEPOSIT => {
            json!({ "count": v.get("count").and_then(Value::as_i64).ok_or_else(malformed)? })
        }
        QUERY_CALLBACKS | LIST_CALLBACKS => {
            let list = v.get("notifications").and_then(Value::as_array).ok_or_else(malformed)?;
            json!({ "notifications": list.iter().map(decode_callback).collect::<Vec<_>>() })
        }
        LOOKUP_DEPOSIT | LOOKUP_WITHDRAWAL => {
            let n = v.get("notification").filter(|n| n.is_object()).ok_or_else(malformed)?;
            json!({ "notification": decode_callback(n) })
        }
        _ => v,
    })
}

/// Merges the results of a split `query-callbacks` in call order.
pub fn merge(results: Vec<Value>) -> Value {
    let mut all = Vec::new();
    for mut r in results {
        if let Some(Value::Array(a)) = r.get_mut("notifications").map(Value::take) {
            all.extend(a);
        }
    }
    json!({ "notifications": all })
}

/// Stable label key of a callback `type`.
pub fn type_label(t: i64) -> &'static str {
    match t {
        1 => "deposit",
        2 => "withdraw",
        3 => "collect",
        4 => "airdrop",
        127 => "in_pool",
        -1 => "all",
        _ => "unknown",
    }
}

/// Stable label key of a transaction `state`.
pub fn state_label(s: i64) -> &'static str {
    match s {
        0 => "init",
        1 => "processing",
        2 => "txid_in_pool",
        3 => "txid_in_chain",
        4 => "confirmed",
        5 => "failed",
        6 => "resent",
        7 => "blocked",
        8 => "cancelled",
        9 => "utxo_unavailable",
        10 => "dropped",
        11 => "transaction_failed",
        12 => "paused",
        13 => "retrying",
        14 => "query_status_failed",
        15 => "init_locked",
        20 => "fee_preparing",
        21 => "fee_ready",
        _ => "unknown",
    }
}

/// Stable label key of `processing_state`.
pub fn processing_state_label(p: i64) -> &'static str {
    match p {
        -1 => "failed",
        0 => "in_mempool",
        1 => "in_chain",
        2 => "done",
        _ => "unknown",
    }
}

/// Adds `type_label`, `state_label`, `processing_state_label`, `amount_units` (amount / 10^decimal)
/// and `fees_units` (fees / 10^addon.fee_decimal) to a callback, keeping every original field.
pub fn decode_callback(cb: &Value) -> Value {
    let mut out = cb.clone();
    let Some(m) = out.as_object_mut() else { return out };
    let int = |k: &str| cb.get(k).and_then(Value::as_i64);
    if let Some(t) = int("type") {
        m.insert("type_label".into(), json!(type_label(t)));
    }
    if let Some(s) = int("state") {
        m.insert("state_label".into(), json!(state_label(s)));
    }
    if let Some(p) = int("processing_state") {
        m.insert("processing_state_label".into(), json!(processing_state_label(p)));
    }
    if let (Some(a), Some(d)) = (cb.get("amount").and_then(Value::as_str), int("decimal")) {
        if let Some(u) = util::units(a, d.clamp(0, 77) as u32) {
            m.insert("amount_units".into(), json!(u));
        }
    }
    let fee_dec = cb.get("addon").and_then(|a| a.get("fee_decimal")).and_then(Value::as_i64);
    if let (Some(f), Some(d)) = (cb.get("fees").and_then(Value::as_str), fee_dec) {
        if let Some(u) = util::units(f, d.clamp(0, 77) as u32) {
            m.insert("fees_units".into(), json!(u));
        }
    }
    let state = int("state");
    let ps = int("processing_state");
    let outcome = match (int("type"), state, ps) {
        (Some(2), Some(3), Some(2)) => "succeeded",
        (Some(2), Some(5) | Some(11), _) => "failed",
        (Some(1) | Some(3) | Some(4), _, Some(2)) => "succeeded",
        (_, Some(5) | Some(8) | Some(10) | Some(11), _) => "failed",
        _ => "pending",
    };
    m.insert("outcome".into(), json!(outcome));
    // For the look-up table: the time the callback is about, the transaction with its output, and the
    // operation that resends it.
    if let Some(t) = int("chain_at").filter(|t| *t > 0).or_else(|| int("broadcast_at").filter(|t| *t > 0)) {
        m.insert("time".into(), json!(t));
    }
    if let Some(txid) = cb.get("txid").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        let tx = match int("vout_index") {
            Some(v) => format!("{txid} #{v}"),
            None => txid.to_owned(),
        };
        m.insert("transaction".into(), json!(tx));
    }
    let resend = if int("type") == Some(2) { RESEND_WITHDRAWAL } else { RESEND_DEPOSIT };
    m.insert("resend_operation".into(), json!(resend));
    out
}

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
    use crate::secret::Secret;

    fn acct() -> CybavoAccount {
        let file = json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","wallet_id":55743,"api_code":"TESTAPICODE","api_secret":"TESTSECRET0123456789abcdef"});
        crate::providers::account::with_source(&file, |s| CybavoAccount::parse(s).unwrap())
    }

    fn ctx() -> BuildCtx<'static> {
        BuildCtx { now_ms: 1_700_000_000_999, nonce: Some("Ab3dE6gH".into()), token: None }
    }

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn vector_a_request_is_exact() {
        let r = build(&acct(), RESEND_WITHDRAWAL, &params(json!({"notification_id": 0})), &ctx()).unwrap();
        assert_eq!(r.method, HttpMethod::Post);
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/sender/notifications/manual?t=1700000000&r=Ab3dE6gH"
        );
        assert_eq!(r.body.as_deref(), Some(&b"{\"notification_id\":0}"[..]));
        assert_eq!(r.header("X-CHECKSUM"), Some("861bfbeafdb7c4c8d2e5bece994fc03d16bafddfd9ffa42cc6940bd2251e0226"));
        assert_eq!(r.header("X-API-CODE"), Some("TESTAPICODE"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert!(r.header("User-Agent").unwrap().starts_with("callback-desk/"));
    }

    #[test]
    fn vector_b_request_is_exact() {
        let r =
            build(&acct(), QUERY_CALLBACKS, &params(json!({"ids": [90000000140i64, 90000000139i64]})), &ctx()).unwrap();
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications/get_by_id?t=1700000000&r=Ab3dE6gH"
        );
        assert_eq!(r.body_text().unwrap(), "{\"ids\":[90000000140,90000000139]}");
        assert_eq!(r.header("X-CHECKSUM"), Some("4b87be0817ea14e5a1f09647f1a7dd31e31e141e6e8f5d9fdfa1dd3f82c5eaa1"));
    }

    #[test]
    fn deposit_resend_path_and_fresh_nonce() {
        let p = params(json!({"notification_id": "12"}));
        let c = BuildCtx::at(1_700_000_000_000);
        let a = build(&acct(), RESEND_DEPOSIT, &p, &c).unwrap();
        let b = build(&acct(), RESEND_DEPOSIT, &p, &c).unwrap();
        assert!(a.url.contains("/collection/notifications/manual?t=1700000000&r="));
        assert_ne!(a.url, b.url, "every attempt gets a new r");
        assert_ne!(a.header("X-CHECKSUM"), b.header("X-CHECKSUM"));
        let e = build(&acct(), RESEND_DEPOSIT, &params(json!({"notification_id": -1})), &c).unwrap_err();
        assert_eq!(e.params["field"], "notification_id");
    }

    #[test]
    fn list_callbacks_query_in_given_order_and_signed_as_tokens() {
        let p = params(json!({"to_time": 1700003600, "from_time": 1700000000, "type": -1}));
        let r = build(&acct(), LIST_CALLBACKS, &p, &ctx()).unwrap();
        assert_eq!(r.method, HttpMethod::Get);
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications?t=1700000000&r=Ab3dE6gH&to_time=1700003600&from_time=1700000000&type=-1"
        );
        assert_eq!(r.body, None);
        assert_eq!(r.header("Content-Type"), None);
        let secret = Secret::new("TESTSECRET0123456789abcdef");
        let tokens: Vec<String> = r.url.split_once('?').unwrap().1.split('&').map(str::to_owned).collect();
        assert_eq!(r.header("X-CHECKSUM").unwrap(), sign::request_checksum(&tokens, None, &secret));
        let pre = String::from_utf8(sign::request_preimage(&tokens, None, &secret)).unwrap();
        assert_eq!(
            pre,
            "from_time=1700000000&r=Ab3dE6gH&t=1700000000&to_time=1700003600&type=-1&secret=TESTSECRET0123456789abcdef"
        );
    }

    #[test]
    fn lookups_encode_path_segments() {
        let r = build(&acct(), LOOKUP_DEPOSIT, &params(json!({"txid": "ab/cd", "vout_index": 1})), &ctx()).unwrap();
        assert!(r.url.contains("/receiver/notifications/txid/ab%2Fcd/1?t="));
        let r = build(&acct(), LOOKUP_WITHDRAWAL, &params(json!({"order_id": "ORDER 1"})), &ctx()).unwrap();
        assert!(r.url.contains("/sender/notifications/order_id/ORDER%201?t="));
    }

    #[test]
    fn query_callbacks_splits_into_batches_of_100() {
        let ids: Vec<i64> = (1..=250).collect();
        let calls = plan(QUERY_CALLBACKS, &params(json!({ "ids": ids }))).unwrap();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0]["ids"].as_array().unwrap().len(), 100);
        assert_eq!(calls[2]["ids"].as_array().unwrap().len(), 50);
        assert_eq!(calls[1]["ids"][0], 101);
        let merged = merge(vec![json!({"notifications":[{"serial":1}]}), json!({"notifications":[{"serial":2}]})]);
        assert_eq!(merged, json!({"notifications":[{"serial":1},{"serial":2}]}));
    }

    fn signed(body: &str) -> RawResponse {
        let sum = sign::body_checksum(body.as_bytes(), &Secret::new("TESTSECRET0123456789abcdef"));
        RawResponse::new(200, &[("X-CHECKSUM", &sum)], body)
    }

    #[test]
    fn parses_resend_count_and_checks_signature() {
        let ok = parse(
            &acct(),
            RESEND_WITHDRAWAL,
            &RawResponse::new(200, &[("x-checksum", "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=")], "{\"count\":3}"),
        )
        .unwrap();
        assert_eq!(ok.result, json!({"count": 3}));
        let bad = parse(&acct(), RESEND_WITHDRAWAL, &RawResponse::new(200, &[("X-CHECKSUM", "nope")], "{\"count\":3}"))
            .unwrap_err();
        assert_eq!(bad.code, ErrorCode::ProviderSignatureInvalid);
        let missing = parse(&acct(), RESEND_WITHDRAWAL, &RawResponse::new(200, &[], "{\"count\":3}")).unwrap_err();
        assert_eq!(missing.code, ErrorCode::ProviderSignatureInvalid);
        let garbage = parse(&acct(), RESEND_WITHDRAWAL, &signed("<html>")).unwrap_err();
        assert_eq!(garbage.code, ErrorCode::ProviderMalformedResponse);
    }

    #[test]
    fn parses_documented_get_by_id_sample() {
        let body = r#"{"notifications":[{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","txid":"35c283a6f13f5886240fe2e815bc149154ec066cd2061202318dd4e4bf8af35e","block_height":1003304,"tindex":0,"vout_index":0,"amount":"24447","fees":"0","memo":"","broadcast_at":1584088556,"chain_at":1584088556,"from_address":"","to_address":"37btjrVyb4KG8gKeZjJguinwdsbcRV65ngHhBUaJWf36QxiakTV3UHiNUP9arReXMZQnpRBVVdkcBB4GyiWzPRSTmg41mTzMpxgfhtfRHtaBCKJNbX","wallet_id":56788,"state":3,"confirm_blocks":2,"processing_state":1,"addon":{}},{"type":3,"serial":90000000140,"order_id":"","currency":"ADA","txid":"fa120b6283509f0ab2b136a3ac8b613aa3ca2f36ce7c2744e122668d013cfdb5","block_height":1003305,"tindex":0,"vout_index":0,"amount":"55497180","fees":"0","memo":"","broadcast_at":1584088576,"chain_at":1584088576,"from_address":"","to_address":"x","wallet_id":56788,"state":3,"confirm_blocks":1,"processing_state":1,"addon":{},"decimal":6}]}"#;
        let out = parse(&acct(), QUERY_CALLBACKS, &signed(body)).unwrap().result;
        let n = out["notifications"].as_array().unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(n[0]["serial"], 90000000139i64);
        assert_eq!(n[0]["type_label"], "collect");
        assert_eq!(n[0]["state_label"], "txid_in_chain");
        assert_eq!(n[0]["processing_state_label"], "in_chain");
        assert_eq!(n[0]["outcome"], "pending");
        assert!(n[0].get("amount_units").is_none(), "no decimal field, no units");
        assert_eq!(n[1]["amount_units"], "55.49718");
        let one = parse(&acct(), LOOKUP_WITHDRAWAL, &signed(r#"{"notification":{"type":2,"state":3,"processing_state":2,"amount":"1500000","decimal":6,"fees":"2100","addon":{"fee_decimal":8}}}"#)).unwrap().result;
        assert_eq!(one["notification"]["amount_units"], "1.5");
        assert_eq!(one["notification"]["fees_units"], "0.000021");
        assert_eq!(one["notification"]["outcome"], "succeeded");
        assert_eq!(one["notification"]["type_label"], "withdraw");
    }

    fn err(status: u16, body: &str) -> Error {
        parse(&acct(), RESEND_WITHDRAWAL, &RawResponse::new(status, &[], body)).unwrap_err()
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
        let e = parse(&acct(), RESEND_WITHDRAWAL, &r).unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthClockSkew);
        assert_eq!(e.params["skew_seconds"], 125);
        assert_eq!(e.detail.as_deref(), Some("Forbidden. Invalid timestamp"));
    }
}
