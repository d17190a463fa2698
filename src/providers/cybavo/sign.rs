//! CYBAVO SOFA checksums, byte for byte (CYBAVO `API_CHECKSUM_CALC`, `buildRequestChecksum`).
//!
//! **Request** (`X-CHECKSUM`, lowercase hex):
//! 1. Take every query parameter as its literal `key=value` token *exactly as it appears in the URL*
//!    (still percent-encoded), plus the raw body string as one opaque element (no `key=` prefix) when a
//!    body is sent.
//! 2. Add `t=<unix seconds>` and `r=<random string>`.
//! 3. Sort all elements in plain byte order (Go `sort.Strings`). A JSON body starts with `{` (0x7B), so it
//!    usually lands after the `k=v` tokens, but that is a consequence of the sort, not a rule.
//! 4. Append `secret=<API secret>` as the last element, join with `&`, SHA-256, lowercase hex.
//!
//! **Response / callback** (`X-CHECKSUM`): base64url **with `=` padding** (Go `base64.URLEncoding`) of
//! SHA-256(raw body bytes ‖ API secret). Always hash the raw bytes, never a re-serialisation.

use crate::secret::Secret;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The exact bytes hashed for a request checksum. `tokens` are the query tokens (`t=…`, `r=…` and any
/// others) as they appear in the URL.
pub fn request_preimage(tokens: &[String], body: Option<&[u8]>, secret: &Secret) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
    if let Some(b) = body {
        parts.push(b);
    }
    parts.sort();
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + secret.expose().len() + 8);
    for p in parts {
        out.extend_from_slice(p);
        out.push(b'&');
    }
    out.extend_from_slice(b"secret=");
    out.extend_from_slice(secret.expose().as_bytes());
    out
}

/// `X-CHECKSUM` of a request: lowercase hex SHA-256 of [`request_preimage`].
pub fn request_checksum(tokens: &[String], body: Option<&[u8]>, secret: &Secret) -> String {
    hex::encode(Sha256::digest(request_preimage(tokens, body, secret)))
}

/// `X-CHECKSUM` of a response or callback: base64url-with-padding(SHA-256(body ‖ secret)).
pub fn body_checksum(body: &[u8], secret: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(body);
    h.update(secret.expose().as_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(h.finalize())
}

/// Constant-time check of a response/callback `X-CHECKSUM` over the raw body.
pub fn verify_body_checksum(body: &[u8], header_value: &str, secret: &Secret) -> bool {
    let expected = body_checksum(body, secret);
    expected.as_bytes().ct_eq(header_value.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap()
    }

    #[test]
    fn request_vectors_a_and_b() {
        let v = vectors();
        let c = &v["cybavo"];
        let secret = Secret::new(c["api_secret"].as_str().unwrap());
        let tokens = vec![format!("t={}", c["t"]), format!("r={}", c["r"].as_str().unwrap())];
        for case in c["requests"].as_array().unwrap() {
            let body = case["body"].as_str().unwrap().as_bytes();
            let pre = request_preimage(&tokens, Some(body), &secret);
            assert_eq!(String::from_utf8(pre).unwrap(), case["preimage"].as_str().unwrap(), "{}", case["name"]);
            assert_eq!(request_checksum(&tokens, Some(body), &secret), case["checksum"].as_str().unwrap());
        }
    }

    #[test]
    fn vendor_examples() {
        let v = vectors();
        for case in v["cybavo"]["vendor_examples"].as_array().unwrap() {
            let secret = Secret::new(case["secret"].as_str().unwrap());
            let mut tokens: Vec<String> =
                case["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
            tokens.push(format!("t={}", case["t"]));
            tokens.push(format!("r={}", case["r"].as_str().unwrap()));
            let body = case["body"].as_str().map(str::as_bytes);
            assert_eq!(
                request_checksum(&tokens, body, &secret),
                case["checksum"].as_str().unwrap(),
                "{}",
                case["name"]
            );
        }
    }

    #[test]
    fn response_checksum_vector() {
        let v = vectors();
        let secret = Secret::new(v["cybavo"]["api_secret"].as_str().unwrap());
        let r = &v["cybavo"]["response"];
        let body = r["body"].as_str().unwrap().as_bytes();
        let sum = r["checksum"].as_str().unwrap();
        assert_eq!(body_checksum(body, &secret), sum);
        assert!(verify_body_checksum(body, sum, &secret));
        assert!(!verify_body_checksum(b"{\"count\":4}", sum, &secret));
        assert!(!verify_body_checksum(body, sum.trim_end_matches('='), &secret));
    }

    #[test]
    fn sort_is_byte_order_not_position() {
        let secret = Secret::new("S");
        let tokens = vec!["t=1".to_owned(), "r=x".to_owned(), "from_time=5".to_owned(), "type=-1".to_owned()];
        let pre = String::from_utf8(request_preimage(&tokens, None, &secret)).unwrap();
        assert_eq!(pre, "from_time=5&r=x&t=1&type=-1&secret=S");
    }
}
