//! CYBAVO operations: one file each (its typed params, its request, the shape of its answer), and what
//! they share: the table of operations, signing a request, verifying and decoding an answer.
//!
//! Adding an operation: its file, a line in [`OPS`], and its entry in the descriptor (`../mod.rs`).

mod inspect_callback_endpoint;
mod list_callbacks;
mod list_readonly_wallets;
mod lookup_deposit;
mod lookup_withdrawal;
mod query_callbacks;
mod resend;

pub use inspect_callback_endpoint::{describe as describe_inspection, NAME as INSPECT_CALLBACK_ENDPOINT};
pub use list_callbacks::NAME as LIST_CALLBACKS;
pub use list_readonly_wallets::NAME as LIST_READONLY_WALLETS;
pub use lookup_deposit::NAME as LOOKUP_DEPOSIT;
pub use lookup_withdrawal::NAME as LOOKUP_WITHDRAWAL;
pub use query_callbacks::{merge, plan, MAX_IDS_PER_CALL, NAME as QUERY_CALLBACKS};
pub use resend::{DEPOSIT as RESEND_DEPOSIT, WITHDRAWAL as RESEND_WITHDRAWAL};

use super::account::CybavoAccount;
use super::errors::map_error;
use super::sign;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::util;
use crate::providers::{BuildCtx, HttpMethod, Outcome, RawResponse, SignedRequest};
use serde_json::{Map, Value};

/// One operation: its name, its request from its params, and its result from a verified answer.
pub(super) struct Op {
    pub name: &'static str,
    /// Reads the params (field-level errors) and says what to send (`ctx`: this attempt's time).
    pub request: fn(&CybavoAccount, &Map<String, Value>, &BuildCtx<'_>) -> Result<Call>,
    /// The result of a verified answer (or of one recorded after verification); `None` when the answer
    /// lacks the operation's documented shape.
    pub decode: fn(&Value) -> Option<Value>,
}

/// Every operation, by name.
const OPS: &[&Op] = &[
    &resend::WITHDRAWAL_OP,
    &resend::DEPOSIT_OP,
    &query_callbacks::OP,
    &list_callbacks::OP,
    &lookup_deposit::OP,
    &lookup_withdrawal::OP,
    &inspect_callback_endpoint::OP,
    &list_readonly_wallets::OP,
];

fn op(name: &str) -> Option<&'static Op> {
    OPS.iter().copied().find(|o| o.name == name)
}

/// What one call sends, before it is signed.
pub(super) struct Call {
    pub method: HttpMethod,
    /// After the base URL, e.g. `/v1/sofa/wallets/55743/notifications`.
    pub path: String,
    /// Query tokens after `t` and `r`, exactly as they appear in the URL (they are signed so).
    pub query: Vec<String>,
    /// The JSON body, serialised once (these bytes are signed and sent).
    pub body: Option<Vec<u8>>,
}

impl Call {
    pub fn get(path: String) -> Call {
        Call { method: HttpMethod::Get, path, query: Vec::new(), body: None }
    }

    pub fn post(path: String, body: &Value) -> Result<Call> {
        let body = serde_json::to_vec(body).map_err(|e| Error::internal(e.to_string()))?;
        Ok(Call { method: HttpMethod::Post, path, query: Vec::new(), body: Some(body) })
    }
}

/// Builds one signed call. `t` = `ctx.now_ms` in seconds, `r` = `ctx.nonce` or 8 random alphanumerics.
/// URL: `{base}{path}?t={t}&r={r}[&k=v…]`; the body (POST) is serialised once and those bytes signed.
pub fn build(
    acct: &CybavoAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    let Some(op) = op(operation) else {
        return Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", operation));
    };
    let call = (op.request)(acct, params, ctx)?;
    let t = ctx.now_ms.div_euclid(1000);
    let r = ctx.nonce.clone().unwrap_or_else(|| util::random_alnum(8));
    let mut tokens = vec![format!("t={t}"), format!("r={r}")];
    tokens.extend(call.query);
    let checksum = sign::request_checksum(&tokens, call.body.as_deref(), &acct.api_secret);
    let url = format!("{}?{}", util::join_url(&acct.base_url, &call.path), tokens.join("&"));
    let mut headers =
        vec![("X-API-CODE".to_owned(), acct.api_code.expose().to_owned()), ("X-CHECKSUM".to_owned(), checksum)];
    if call.body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    headers.push(("User-Agent".to_owned(), format!("callback-desk/{}", env!("CARGO_PKG_VERSION"))));
    Ok(SignedRequest { method: call.method, url, headers, body: call.body })
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
    let malformed = || Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(body));
    let v: Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    match op(operation) {
        Some(op) => (op.decode)(&v).ok_or_else(malformed),
        None => Ok(v),
    }
}

#[cfg(test)]
pub(super) mod test_support {
    use super::*;

    pub fn acct() -> CybavoAccount {
        let file = serde_json::json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","wallet_id":55743,"api_code":"TESTAPICODE","api_secret":"TESTSECRET0123456789abcdef"});
        crate::providers::account::with_source(&file, |s| CybavoAccount::parse(s).unwrap())
    }

    pub fn ctx() -> BuildCtx<'static> {
        BuildCtx { now_ms: 1_700_000_000_999, nonce: Some("Ab3dE6gH".into()), token: None }
    }

    pub fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    /// A 200 answer signed with the test secret.
    pub fn signed(body: &str) -> RawResponse {
        let sum = sign::body_checksum(body.as_bytes(), &crate::secret::Secret::new("TESTSECRET0123456789abcdef"));
        RawResponse::new(200, &[("X-CHECKSUM", &sum)], body)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use serde_json::json;

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
    fn error_answers_are_mapped_before_any_checksum() {
        let e = parse(&acct(), QUERY_CALLBACKS, &RawResponse::new(403, &[], r#"{"error":"Forbidden. Invalid ID"}"#))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderWalletInvalid);
    }

    #[test]
    fn unknown_operations_are_refused_and_their_answers_passed_through() {
        let e = build(&acct(), "nope", &Map::new(), &ctx()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputUnknownOperation);
        assert_eq!(decode_body("nope", br#"{"a":1}"#).unwrap(), json!({"a": 1}));
    }
}
