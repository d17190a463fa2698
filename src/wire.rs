//! What travels on the wire between the core and a provider: the signed request as sent and the answer
//! as received. Shared by the providers (which build and parse them) and the transport (which sends and
//! reads them), so neither imports the other.

use serde::Serialize;
use std::fmt;
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
/// re-serialisation), and history stores its redacted form. `Debug` prints the redacted form.
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

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = crate::transport::redact_request(self);
        f.debug_struct("SignedRequest")
            .field("method", &r.method)
            .field("url", &r.url)
            .field("headers", &r.headers)
            .field("body", &r.body)
            .finish()
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
