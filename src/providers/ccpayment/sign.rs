//! CCPayment signatures, byte for byte.
//!
//! * **v1** (PHP `SHA256Hex`, Java `getSign`): `Sign` = lowercase hex SHA-256(`AppId ‖ AppSecret ‖
//!   Timestamp ‖ body`), no separators; with no body nothing is appended. Responses and webhooks carry
//!   the same three headers computed the same way over the **raw** response body.
//! * **v2** (official SDK `generateSign`): `Sign` = lowercase hex HMAC-SHA256(key = AppSecret, message =
//!   `AppId ‖ Timestamp ‖ body`). The secret is only the key, never part of the message.
//!
//! `Timestamp` is 10-digit Unix **seconds** in both versions (valid for 2 minutes).

use crate::secret::Secret;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// v1 `Sign`.
pub fn sign_v1(app_id: &str, secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(secret.expose().as_bytes());
    h.update(timestamp.as_bytes());
    h.update(body);
    hex::encode(h.finalize())
}

/// v2 `Sign`.
pub fn sign_v2(app_id: &str, secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(app_id.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of two signature strings (hex case-insensitive input is normalised).
pub fn equal(expected: &str, given: &str) -> bool {
    expected.as_bytes().ct_eq(given.trim().to_ascii_lowercase().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn v1_and_v2_vectors() {
        let v: Value = serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap();
        let c = &v["ccpayment"];
        let app = c["app_id"].as_str().unwrap();
        let secret = Secret::new(c["app_secret"].as_str().unwrap());
        let ts = c["timestamp"].to_string();
        assert_eq!(
            sign_v1(app, &secret, &ts, c["v1"]["body"].as_str().unwrap().as_bytes()),
            c["v1"]["sign"].as_str().unwrap()
        );
        assert_eq!(
            sign_v2(app, &secret, &ts, c["v2"]["body"].as_str().unwrap().as_bytes()),
            c["v2"]["sign"].as_str().unwrap()
        );
        assert_eq!(
            sign_v2(app, &secret, &ts, c["v2"]["empty_body"].as_str().unwrap().as_bytes()),
            c["v2"]["empty_body_sign"].as_str().unwrap()
        );
        assert!(equal(c["v1"]["sign"].as_str().unwrap(), &c["v1"]["sign"].as_str().unwrap().to_uppercase()));
        assert!(!equal(c["v1"]["sign"].as_str().unwrap(), c["v2"]["sign"].as_str().unwrap()));
    }
}
