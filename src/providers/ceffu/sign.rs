//! Ceffu signatures, byte for byte (Ceffu Node SDK `sign()`, docs "Introduction §1.2").
//!
//! * POST: the signed data is the **raw JSON body exactly as sent**, which carries a top-level
//!   `"timestamp": <unix ms>` (appended last here, as the official SDK's `{...params, timestamp}` does).
//! * GET: the query string exactly as sent, without `?` (includes `timestamp=<ms>`).
//! * Algorithm: RSASSA-PKCS1-v1_5 with SHA-512 ("SHA512withRSA"); header `signature` = **standard base64
//!   with padding**; header `open-apikey` = the API key. No path, method or host is signed.
//!
//! PKCS#1 v1.5 is deterministic: the same bytes give the same signature, and Ceffu rejects repeats
//! (`G20015`), so every attempt must carry a new `timestamp`.

use super::CeffuKey;
use base64::Engine as _;
use rsa::pkcs1v15::{SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::Sha512;

/// Standard-base64 SHA512withRSA signature of `data`.
pub fn sign(key: &CeffuKey, data: &[u8]) -> String {
    let signing = SigningKey::<Sha512>::new((*key.0).clone());
    let sig = signing.sign(data);
    base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
}

/// Checks a base64 signature against the key's public half (used by tests and the sandbox).
pub fn verify(public: &rsa::RsaPublicKey, data: &[u8], signature_b64: &str) -> bool {
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else { return false };
    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(raw.as_slice()) else { return false };
    VerifyingKey::<Sha512>::new(public.clone()).verify(data, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use serde_json::Value;

    #[test]
    fn vector_1() {
        let v: Value = serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap();
        let key = CeffuKey::parse(include_str!("../../../tests/fixtures/ceffu_test_key.pem")).unwrap();
        let body = v["ceffu"]["body"].as_str().unwrap();
        assert_eq!(body.len(), 112);
        let sig = sign(&key, body.as_bytes());
        assert_eq!(sig, v["ceffu"]["signature"].as_str().unwrap());
        let public =
            rsa::RsaPublicKey::from_public_key_pem(include_str!("../../../tests/fixtures/ceffu_test_pub.pem")).unwrap();
        assert!(verify(&public, body.as_bytes(), &sig));
        assert!(!verify(&public, b"{}", &sig));
    }
}
