//! Avista has no request signature. The deterministic parts are the certificate header and the
//! certificate fingerprint the server checks.
//!
//! `X-SSL-Client-Cert` = the whole PEM as stored (header, footer and newlines, trailing newline
//! included) percent-encoded like JavaScript `encodeURIComponent` (so `/` → `%2F`, `+` → `%2B`,
//! `=` → `%3D`, space → `%20`, newline → `%0A`). Python's `quote` keeps `/`; both decode to the same PEM.

use crate::providers::util::encode_uri_component;

/// The `X-SSL-Client-Cert` header value for a certificate PEM.
pub fn client_cert_header(pem: &str) -> String {
    encode_uri_component(pem)
}

pub use crate::providers::account::cert_fingerprint;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn header_encoding_and_fingerprint_vectors() {
        let v: Value = serde_json::from_str(include_str!("../../../tests/fixtures/vectors.json")).unwrap();
        let pem = include_str!("../../../tests/fixtures/avista_test_cert.pem");
        let h = client_cert_header(pem);
        assert_eq!(h.len() as u64, v["avista"]["encode_uri_component_length"].as_u64().unwrap());
        assert!(h.starts_with(v["avista"]["header_prefix"].as_str().unwrap()));
        assert!(h.ends_with("-----END%20CERTIFICATE-----%0A"));
        let decoded = percent_encoding::percent_decode_str(&h).decode_utf8().unwrap();
        assert_eq!(decoded, pem);
        assert_eq!(cert_fingerprint(pem).unwrap(), v["avista"]["fingerprint_sha256"].as_str().unwrap());
    }
}
