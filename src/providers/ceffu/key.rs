//! The Ceffu RSA private key: parsed once, bounded in size, never printed.

use crate::error::{Error, Result};
use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use std::fmt;

/// A Ceffu RSA private key, parsed once. `Debug` prints only the modulus size.
pub struct CeffuKey(pub(crate) Box<RsaPrivateKey>);

impl fmt::Debug for CeffuKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use rsa::traits::PublicKeyParts;
        write!(f, "CeffuKey(RSA-{} <redacted>)", self.0.size() * 8)
    }
}

impl CeffuKey {
    /// Smallest accepted modulus. Ceffu issues 2048-bit keys; a key under 752 bits cannot even hold a
    /// SHA-512 PKCS#1 v1.5 signature, so signing with it would fail at send time instead of at save time.
    pub const MIN_BITS: usize = 2048;
    /// Largest accepted modulus, checked before any arithmetic on the key: checking and signing with a
    /// key grow quickly with its size, and a field of 64 KiB could otherwise hold a key of about 90,000
    /// bits that takes minutes per signature.
    pub const MAX_BITS: usize = 8192;

    /// The public half (what Ceffu holds to check signatures).
    pub fn public_key(&self) -> rsa::RsaPublicKey {
        self.0.to_public_key()
    }

    /// Accepts a `-----BEGIN PRIVATE KEY-----` PEM (PKCS#8), a `BEGIN RSA PRIVATE KEY` PEM (PKCS#1), or
    /// the base64 of a PKCS#8 DER key on one or more lines (Ceffu's "API secret" format). The modulus
    /// must be from [`MIN_BITS`](Self::MIN_BITS) to [`MAX_BITS`](Self::MAX_BITS) (counted in whole
    /// bytes, as the key's size is); its size is read from the key's structure before the key is built.
    pub fn parse(text: &str) -> Result<CeffuKey> {
        use rsa::pkcs1::der::Decode;
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let bad = || Error::invalid_field("private_key", "invalid_private_key");
        let (der, pkcs8) = Self::der(text)?;
        let pkcs1_der =
            if pkcs8 { rsa::pkcs8::PrivateKeyInfo::from_der(&der).map_err(|_| bad())?.private_key } else { &der[..] };
        let structure = rsa::pkcs1::RsaPrivateKey::from_der(pkcs1_der).map_err(|_| bad())?;
        let bits = structure.modulus.as_bytes().len() * 8;
        if bits < Self::MIN_BITS {
            return Err(Error::invalid_field("private_key", "key_too_small").with("min_bits", Self::MIN_BITS));
        }
        if bits > Self::MAX_BITS {
            return Err(Error::invalid_field("private_key", "key_too_large").with("max_bits", Self::MAX_BITS));
        }
        let key =
            if pkcs8 { RsaPrivateKey::from_pkcs8_der(&der).ok() } else { RsaPrivateKey::from_pkcs1_der(&der).ok() };
        key.map(|k| CeffuKey(Box::new(k))).ok_or_else(bad)
    }

    /// The key's DER and whether it is PKCS#8 (else PKCS#1). Of a PEM, only the first block is read (a
    /// pasted file may also hold the public key).
    fn der(text: &str) -> Result<(zeroize::Zeroizing<Vec<u8>>, bool)> {
        use rsa::pkcs1::der::pem;
        let t = text.trim();
        let bad = || Error::invalid_field("private_key", "invalid_private_key");
        let pem_block = |end_line: &str, label: &str| -> Result<zeroize::Zeroizing<Vec<u8>>> {
            let end = t.find(end_line).ok_or_else(bad)? + end_line.len();
            match pem::decode_vec(&t.as_bytes()[..end]) {
                Ok((l, der)) if l == label => Ok(zeroize::Zeroizing::new(der)),
                _ => Err(bad()),
            }
        };
        if t.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            return Ok((pem_block("-----END RSA PRIVATE KEY-----", "RSA PRIVATE KEY")?, false));
        }
        if t.starts_with("-----BEGIN") {
            return Ok((pem_block("-----END PRIVATE KEY-----", "PRIVATE KEY")?, true));
        }
        let b64: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad())?;
        Ok((zeroize::Zeroizing::new(der), true))
    }
}

