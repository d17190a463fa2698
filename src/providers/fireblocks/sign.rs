//! Fireblocks request authentication, byte for byte: every request carries `X-API-Key: <API key>` and
//! `Authorization: Bearer <JWT>`, a JWT signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with the API
//! user's private key.
//!
//! * Header: `{"typ":"JWT","alg":"RS256"}` (Fireblocks' own Rust example; its SDKs write
//!   `{"alg":"RS256","typ":"JWT"}`, which [`HeaderOrder::AlgFirst`] reproduces for their vectors).
//! * Payload, compact, in this order: `uri` (the request's path and query exactly as sent, from `/v1`),
//!   `nonce` (a fresh UUID v4), `iat` (Unix seconds), `exp` (`iat` + 30: Fireblocks documents "less than
//!   iat+30sec"), `sub` (the API key) and `bodyHash` (lowercase hex SHA-256 of the exact body bytes sent;
//!   of the empty string when there is no body).
//!
//! The signature is deterministic: the same header and payload bytes give the same token, so the
//! published vectors fix every byte. Each attempt gets a new nonce and `iat`.

use super::key::ApiSecretKey;
use base64::Engine as _;
use rsa::signature::{SignatureEncoding, Signer};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How long a token is valid after its `iat`, in seconds.
pub const TOKEN_LIFETIME_SECS: i64 = 30;

/// The order of the JWT header's two members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderOrder {
    /// `{"typ":"JWT","alg":"RS256"}`: what Callback Desk sends (Fireblocks' Rust example).
    TypFirst,
    /// `{"alg":"RS256","typ":"JWT"}`: Fireblocks' SDKs (PyJWT, jsonwebtoken for Node).
    AlgFirst,
}

impl HeaderOrder {
    pub fn json(self) -> &'static str {
        match self {
            HeaderOrder::TypFirst => r#"{"typ":"JWT","alg":"RS256"}"#,
            HeaderOrder::AlgFirst => r#"{"alg":"RS256","typ":"JWT"}"#,
        }
    }
}

/// A nonce as the JWT carries it: a string (UUID v4) or, in Fireblocks' legacy Python SDK, an integer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Nonce {
    Text(String),
    Number(u64),
}

/// The JWT claims, serialised in this field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claims {
    pub uri: String,
    pub nonce: Nonce,
    pub iat: i64,
    pub exp: i64,
    pub sub: String,
    #[serde(rename = "bodyHash")]
    pub body_hash: String,
}

impl Claims {
    /// The claims of a request sent at `now_ms` (seconds, rounded down) with `exp` = `iat` +
    /// [`TOKEN_LIFETIME_SECS`].
    pub fn new(uri: &str, nonce: &str, now_ms: i64, api_key: &str, body: &[u8]) -> Claims {
        let iat = now_ms.div_euclid(1000);
        Claims {
            uri: uri.to_owned(),
            nonce: Nonce::Text(nonce.to_owned()),
            iat,
            exp: iat + TOKEN_LIFETIME_SECS,
            sub: api_key.to_owned(),
            body_hash: body_hash(body),
        }
    }

    /// The compact payload JSON.
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Lowercase hex SHA-256 of the body bytes (of no bytes when there is no body).
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// The `uri` claim of a URL: its path and query exactly as sent (`/v1/…?a=1`).
pub fn uri_of(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// A random UUID version 4 (RFC 9562), lowercase.
pub fn uuid_v4() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The signed token: base64url(header) `.` base64url(payload) `.` base64url(RS256 signature).
pub fn token(key: &ApiSecretKey, header: HeaderOrder, claims: &Claims) -> String {
    token_of_json(key, header.json(), &claims.json())
}

/// The token of exact header and payload JSON bytes.
pub fn token_of_json(key: &ApiSecretKey, header_json: &str, payload_json: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signing_input = format!("{}.{}", b64.encode(header_json), b64.encode(payload_json));
    let signature = key.signing().sign(signing_input.as_bytes());
    format!("{signing_input}.{}", b64.encode(signature.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/fireblocks_jwt_vectors.json")).unwrap()
    }

    fn key() -> ApiSecretKey {
        ApiSecretKey::parse(include_str!("../../../tests/fixtures/fireblocks_test_key.pem")).unwrap()
    }

    /// Every published token (38, from five official implementations): the claims read from the vector,
    /// serialised here, give its payload bytes; signed here, its `Authorization` value.
    #[test]
    fn all_published_vectors() {
        let v = vectors();
        let key = key();
        let list = v["vectors"].as_array().unwrap();
        assert_eq!(list.len(), 38);
        for vector in list {
            let id = vector["id"].as_str().unwrap();
            let p: Value = serde_json::from_str(vector["jwt_payload_json"].as_str().unwrap()).unwrap();
            let nonce = match &p["nonce"] {
                Value::String(s) => Nonce::Text(s.clone()),
                n => Nonce::Number(n.as_u64().unwrap()),
            };
            let claims = Claims {
                uri: p["uri"].as_str().unwrap().to_owned(),
                nonce,
                iat: p["iat"].as_i64().unwrap(),
                exp: p["exp"].as_i64().unwrap(),
                sub: p["sub"].as_str().unwrap().to_owned(),
                body_hash: p["bodyHash"].as_str().unwrap().to_owned(),
            };
            assert_eq!(claims.json(), vector["jwt_payload_json"].as_str().unwrap(), "{id}: payload bytes");
            let header = match vector["jwt_header_json"].as_str().unwrap() {
                h if h == HeaderOrder::TypFirst.json() => HeaderOrder::TypFirst,
                h if h == HeaderOrder::AlgFirst.json() => HeaderOrder::AlgFirst,
                other => panic!("{id}: header {other}"),
            };
            assert_eq!(format!("Bearer {}", token(&key, header, &claims)), vector["authorization"].as_str().unwrap(), "{id}");
            // Where the implementation hashed the bytes it sent, the hash is that of those bytes.
            if vector["bodyHash_equals_sha256_of_sent_body"] == true {
                let body = vector["request"]["body_exact"].as_str().unwrap();
                assert_eq!(claims.body_hash, body_hash(body.as_bytes()), "{id}: bodyHash");
            }
        }
    }

    #[test]
    fn claims_of_a_request_as_callback_desk_signs_it() {
        let v = vectors();
        let rust = v["vectors"].as_array().unwrap().iter().find(|x| x["id"] == "rust_example:get_tx").unwrap();
        let url = url::Url::parse(rust["request"]["url"].as_str().unwrap()).unwrap();
        let claims = Claims::new(&uri_of(&url), "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b", 1_700_000_000_123, "11111111-2222-4333-8444-555555555555", b"");
        assert_eq!(claims.json(), rust["jwt_payload_json"].as_str().unwrap());
        assert_eq!(format!("Bearer {}", token(&key(), HeaderOrder::TypFirst, &claims)), rust["authorization"].as_str().unwrap());
        assert_eq!(body_hash(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let q = url::Url::parse("https://x.example/v1/webhooks/a/notifications?pageSize=10&statuses=FAILED").unwrap();
        assert_eq!(uri_of(&q), "/v1/webhooks/a/notifications?pageSize=10&statuses=FAILED");
    }

    #[test]
    fn nonces_are_uuid_v4_and_fresh() {
        let a = uuid_v4();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, uuid_v4());
    }
}
