//! Checking a Fireblocks webhook's signatures over its raw body:
//!
//! * `Fireblocks-Signature` (webhooks v1, the legacy header): standard base64 of RSASSA-PKCS1-v1_5 with
//!   SHA-512 over the raw body, with Fireblocks' published key of the environment (or the account's own).
//! * `Fireblocks-Webhook-Signature` (v2): a detached JWS, `<protected header>..<signature>`, RS512, whose
//!   header names the key (`kid`) of Fireblocks' JWKS; the payload is the raw body (base64url).
//!
//! During the migration Fireblocks sends both; each one present is checked with what the account has.

use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha512;

use crate::providers::callback::{SignatureFault, SignatureProblem};
use crate::providers::Phrase;

pub const V1_HEADER: &str = "Fireblocks-Signature";
pub const V2_HEADER: &str = "Fireblocks-Webhook-Signature";

/// Fireblocks' published key for v1 webhooks of its US production environment ("Mainnet & Testnet").
pub const US_PRODUCTION_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA0+6wd9OJQpK60ZI7qnZG
jjQ0wNFUHfRv85Tdyek8+ahlg1Ph8uhwl4N6DZw5LwLXhNjzAbQ8LGPxt36RUZl5
YlxTru0jZNKx5lslR+H4i936A4pKBjgiMmSkVwXD9HcfKHTp70GQ812+J0Fvti/v
4nrrUpc011Wo4F6omt1QcYsi4GTI5OsEbeKQ24BtUd6Z1Nm/EP7PfPxeb4CP8KOH
clM8K7OwBUfWrip8Ptljjz9BNOZUF94iyjJ/BIzGJjyCntho64ehpUYP8UJykLVd
CGcu7sVYWnknf1ZGLuqqZQt4qt7cUUhFGielssZP9N9x7wzaAIFcT3yQ+ELDu1SZ
dE4lZsf2uMyfj58V8GDOLLE233+LRsRbJ083x+e2mW5BdAGtGgQBusFfnmv5Bxqd
HgS55hsna5725/44tvxll261TgQvjGrTxwe7e5Ia3d2Syc+e89mXQaI/+cZnylNP
SwCCvx8mOM847T0XkVRX3ZrwXtHIA25uKsPJzUtksDnAowB91j7RJkjXxJcz3Vh1
4k182UFOTPRW9jzdWNSyWQGl/vpe9oQ4c2Ly15+/toBo4YXJeDdDnZ5c/O+KKadc
IMPBpnPrH/0O97uMPuED+nI6ISGOTMLZo35xJ96gPBwyG5s2QxIkKPXIrhgcgUnk
tSM7QYNhlftT4/yVvYnk0YcCAwEAAQ==
-----END PUBLIC KEY-----
";
/// Fireblocks' published key for v1 webhooks of its sandbox.
pub const SANDBOX_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw+fZuC+0vDYTf8fYnCN6
71iHg98lPHBmafmqZqb+TUexn9sH6qNIBZ5SgYFxFK6dYXIuJ5uoORzihREvZVZP
8DphdeKOMUrMr6b+Cchb2qS8qz8WS7xtyLU9GnBn6M5mWfjkjQr1jbilH15Zvcpz
ECC8aPUAy2EbHpnr10if2IHkIAWLYD+0khpCjpWtsfuX+LxqzlqQVW9xc6z7tshK
eCSEa6Oh8+ia7Zlu0b+2xmy2Arb6xGl+s+Rnof4lsq9tZS6f03huc+XVTmd6H2We
WxFMfGyDCX2akEg2aAvx7231/6S0vBFGiX0C+3GbXlieHDplLGoODHUt5hxbPJnK
IwIDAQAB
-----END PUBLIC KEY-----
";

/// The published v1 webhook key of the Fireblocks environment at `host`, when Callback Desk has it
/// (EU and EU2 have their own, not included: the account must give it).
pub fn published_key_for(host: &str) -> Option<&'static str> {
    match host {
        "api.fireblocks.io" => Some(US_PRODUCTION_KEY),
        "sandbox-api.fireblocks.io" => Some(SANDBOX_KEY),
        _ => None,
    }
}

/// Whether `signature_b64` is the v1 signature of `body` under `key`.
pub fn verify_v1(key: &rsa::RsaPublicKey, body: &[u8], signature_b64: &str) -> Result<(), SignatureProblem> {
    let malformed = |why: &str| SignatureProblem::mismatch(V1_HEADER, format!("{V1_HEADER} {why}"));
    let raw = base64::engine::general_purpose::STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| malformed("is not base64"))?;
    let sig = Signature::try_from(raw.as_slice()).map_err(|_| malformed("is not an RSA signature"))?;
    VerifyingKey::<Sha512>::new(key.clone())
        .verify(body, &sig)
        .map_err(|_| malformed("does not match the body with this webhook key"))
}

/// Whether `jws` (`<protected>..<signature>`) is the v2 signature of `body` under one of `keys` (by `kid`).
pub fn verify_v2(keys: &[(String, rsa::RsaPublicKey)], body: &[u8], jws: &str) -> Result<(), SignatureProblem> {
    let malformed = |why: String| SignatureProblem::mismatch(V2_HEADER, format!("{V2_HEADER}{why}"));
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = jws.trim().split('.');
    let (Some(protected), Some(""), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(" is not a detached JWS (<header>..<signature>)".into()));
    };
    let header: serde_json::Value = b64
        .decode(protected)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or_else(|| malformed(": its header is not base64url JSON".into()))?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("RS512") {
        return Err(malformed(": the algorithm is not RS512".into()));
    }
    let kid = header.get("kid").and_then(|k| k.as_str()).unwrap_or_default();
    let key = keys
        .iter()
        .find(|(id, _)| id == kid)
        .or_else(|| if keys.len() == 1 && kid.is_empty() { keys.first() } else { None })
        .map(|(_, k)| k)
        .ok_or_else(|| {
            SignatureProblem::new(
                SignatureFault::Unverifiable,
                Phrase::note("callbacks.fireblocks.unknown_kid").with("kid", kid),
                format!("{V2_HEADER}: the JWKS has no key {kid:?}"),
            )
        })?;
    let raw = b64.decode(signature).map_err(|_| malformed(": the signature is not base64url".into()))?;
    let sig = Signature::try_from(raw.as_slice()).map_err(|_| malformed(" is not an RSA signature".into()))?;
    let signing_input = format!("{protected}.{}", b64.encode(body));
    VerifyingKey::<Sha512>::new(key.clone())
        .verify(signing_input.as_bytes(), &sig)
        .map_err(|_| malformed(format!(" does not match the body with the JWKS key {kid:?}")))
}

/// Checks every Fireblocks signature header present with the keys the account has: the v1 key (the
/// account's, else the environment's published one) and the JWKS. At least one must be present and
/// checked; a present header that cannot be checked for lack of its key fails only when nothing else
/// was checked.
pub fn verify(
    v1_key: Option<&rsa::RsaPublicKey>,
    jwks: Option<&[(String, rsa::RsaPublicKey)]>,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), SignatureProblem> {
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let (v1, v2) = (header(V1_HEADER), header(V2_HEADER));
    if v1.is_none() && v2.is_none() {
        return Err(SignatureProblem::new(
            SignatureFault::Missing,
            Phrase::note("checker.reason.headers_missing").with("headers", format!("{V1_HEADER}, {V2_HEADER}")),
            format!("neither {V1_HEADER} nor {V2_HEADER} is present"),
        ));
    }
    let mut checked = 0;
    let mut missing = Vec::new();
    if let Some(sig) = v2 {
        match jwks {
            Some(keys) => {
                verify_v2(keys, body, sig)?;
                checked += 1;
            }
            None => missing.push((
                "webhook_jwks",
                format!("{V2_HEADER} needs Fireblocks' JWKS: add it to the account (webhook_jwks)"),
            )),
        }
    }
    if let Some(sig) = v1 {
        match v1_key {
            Some(key) => {
                verify_v1(key, body, sig)?;
                checked += 1;
            }
            None => missing.push((
                "webhook_public_key",
                format!("{V1_HEADER} needs this environment's webhook public key: add it to the account (webhook_public_key)"),
            )),
        }
    }
    if checked == 0 {
        let key = if missing.len() > 1 { "callbacks.fireblocks.needs_keys" } else { "callbacks.fireblocks.needs_key" };
        let fields: Vec<&str> = missing.iter().map(|(f, _)| *f).collect();
        let detail: Vec<String> = missing.into_iter().map(|(_, d)| d).collect();
        return Err(SignatureProblem::new(
            SignatureFault::Unverifiable,
            Phrase::note(key).with("field", fields.join(", ")),
            detail.join("; "),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::key::{parse_jwks, parse_public_key};
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;

    fn test_key() -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../../../tests/fixtures/fireblocks_test_key.pem")).unwrap()
    }

    fn jwks_of(kid: &str, key: &rsa::RsaPublicKey) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        serde_json::json!({"keys": [{"kty": "RSA", "kid": kid, "alg": "RS512", "use": "sig",
            "n": b64.encode(key.n().to_bytes_be()), "e": b64.encode(key.e().to_bytes_be())}]})
        .to_string()
    }

    fn sign_both(key: &rsa::RsaPrivateKey, kid: &str, body: &[u8]) -> Vec<(String, String)> {
        let signer = rsa::pkcs1v15::SigningKey::<Sha512>::new(key.clone());
        let v1 = base64::engine::general_purpose::STANDARD.encode(signer.sign(body).to_bytes());
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let protected = b64.encode(format!(r#"{{"alg":"RS512","kid":"{kid}"}}"#));
        let sig = signer.sign(format!("{protected}.{}", b64.encode(body)).as_bytes());
        vec![(V1_HEADER.into(), v1), (V2_HEADER.into(), format!("{protected}..{}", b64.encode(sig.to_bytes())))]
    }

    #[test]
    fn both_signatures_verify_over_the_raw_body_and_nothing_else() {
        let key = test_key();
        let public = key.to_public_key();
        let jwks = parse_jwks(&jwks_of("k-1", &public)).unwrap();
        let body = br#"{"type":"TRANSACTION_STATUS_UPDATED","data":{"id":"cfe5"}}"#;
        let headers = sign_both(&key, "k-1", body);
        assert_eq!(verify(Some(&public), Some(&jwks), &headers, body), Ok(()));
        // Either one alone, with what checks it.
        assert_eq!(verify(Some(&public), None, &headers[..1], body), Ok(()));
        assert_eq!(verify(None, Some(&jwks), &headers[1..], body), Ok(()));
        // Re-serialised JSON is not the raw body.
        let spaced = br#"{"type": "TRANSACTION_STATUS_UPDATED", "data": {"id": "cfe5"}}"#;
        assert!(verify(Some(&public), Some(&jwks), &headers, spaced).unwrap_err().detail.contains("does not match"));
        // The published sandbox key is not the test key.
        let sandbox = parse_public_key(SANDBOX_KEY).unwrap();
        assert!(verify(Some(&sandbox), None, &headers[..1], body).unwrap_err().detail.contains(V1_HEADER));
        // An unknown kid, or a header that cannot be checked alone.
        let other = parse_jwks(&jwks_of("k-2", &public)).unwrap();
        assert!(verify(None, Some(&other), &headers[1..], body).unwrap_err().detail.contains("no key"));
        assert!(verify(None, None, &headers, body).unwrap_err().detail.contains("webhook_jwks"));
        assert!(verify(Some(&public), None, &[], body).unwrap_err().detail.contains("neither"));
        // A v2 header that is not RS512.
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let hs = vec![(V2_HEADER.to_owned(), format!("{}..AAAA", b64.encode(r#"{"alg":"HS256","kid":"k-1"}"#)))];
        assert!(verify(None, Some(&jwks), &hs, body).unwrap_err().detail.contains("RS512"));
    }

    #[test]
    fn the_published_keys_parse_with_their_documented_fingerprints() {
        use rsa::pkcs8::EncodePublicKey;
        use sha2::Digest;
        for (pem, bits, sha) in [
            (US_PRODUCTION_KEY, 4096, "b8bdd05823a3ffabc5c69873d2804f30ed8e85f40f0e703ca99828c1857d42ac"),
            (SANDBOX_KEY, 2048, "65882758bfa84e9fd85c926dce69776c9ec3c9af983f4324f304f5a26840655f"),
        ] {
            let key = parse_public_key(pem).unwrap();
            assert_eq!(key.size() * 8, bits);
            assert_eq!(hex::encode(sha2::Sha256::digest(key.to_public_key_der().unwrap().as_bytes())), sha);
        }
        assert_eq!(US_PRODUCTION_KEY, include_str!("../../../tests/fixtures/fireblocks_webhook_v1_pub_US_production.pem"));
        assert_eq!(SANDBOX_KEY, include_str!("../../../tests/fixtures/fireblocks_webhook_v1_pub_sandbox.pem"));
        assert_eq!(published_key_for("api.fireblocks.io"), Some(US_PRODUCTION_KEY));
        assert_eq!(published_key_for("eu-api.fireblocks.io"), None);
    }
}
