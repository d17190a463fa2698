//! Obtain a bearer token (`POST /api/auth/token`): the client certificate in `X-SSL-Client-Cert`
//! (percent-encoded PEM) and `{"clientId", "clientSecret"}`. Avista answers 201 with a 30-minute JWT; the
//! result shown never contains the token itself.

use crate::error::{Error, ErrorCode, Result};
use crate::providers::avista::account::AvistaAccount;
use crate::providers::avista::errors::map_error;
use crate::providers::avista::sign::client_cert_header;
use crate::providers::params::Params;
use crate::providers::util;
use crate::providers::{HttpMethod, Outcome, RawResponse, SignedRequest, Token};
use crate::secret::Secret;
use serde_json::{json, Map, Value};

pub const NAME: &str = "get-token";

pub(super) fn build(acct: &AvistaAccount, params: &Map<String, Value>) -> Result<SignedRequest> {
    Params::read(params, &[])?;
    let body = serde_json::to_vec(&json!({
        "clientId": acct.client_id,
        "clientSecret": acct.client_secret.expose(),
    }))
    .map_err(|e| Error::internal(e.to_string()))?;
    Ok(SignedRequest {
        method: HttpMethod::Post,
        url: util::join_url(&acct.base_url, "/api/auth/token"),
        headers: vec![
            ("X-SSL-Client-Cert".into(), client_cert_header(acct.client_cert_pem.expose())),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(body),
    })
}

/// Extracts the token from a successful `get-token` answer (200 or 201).
pub fn parse_token(resp: &RawResponse) -> Result<Token> {
    if !(resp.status == 200 || resp.status == 201) {
        return Err(map_error(resp));
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| Error::new(ErrorCode::ProviderMalformedResponse).detail("token response is not JSON"))?;
    let token = v.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Error::new(ErrorCode::ProviderMalformedResponse).detail("access_token missing"));
    };
    Ok(Token {
        access_token: Secret::new(token),
        expires_in: v.get("expires_in").and_then(Value::as_i64).unwrap_or(1800),
    })
}

/// The token's type and lifetime, never the token.
pub(super) fn parse(resp: &RawResponse) -> Result<Outcome> {
    let t = parse_token(resp)?;
    Ok(Outcome { result: json!({ "token_type": "Bearer", "expires_in": t.expires_in }) })
}
