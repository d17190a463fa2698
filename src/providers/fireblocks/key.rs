//! The keys of a Fireblocks account: the API user's RSA private key (it signs every request's JWT),
//! parsed and bounded once, never printed; and the RSA public keys that check Fireblocks' webhooks
//! (a PEM, or the JWKS of the v2 signatures).

use crate::error::{Error, Result};
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::RsaPrivateKey;
use sha2::Sha256;
use std::fmt;

/// The API user's private key, ready to sign (RS256). `Debug` prints only the modulus size.
pub struct ApiSecretKey {
    signing: SigningKey<Sha256>,
    bits: usize,
}

impl fmt::Debug for ApiSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiSecretKey(RSA-{} <redacted>)", self.bits)
    }
}

impl ApiSecretKey {
    /// Fireblocks documents `openssl req -new -newkey rsa:4096`; 2048 bits is the least it takes.
    pub const MIN_BITS: usize = 2048;
    /// Checked before any arithmetic on the key (signing grows fast with its size).
    pub const MAX_BITS: usize = 4096;

    /// Accepts a `BEGIN PRIVATE KEY` (PKCS#8, what `openssl req -newkey` writes) or `BEGIN RSA PRIVATE
    /// KEY` (PKCS#1) PEM; only the first block of a pasted file is read. The modulus must be from
    /// [`MIN_BITS`](Self::MIN_BITS) to [`MAX_BITS`](Self::MAX_BITS), read from the key's structure
    /// before the key is built.
    pub fn parse(text: &str) -> Result<ApiSecretKey> {
        use rsa::pkcs1::der::{pem, Decode};
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let bad = || Error::invalid_field("private_key", "not_rsa_pem_key");
        let t = text.trim();
        let (end_line, label, pkcs8) = if t.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            ("-----END RSA PRIVATE KEY-----", "RSA PRIVATE KEY", false)
        } else if t.starts_with("-----BEGIN PRIVATE KEY-----") {
            ("-----END PRIVATE KEY-----", "PRIVATE KEY", true)
        } else {
            return Err(bad());
        };
        let end = t.find(end_line).ok_or_else(bad)? + end_line.len();
        let der = match pem::decode_vec(&t.as_bytes()[..end]) {
            Ok((l, der)) if l == label => zeroize::Zeroizing::new(der),
            _ => return Err(bad()),
        };
        let pkcs1 = if pkcs8 { rsa::pkcs8::PrivateKeyInfo::from_der(&der).map_err(|_| bad())?.private_key } else { &der[..] };
        let structure = rsa::pkcs1::RsaPrivateKey::from_der(pkcs1).map_err(|_| bad())?;
        let bits = structure.modulus.as_bytes().len() * 8;
        if !(Self::MIN_BITS..=Self::MAX_BITS).contains(&bits) {
            return Err(Error::invalid_field("private_key", "rsa_key_size")
                .with("min_bits", Self::MIN_BITS)
                .with("max_bits", Self::MAX_BITS)
                .detail(format!("{bits} bits")));
        }
        let key = if pkcs8 { RsaPrivateKey::from_pkcs8_der(&der).ok() } else { RsaPrivateKey::from_pkcs1_der(&der).ok() };
        let key = key.ok_or_else(bad)?;
        key.validate().map_err(|_| bad())?;
        Ok(ApiSecretKey { signing: SigningKey::<Sha256>::new(key), bits })
    }

    pub(super) fn signing(&self) -> &SigningKey<Sha256> {
        &self.signing
    }

    /// The public half (what Fireblocks holds from the API user's CSR).
    pub fn public_key(&self) -> rsa::RsaPublicKey {
        use rsa::signature::Keypair;
        self.signing.verifying_key().into()
    }
}

/// An RSA public key from text: a `BEGIN PUBLIC KEY` PEM (SPKI) or `BEGIN RSA PUBLIC KEY` (PKCS#1),
/// also when pasted on one line (line breaks lost), or the bare base64 of the SPKI DER. `None` when it
/// is none of these.
pub fn parse_public_key(text: &str) -> Option<rsa::RsaPublicKey> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    let t = text.trim();
    let (body, pkcs1) = if let Some(rest) = t.strip_prefix("-----BEGIN RSA PUBLIC KEY-----") {
        (rest.split("-----END RSA PUBLIC KEY-----").next()?, true)
    } else if let Some(rest) = t.strip_prefix("-----BEGIN PUBLIC KEY-----") {
        (rest.split("-----END PUBLIC KEY-----").next()?, false)
    } else {
        (t, false)
    };
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    if pkcs1 {
        rsa::RsaPublicKey::from_pkcs1_der(&der).ok()
    } else {
        rsa::RsaPublicKey::from_public_key_der(&der).ok()
    }
}

/// The RSA keys of a JWKS document (`{"keys": [{"kty": "RSA", "kid", "n", "e"}, …]}`), by `kid`.
pub fn parse_jwks(text: &str) -> Option<Vec<(String, rsa::RsaPublicKey)>> {
    let v: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let keys = v.get("keys")?.as_array()?;
    let mut out = Vec::new();
    for k in keys {
        if k.get("kty").and_then(|t| t.as_str()) != Some("RSA") {
            continue;
        }
        let field = |name: &str| k.get(name).and_then(|x| x.as_str()).and_then(|s| b64.decode(s.trim_end_matches('=')).ok());
        let (Some(n), Some(e)) = (field("n"), field("e")) else { continue };
        if n.len() * 8 > 8192 {
            continue;
        }
        let kid = k.get("kid").and_then(|x| x.as_str()).unwrap_or_default().to_owned();
        if let Ok(key) = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&n), rsa::BigUint::from_bytes_be(&e)) {
            out.push((kid, key));
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../../tests/fixtures/fireblocks_test_key.pem");
    const PUB: &str = include_str!("../../../tests/fixtures/fireblocks_test_pub.pem");

    #[test]
    fn the_test_key_parses_and_its_public_half_is_the_published_one() {
        let key = ApiSecretKey::parse(KEY).unwrap();
        assert_eq!(format!("{key:?}"), "ApiSecretKey(RSA-4096 <redacted>)");
        assert_eq!(key.public_key(), parse_public_key(PUB).unwrap());
        // The same key pasted into a one-line field (line breaks lost) or without its PEM lines.
        let one_line: String = PUB.lines().collect();
        assert_eq!(parse_public_key(&one_line), parse_public_key(PUB));
        let bare: String = PUB.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(parse_public_key(&bare), parse_public_key(PUB));
        assert_eq!(parse_public_key("not a key"), None);
    }

    #[test]
    fn keys_outside_2048_to_4096_bits_or_not_rsa_private_keys_are_refused() {
        let reason = |text: &str| ApiSecretKey::parse(text).unwrap_err().params["reason"].as_str().unwrap().to_owned();
        assert_eq!(reason(include_str!("../../../tests/fixtures/rsa_512_test_key.pem")), "rsa_key_size");
        assert_eq!(reason(include_str!("../../../tests/fixtures/rsa_8704_test_key.pem")), "rsa_key_size");
        assert_eq!(reason(PUB), "not_rsa_pem_key");
        assert_eq!(reason("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"), "not_rsa_pem_key");
        assert_eq!(reason(include_str!("../../../tests/fixtures/avista_mtls_test_key.pem")), "not_rsa_pem_key");
        // A 2048-bit key is taken, and the test key written as PKCS#1.
        assert!(ApiSecretKey::parse(include_str!("../../../tests/fixtures/ceffu_test_key.pem")).is_ok());
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let pkcs1 = RsaPrivateKey::from_pkcs8_pem(KEY).unwrap().to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert_eq!(ApiSecretKey::parse(&pkcs1).unwrap().public_key(), parse_public_key(PUB).unwrap());
    }
}
