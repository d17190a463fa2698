//! The simulator's check of a request's credentials, written apart from the client's signing code: the
//! API key, the JWT's RS256 signature under the API user's registered public key, `sub`, `uri` (the
//! path and query exactly as received), `bodyHash` (of the raw body), `iat`/`exp` against the sandbox
//! clock, the token's lifetime, and that its nonce was not used before while it was valid. Every
//! failure is Fireblocks' 401 `{"message", "code"}`.

use super::{Settings, User};
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Why a request was refused, as its 401 message says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `X-API-Key` or `Authorization: Bearer`, or an API key Fireblocks does not know.
    MissingOrUnknownKey,
    /// Not a JWT, not RS256, or a signature that does not verify (the documented "invalid signature").
    BadSignature,
    /// `sub` is not the `X-API-Key`.
    WrongSubject,
    /// `uri` is not the path and query of the request.
    WrongUri,
    /// `bodyHash` is not the SHA-256 of the body.
    WrongBodyHash,
    /// `exp` has passed.
    Expired,
    /// `iat` is later than the sandbox clock allows.
    IssuedInTheFuture,
    /// `exp` − `iat` is longer than allowed.
    LifetimeTooLong,
    /// The nonce was used before, within its token's lifetime.
    NonceReused,
}

impl Refusal {
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::MissingOrUnknownKey => "Unauthorized: missing or unknown API key",
            Refusal::BadSignature => "invalid signature",
            Refusal::WrongSubject => "invalid signature: sub does not match the API key",
            Refusal::WrongUri => "invalid signature: uri does not match the request",
            Refusal::WrongBodyHash => "invalid signature: bodyHash does not match the request body",
            Refusal::Expired => "Unauthorized: token expired",
            Refusal::IssuedInTheFuture => "Unauthorized: token issued in the future",
            Refusal::LifetimeTooLong => "Unauthorized: token lifetime too long",
            Refusal::NonceReused => "Unauthorized: nonce already used",
        }
    }
}

/// SHA-256 of nothing: the hash of a body-less request.
const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// SHA-256 of `""`: what Fireblocks' legacy SDKs hash on requests without a body.
const LEGACY_EMPTY_HASH: &str = "12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126";

/// A request's credentials as received.
pub struct Presented<'a> {
    pub api_key: Option<&'a str>,
    pub authorization: Option<&'a str>,
    /// Path and query exactly as received (`/v1/…?…`).
    pub uri: &'a str,
    pub body: &'a [u8],
}

/// Checks the request; on success the nonce is remembered until its token expires. Returns the API key.
pub fn check<'u>(
    p: &Presented<'_>,
    users: &'u HashMap<String, User>,
    nonces: &mut HashMap<String, i64>,
    now_s: i64,
    settings: &Settings,
) -> Result<&'u User, Refusal> {
    let api_key = p.api_key.map(str::trim).filter(|k| !k.is_empty()).ok_or(Refusal::MissingOrUnknownKey)?;
    let token = p
        .authorization
        .and_then(|h| h.trim().strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(Refusal::MissingOrUnknownKey)?;
    let user = users.get(api_key).ok_or(Refusal::MissingOrUnknownKey)?;
    let claims = verified_claims(token, &user.public_key).ok_or(Refusal::BadSignature)?;
    if claims.get("sub").and_then(Value::as_str) != Some(api_key) {
        return Err(Refusal::WrongSubject);
    }
    if claims.get("uri").and_then(Value::as_str) != Some(p.uri) {
        return Err(Refusal::WrongUri);
    }
    let hash = claims.get("bodyHash").and_then(Value::as_str).unwrap_or_default();
    let legacy = p.body.is_empty() && settings.accept_legacy_body_hash && hash == LEGACY_EMPTY_HASH;
    let expected = if p.body.is_empty() { EMPTY_HASH.to_owned() } else { hex::encode(Sha256::digest(p.body)) };
    if hash != expected && !legacy {
        return Err(Refusal::WrongBodyHash);
    }
    let (Some(iat), Some(exp)) = (claims.get("iat").and_then(Value::as_i64), claims.get("exp").and_then(Value::as_i64))
    else {
        return Err(Refusal::BadSignature);
    };
    if iat > now_s + settings.future_skew_secs {
        return Err(Refusal::IssuedInTheFuture);
    }
    if exp <= now_s {
        return Err(Refusal::Expired);
    }
    if exp - iat > settings.max_token_lifetime_secs {
        return Err(Refusal::LifetimeTooLong);
    }
    let nonce = match claims.get("nonce") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(Refusal::BadSignature),
    };
    nonces.retain(|_, until| *until > now_s);
    if nonces.contains_key(&nonce) {
        return Err(Refusal::NonceReused);
    }
    nonces.insert(nonce, exp);
    Ok(user)
}

/// The claims of an RS256 JWT whose signature verifies under `key`; `None` otherwise.
fn verified_claims(token: &str, key: &rsa::RsaPublicKey) -> Option<serde_json::Map<String, Value>> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&b64.decode(h).ok()?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return None;
    }
    let sig = Signature::try_from(b64.decode(s).ok()?.as_slice()).ok()?;
    VerifyingKey::<Sha256>::new(key.clone()).verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
    match serde_json::from_slice(&b64.decode(p).ok()?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}
