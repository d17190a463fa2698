//! Secret values: never printed, never serialized.
//!
//! Every secret the core handles (API secrets, private keys, client secrets, bearer tokens) travels in
//! [`Secret`]. Its `Debug` and `Display` print `<redacted>`, it implements neither `Serialize` nor `Clone`
//! by accident of derive, and its memory is zeroed on drop (through `secrecy`). Code that must use the
//! value calls [`Secret::expose`], which is easy to search for in review.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// The text every redacted value is replaced with, in logs, history and exports.
pub const REDACTED: &str = "<redacted>";

/// Header names whose values are always replaced with [`REDACTED`] (compared ignoring ASCII case): the
/// providers' signature and credential headers, and the usual HTTP credential headers. The one list used
/// by the transport (`crate::transport::redact_request`/`redact_response`: previews, results shown in the
/// UI and CLI) and by history (`crate::history`: rows, CSV export).
pub const SENSITIVE_HEADERS: &[&str] = &[
    "x-checksum",
    "sign",
    "signature",
    "authorization",
    "open-apikey",
    "x-api-code",
    "x-ssl-client-cert",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Field names in JSON or form bodies whose values are replaced with [`REDACTED`] at any depth (compared
/// ignoring ASCII case): signatures, tokens and client credentials (e.g. Avista's `clientSecret` in its
/// token call and `access_token` in the answer). Used by the transport and by history, like
/// [`SENSITIVE_HEADERS`].
pub const SENSITIVE_BODY_FIELDS: &[&str] = &[
    "sign",
    "signature",
    "checksum",
    "x-checksum",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "clientsecret",
    "api_secret",
    "apisecret",
    "secret",
    "private_key",
    "privatekey",
    "password",
    "authorization",
];

/// True when `name` is one of [`SENSITIVE_HEADERS`].
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.trim();
    SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// True when `name` is one of [`SENSITIVE_BODY_FIELDS`].
pub fn is_sensitive_field(name: &str) -> bool {
    let name = name.trim();
    SENSITIVE_BODY_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The plain value. Only signing code and the vault call this.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    /// An explicit copy (secrets are not `Clone`, so every copy is visible in the code).
    pub fn duplicate(&self) -> Secret {
        Secret::new(self.expose().to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2-canary");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&s)), format!("Some({REDACTED})"));
        assert_eq!(s.expose(), "hunter2-canary");
    }

    #[test]
    fn transport_and_history_mask_the_same_names() {
        use crate::history::{RecordedRequest, RecordedResponse};
        use crate::providers::{HttpMethod, RawResponse, SignedRequest};
        let headers = [
            "X-CHECKSUM",
            "Sign",
            "signature",
            "Authorization",
            "open-apikey",
            "X-API-CODE",
            "X-SSL-Client-Cert",
            "Proxy-Authorization",
            "Cookie",
            "Set-Cookie",
        ];
        let fields = [
            "sign",
            "signature",
            "checksum",
            "x-checksum",
            "access_token",
            "refresh_token",
            "id_token",
            "client_secret",
            "clientSecret",
            "api_secret",
            "apiSecret",
            "secret",
            "private_key",
            "privateKey",
            "password",
            "authorization",
        ];
        for name in fields {
            let body = format!(r#"{{"ok":1,"nested":{{"{name}":"value-canary-{name}"}}}}"#);
            let t = crate::transport::redact_body(body.as_bytes());
            let h = crate::history::redact_body(&body);
            for (who, out) in [("transport", &t), ("history", &h)] {
                assert!(!out.contains("value-canary"), "{who} left {name} unmasked: {out}");
            }
        }
        for name in headers {
            let req = SignedRequest {
                method: HttpMethod::Get,
                url: "https://example.com/".into(),
                headers: vec![(name.to_owned(), "header-canary".into())],
                body: None,
            };
            let t = crate::transport::redact_request(&req);
            assert_eq!(t.headers[0].1, REDACTED, "transport left {name} unmasked");
            let resp = crate::transport::redact_response(&RawResponse::new(200, &[(name, "header-canary")], ""));
            assert_eq!(resp.headers[0].1, REDACTED, "transport left {name} unmasked in a response");
            let h = crate::history::redact_request(RecordedRequest {
                method: "GET".into(),
                url: "https://example.com/".into(),
                headers: vec![(name.to_owned(), "header-canary".into())],
                body: String::new(),
            });
            assert_eq!(h.headers[0].1, REDACTED, "history left {name} unmasked");
            let h = crate::history::redact_response(RecordedResponse {
                status: 200,
                headers: vec![(name.to_owned(), "header-canary".into())],
                body: String::new(),
                elapsed_ms: 0,
            });
            assert_eq!(h.headers[0].1, REDACTED);
        }
    }
}
