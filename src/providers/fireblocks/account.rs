//! A Fireblocks account (an API user of a workspace): its fields, and everything the engine asks of it.

use super::key::{parse_jwks, parse_public_key, ApiSecretKey};
use super::{answers, ops, webhooks, Fireblocks};
use crate::error::{Error, Result};
use crate::providers::util;
use crate::providers::{
    AccountSource, BuildCtx, BulkRequest, Outcome, Phrase, Provider, ProviderAccount, RawResponse, SignedRequest, Split,
    TestCall,
};
use crate::secret::Secret;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use url::Url;

#[derive(Debug)]
pub struct FireblocksAccount {
    /// The environment's API base, `/v1` included (`https://api.fireblocks.io/v1`).
    pub base_url: Url,
    /// The API user's id (sent as `X-API-Key` and as the JWT's `sub`): a credential.
    pub api_key: Secret,
    /// The API user's private key as entered (kept so that logs and errors never show it).
    pub private_key: Secret,
    pub key: ApiSecretKey,
    /// The v2 webhook whose notifications are resent and listed.
    pub webhook_id: Option<String>,
    /// The key checking v1 webhook signatures: the account's, else the environment's published one.
    pub webhook_key: Option<rsa::RsaPublicKey>,
    /// The JWKS checking v2 webhook signatures, when given.
    pub jwks: Option<Vec<(String, rsa::RsaPublicKey)>>,
}

impl FireblocksAccount {
    pub(super) fn parse(source: &AccountSource<'_>) -> Result<FireblocksAccount> {
        let base_url = source.base_url()?;
        let api_key = source.header_secret("api_key")?;
        let private_key = source.secret("private_key")?;
        let key = ApiSecretKey::parse(private_key.expose())?;
        let webhook_key = match source.opt_text("webhook_public_key")? {
            Some(text) => Some(
                parse_public_key(&text).ok_or_else(|| Error::invalid_field("webhook_public_key", "invalid_public_key"))?,
            ),
            None => base_url.host_str().and_then(webhooks::published_key_for).and_then(parse_public_key),
        };
        let jwks = match source.opt_text("webhook_jwks")? {
            Some(text) => Some(parse_jwks(&text).ok_or_else(|| Error::invalid_field("webhook_jwks", "invalid_jwks"))?),
            None => None,
        };
        source.calls_per_minute()?;
        Ok(FireblocksAccount {
            base_url,
            api_key,
            private_key,
            key,
            webhook_id: source.opt_text("webhook_id")?,
            webhook_key,
            jwks,
        })
    }
}

impl ProviderAccount for FireblocksAccount {
    fn provider(&self) -> &'static dyn Provider {
        &Fireblocks
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
        answers::parse(operation, response)
    }

    /// `Fireblocks-Signature` (v1) with the account's webhook key, `Fireblocks-Webhook-Signature` (v2)
    /// with its JWKS.
    fn verify_callback(&self, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), String>> {
        Some(webhooks::verify(self.webhook_key.as_ref(), self.jwks.as_deref(), headers, body))
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.api_key, &self.private_key]
    }

    /// One call per transaction id: `resourceIds` for the v2 resend of a transaction's notifications,
    /// `txIds` for the v1 resend of its webhooks; the other fields are copied into each.
    fn split(&self, operation: &str, request: &BulkRequest<'_>) -> Option<Result<Split>> {
        let (list, single) = match operation {
            ops::RESEND_BY_RESOURCE => ("resourceIds", "resourceId"),
            ops::RESEND_TRANSACTION_V1 => ("txIds", "txId"),
            _ => return None,
        };
        let params = request.params;
        let ids = match util::opt_string_list(params, list) {
            Ok(Some(ids)) => ids,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let rest: Vec<(String, Value)> =
            params.iter().filter(|(k, _)| *k != list && *k != single).map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut seen = HashSet::new();
        let calls = ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .map(|id| {
                let mut m = Map::new();
                m.insert(single.to_owned(), json!(id));
                m.extend(rest.iter().cloned());
                m
            })
            .collect();
        Some(Ok(Split { calls, note: None }))
    }

    /// The list of the workspace's webhooks: authenticated, changes nothing.
    fn test_call(&self) -> TestCall {
        let mut p = Map::new();
        p.insert("pageSize".into(), json!(1));
        TestCall::Call(ops::LIST_WEBHOOKS, p)
    }

    fn describe(&self, operation: &str, result: &Value) -> Vec<Phrase> {
        super::words::describe(operation, result)
    }
}
