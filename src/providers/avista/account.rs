//! An Avista client account: its fields, and everything the engine asks of it.

use super::{ops, Avista};
use crate::error::Result;
use crate::providers::account::cert_fingerprint;
use crate::providers::util;
use crate::providers::{
    AccountSource, BearerAuth, BuildCtx, BulkRequest, Outcome, Phrase, Provider, ProviderAccount, RawResponse,
    SignedRequest, Split, TestCall, Token,
};
use crate::secret::Secret;
use crate::wire::ClientIdentity;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use url::Url;

#[derive(Debug)]
pub struct AvistaAccount {
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    /// The client certificate PEM exactly as stored (sent percent-encoded in `X-SSL-Client-Cert`).
    pub client_cert_pem: Secret,
    /// SHA-256 fingerprint of the certificate's DER, `AA:BB:…` uppercase (as `openssl x509 -fingerprint
    /// -sha256` prints it): what Avista matches against the certificate linked to the account.
    pub cert_fingerprint: String,
    /// Optional private key for TLS-level client authentication.
    pub client_key_pem: Option<Secret>,
    /// The built-in receiver of the sandbox this account runs against, when it is a sandbox account (see
    /// [`AccountSource::sandbox_root`]): the one non-public one-off URL it may send.
    pub sandbox_receiver: Option<Url>,
}

impl AvistaAccount {
    pub(super) fn parse(source: &AccountSource<'_>) -> Result<AvistaAccount> {
        let cert = source.secret("client_cert_pem")?;
        let cert_fingerprint = cert_fingerprint(cert.expose())?;
        let client_key_pem = source.opt_secret("client_key_pem")?;
        if let Some(brand) = source.opt_text("brand")? {
            if !super::BRANDS.contains(&brand.as_str()) {
                return Err(crate::error::Error::invalid_field("brand", "not_allowed")
                    .with("allowed", super::BRANDS.to_vec()));
            }
        }
        if let Some(k) = &client_key_pem {
            // Parsed and matched with the certificate as the TLS client will use them.
            ClientIdentity::from_pem(cert.expose(), k).check()?;
        }
        Ok(AvistaAccount {
            base_url: source.base_url()?,
            client_id: source.text("client_id")?,
            client_secret: source.secret("client_secret")?,
            client_cert_pem: cert,
            cert_fingerprint,
            client_key_pem,
            sandbox_receiver: source
                .sandbox_root()
                .and_then(|root| Url::parse(&crate::simulator::receiver_url(root.as_str(), super::sandbox::API)).ok()),
        })
    }

    /// `raw` parsed, when this is a sandbox account and `raw` is its sandbox's built-in receiver: the
    /// receiver's path on the sandbox's host, without user-info, query or fragment. The port is not
    /// compared: the sandbox listens on a new port at each start, and bulk plans are checked against a
    /// stand-in address. `None` for any other URL, and always for accounts that are not sandbox accounts.
    pub fn sandbox_receiver(&self, raw: &str) -> Option<Url> {
        let receiver = self.sandbox_receiver.as_ref()?;
        let url = Url::parse(raw.trim()).ok()?;
        let same = url.scheme() == receiver.scheme()
            && url.host() == receiver.host()
            && url.path() == receiver.path()
            && !crate::providers::account::has_userinfo(&url)
            && url.query().is_none()
            && url.fragment().is_none();
        same.then_some(url)
    }
}

impl ProviderAccount for AvistaAccount {
    fn provider(&self) -> &'static dyn Provider {
        &Avista
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn build(&self, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
        ops::build(self, operation, params, ctx)
    }

    fn parse(&self, operation: &str, response: &RawResponse) -> Result<Outcome> {
        ops::parse(operation, response)
    }

    fn secrets(&self) -> Vec<&Secret> {
        let mut s = vec![&self.client_secret];
        if let Some(k) = &self.client_key_pem {
            s.push(k);
        }
        s
    }

    fn client_identity(&self) -> Option<ClientIdentity> {
        self.client_key_pem.as_ref().map(|k| ClientIdentity::from_pem(self.client_cert_pem.expose(), k))
    }

    fn bearer(&self) -> Option<&dyn BearerAuth> {
        Some(self)
    }

    /// One call per identifier in `transaction_identifiers`, with the other fields (a one-off `url`)
    /// copied into each.
    fn split(&self, operation: &str, request: &BulkRequest<'_>) -> Option<Result<Split>> {
        if operation != ops::RESEND_WEBHOOK {
            return None;
        }
        let params = request.params;
        let list = match util::opt_string_list(params, "transaction_identifiers") {
            Ok(Some(l)) => l,
            Ok(None) => match util::opt_string_list(params, "identifiers") {
                Ok(Some(l)) => l,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            },
            Err(e) => return Some(Err(e)),
        };
        let rest: Vec<(String, Value)> = params
            .iter()
            .filter(|(k, _)| !["transaction_identifiers", "identifiers", "transaction_identifier"].contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut seen = HashSet::new();
        let calls = list
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .map(|id| {
                let mut m = Map::new();
                m.insert("transaction_identifier".into(), json!(id));
                m.extend(rest.iter().cloned());
                m
            })
            .collect();
        Some(Ok(Split { calls, note: None }))
    }

    /// The token call: authenticated, changes nothing.
    fn test_call(&self) -> TestCall {
        TestCall::Call(ops::GET_TOKEN, Map::new())
    }

    fn describe(&self, operation: &str, result: &Value) -> Vec<Phrase> {
        if operation != ops::RESEND_WEBHOOK {
            return Vec::new();
        }
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        let status = result.get("statusCode").filter(|v| !v.is_null()).map_or_else(|| "—".to_owned(), text);
        let mut out = vec![Phrase::new("result.avista_ok").with("status", status)];
        if let Some(id) = result.get("webhookLogId").filter(|v| !v.is_null()) {
            out.push(Phrase::note("result.avista_log").with("id", text(id)));
        }
        if let Some(at) = result.get("sentAt").filter(|v| !v.is_null()) {
            out.push(Phrase::note("result.avista_sent_at").with("at", text(at)));
        }
        out
    }
}

impl BearerAuth for AvistaAccount {
    fn needs_token(&self, operation: &str) -> bool {
        operation == ops::RESEND_WEBHOOK
    }

    fn token_operation(&self) -> &'static str {
        ops::GET_TOKEN
    }

    fn parse_token(&self, response: &RawResponse) -> Result<Token> {
        ops::parse_token(response)
    }

    /// Per server and client: a token from one host is never sent to another.
    fn cache_key(&self) -> String {
        format!("avista\u{0}{}\u{0}{}", self.base_url, self.client_id)
    }
}

