//! Key and certificate parsers of the account form: the Ceffu RSA key (`CeffuKey::parse`: PKCS#8 PEM,
//! PKCS#1 PEM, or base64 DER) and the Avista client certificate (`cert_fingerprint`).
//!
//! A key either parses or is `input.invalid` on `private_key`; a parsed key prints no key material and
//! signs what its public half verifies. A certificate either gives an `AA:BB:…` SHA-256 fingerprint or is
//! `input.invalid` on `client_cert_pem`.
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::providers::account::cert_fingerprint;
use callback_desk::providers::ceffu::CeffuKey;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    match CeffuKey::parse(&text) {
        Ok(key) => {
            let shown = format!("{key:?}");
            assert!(shown.starts_with("CeffuKey(RSA-") && shown.ends_with(" <redacted>)"), "{shown}");
            let public = key.public_key();
            let sig = callback_desk::providers::ceffu::sign::sign(&key, data);
            assert!(callback_desk::providers::ceffu::sign::verify(&public, data, &sig), "a parsed key signs");
        }
        Err(e) => {
            f::check_error(&e);
            assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputInvalid, Some("private_key")));
        }
    }

    match cert_fingerprint(&text) {
        Ok(fp) => {
            assert_eq!(fp.len(), 95, "{fp}");
            for (i, c) in fp.chars().enumerate() {
                if i % 3 == 2 {
                    assert_eq!(c, ':');
                } else {
                    assert!(c.is_ascii_hexdigit() && !c.is_ascii_lowercase(), "{fp}");
                }
            }
        }
        Err(e) => {
            f::check_error(&e);
            assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputInvalid, Some("client_cert_pem")));
        }
    }
});
