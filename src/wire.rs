//! What travels on the wire between the core and a provider: the signed request as sent and the answer
//! as received, and their redacted forms (what previews, results and history show; made by
//! [`crate::redact`]). Shared by the providers (which build and parse them) and the transport (which sends and
//! reads them), so neither imports the other; and the TLS client identity an account may authenticate with
//! (built by its provider, loaded by the transport).

use crate::error::Error;
use crate::secret::Secret;
use serde::Serialize;
use ts_rs::TS;

/// HTTP methods the providers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// A fully signed request, ready to send byte for byte.
///
/// `body` holds the exact bytes that were signed; the transport sends this buffer unchanged (never a
/// re-serialisation), and history stores its redacted form. `Debug` prints the redacted form (implemented
/// in `providers/redaction.rs`, where every credential name is known).
#[derive(Clone, PartialEq)]
pub struct SignedRequest {
    pub method: HttpMethod,
    pub url: String,
    /// Header names as sent, in order.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl SignedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for previews.
    pub fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// What a response looked like on the wire: status, headers, the raw body bytes and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed_ms: u64,
    /// Local clock when the response arrived (used to compute clock skew from a server `Date`).
    pub received_at_ms: i64,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Convenience for tests and the sandbox.
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        RawResponse {
            status,
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: body.into(),
            elapsed_ms: 0,
            received_at_ms: 0,
        }
    }
}

/// A request as history and exports store it: credential headers masked, secret body fields masked,
/// every registered secret scrubbed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RedactedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A response as history stores it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RedactedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed_ms: u64,
}

/// A TLS client identity (certificate + private key PEM) for providers that may require mTLS.
pub struct ClientIdentity {
    pem: Secret,
}

impl ClientIdentity {
    pub fn from_pem(cert_pem: &str, key_pem: &Secret) -> Self {
        ClientIdentity { pem: Secret::new(format!("{}\n{}\n", cert_pem.trim_end(), key_pem.expose().trim_end())) }
    }

    /// The certificate chain and key as one PEM text, as the TLS client loads it.
    pub fn pem(&self) -> &Secret {
        &self.pem
    }

    /// Checks the identity as the TLS client will load it when a call is made (the PEM sections read as
    /// `reqwest::Identity::from_pem` reads them, then rustls's `CertifiedKey::from_der`), so a bad key
    /// shows when the account is saved: `client_key_pem` with the reason `invalid_client_key` (no
    /// private key, or one rustls cannot sign with) or `client_key_mismatch` (the key does not belong to
    /// the first certificate).
    pub fn check(&self) -> Result<(), Error> {
        use rustls::pki_types::pem::{self, SectionKind};
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |why: &str| Error::invalid_field("client_key_pem", "invalid_client_key").detail(why.to_owned());
        let mut reader = std::io::Cursor::new(self.pem.expose().as_bytes());
        let mut certs = Vec::<CertificateDer<'static>>::new();
        let mut key = None;
        while let Some((kind, der)) = pem::from_buf(&mut reader).map_err(|_| bad("not readable PEM"))? {
            match kind {
                SectionKind::Certificate => certs.push(der.into()),
                SectionKind::PrivateKey => key = Some(PrivateKeyDer::Pkcs8(der.into())),
                SectionKind::RsaPrivateKey => key = Some(PrivateKeyDer::Pkcs1(der.into())),
                SectionKind::EcPrivateKey => key = Some(PrivateKeyDer::Sec1(der.into())),
                _ => return Err(bad("a PEM section that is neither a certificate nor a private key")),
            }
        }
        let key = key.ok_or_else(|| bad("no private key"))?;
        let provider = rustls::crypto::ring::default_provider();
        match rustls::sign::CertifiedKey::from_der(certs, key, &provider) {
            Ok(_) => Ok(()),
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                Err(Error::invalid_field("client_key_pem", "client_key_mismatch"))
            }
            Err(e) => Err(bad(&e.to_string())),
        }
    }
}
