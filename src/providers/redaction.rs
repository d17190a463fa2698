//! The redaction engine ([`crate::redact`]) with every credential name: the generic HTTP ones and each
//! registered provider's own headers and body fields. Every request and response shown, recorded or
//! exported goes through [`redactor`], so a provider's credentials are masked wherever they appear once
//! its folder declares them.

use super::{credential_fields, credential_headers};
use crate::redact::Redactor;
use crate::wire::SignedRequest;
use std::fmt;
use std::sync::OnceLock;

/// The engine masking every provider's credential names.
pub fn redactor() -> &'static Redactor {
    static ENGINE: OnceLock<Redactor> = OnceLock::new();
    ENGINE.get_or_init(|| Redactor::new(credential_headers(), credential_fields()))
}

/// A signed request prints its redacted form (here, where every credential name is known).
impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = redactor().request(self);
        f.debug_struct("SignedRequest")
            .field("method", &r.method)
            .field("url", &r.url)
            .field("headers", &r.headers)
            .field("body", &r.body)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::Scrubber;
    use crate::providers::REGISTRY;
    use crate::secret::REDACTED;
    use crate::wire::{HttpMethod, RawResponse};

    /// Every name each provider declares, and every name masked before providers declared their own, is
    /// masked in request and response headers, in JSON bodies at any depth and in form bodies.
    #[test]
    fn every_provider_s_credentials_are_masked_everywhere() {
        let r = redactor();
        let declared_headers = REGISTRY.iter().flat_map(|p| p.credential_headers().iter().copied());
        let earlier_headers = [
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
        for name in declared_headers.chain(earlier_headers) {
            let req = SignedRequest {
                method: HttpMethod::Get,
                url: "https://example.com/".into(),
                headers: vec![(name.to_owned(), "header-canary".into())],
                body: None,
            };
            assert_eq!(r.request(&req).headers[0].1, REDACTED, "{name} in a request");
            assert!(!format!("{req:?}").contains("header-canary"), "{name} in Debug");
            let resp = RawResponse::new(200, &[(name, "header-canary")], "");
            assert_eq!(r.response(&resp).headers[0].1, REDACTED, "{name} in a response");
        }
        let declared_fields = REGISTRY.iter().flat_map(|p| p.credential_fields().iter().copied());
        let earlier_fields = [
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
        let scrubber = Scrubber::now();
        for name in declared_fields.chain(earlier_fields) {
            for body in
                [format!(r#"{{"ok":1,"nested":[{{"{name}":"value-canary"}}]}}"#), format!("ok=1&{name}=value-canary")]
            {
                let out = r.body(&scrubber, &body);
                assert!(!out.contains("value-canary"), "{name} left unmasked: {out}");
                let resp = RawResponse::new(200, &[], body.clone());
                assert!(!r.response(&resp).body.contains("value-canary"), "{name} in a response: {body}");
            }
        }
    }

    /// What each provider's requests and answers carry is declared by the provider itself.
    #[test]
    fn each_provider_declares_the_credentials_it_sends_and_receives() {
        let declared = |id: &str| {
            let p = crate::providers::ProviderId::parse(id).unwrap().get();
            let mut names: Vec<String> =
                p.credential_headers().iter().chain(p.credential_fields()).map(|n| n.to_ascii_lowercase()).collect();
            names.sort();
            names
        };
        let has = |id: &str, names: &[&str]| {
            for n in names {
                assert!(declared(id).contains(&n.to_ascii_lowercase()), "{id} does not declare {n}");
            }
        };
        has("cybavo", &["X-API-CODE", "X-CHECKSUM", "checksum", "api_secret"]);
        has("ceffu", &["open-apikey", "signature", "private_key"]);
        has("avista", &["Authorization", "X-SSL-Client-Cert", "clientSecret", "client_secret", "access_token"]);
        has("ccpayment", &["Sign", "app_secret"]);
    }

    /// A form-encoded body is masked wherever a request or an answer is shown, not only in history (before,
    /// previews, call records and `Debug` showed `client_secret=…` of a form body).
    #[test]
    fn form_bodies_are_masked_in_requests_answers_and_debug() {
        let req = SignedRequest {
            method: HttpMethod::Post,
            url: "https://example.com/token".into(),
            headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
            body: Some(b"grant_type=client_credentials&client_secret=form-canary-1".to_vec()),
        };
        assert!(!format!("{req:?}").contains("form-canary-1"), "{req:?}");
        let shown = redactor().request(&req);
        assert_eq!(shown.body.as_deref(), Some("grant_type=client_credentials&client_secret=<redacted>"));
        let resp = RawResponse::new(200, &[], "access_token=form-canary-2&token_type=bearer");
        assert_eq!(redactor().response(&resp).body, "access_token=<redacted>&token_type=bearer");
    }
}
