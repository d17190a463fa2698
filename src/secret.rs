//! Secret values: never printed, never serialized.
//!
//! Every secret the core handles (API secrets, private keys, client secrets, bearer tokens) travels in
//! [`Secret`]. Its `Debug` and `Display` print `<redacted>`, it implements neither `Serialize` nor `Clone`
//! by accident of derive, and its memory is zeroed on drop (through `secrecy`). Code that must use the
//! value calls [`Secret::expose`], which is easy to search for in review. Secrets come in already wrapped:
//! `Deserialize` reads a JSON string as a `Secret` (the window's account form, account files); nothing
//! writes one out.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// The text every redacted value is replaced with, in logs, history and exports.
pub const REDACTED: &str = "<redacted>";

/// The generic HTTP credential headers, masked in every request and response whatever the provider
/// (compared ignoring ASCII case). Each provider declares its own beyond these
/// ([`Provider::credential_headers`](crate::providers::Provider::credential_headers)); the redaction engine
/// ([`crate::redact`]) masks them all.
pub const HTTP_CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// The generic names of credential fields in JSON or form bodies (OAuth tokens and client secrets,
/// passwords), masked at any depth whatever the provider. Each provider declares its own beyond these
/// ([`Provider::credential_fields`](crate::providers::Provider::credential_fields)).
pub const HTTP_CREDENTIAL_FIELDS: &[&str] =
    &["access_token", "refresh_token", "id_token", "client_secret", "secret", "password", "authorization"];

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

/// A JSON string read as a secret (what the window and account files send in). There is no `Serialize`:
/// a secret never goes out.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
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
    fn a_secret_is_read_from_json_and_never_written() {
        let s: Secret = serde_json::from_str(r#""read-canary-1""#).unwrap();
        assert_eq!(s.expose(), "read-canary-1");
        assert!(serde_json::from_str::<Secret>("12").is_err(), "only text");
        // `Serialize` is not implemented: the inherent method below applies only to types that have it.
        struct Probe<T>(T);
        trait Fallback {
            fn serializable(&self) -> bool {
                false
            }
        }
        impl<T> Fallback for Probe<T> {}
        impl<T: serde::Serialize> Probe<T> {
            #[allow(dead_code)]
            fn serializable(&self) -> bool {
                true
            }
        }
        assert!(Probe("text").serializable(), "the probe sees Serialize");
        assert!(!Probe(s).serializable(), "a Secret must not be Serialize");
    }
}
