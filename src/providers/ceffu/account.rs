//! A Ceffu API-key account: its fields, and everything the engine asks of it.

use super::{ops, Ceffu, CeffuKey, EVENT_TYPES};
use crate::error::{Error, Result};
use crate::providers::util;
use crate::providers::{
    AccountSource, BuildCtx, BulkRequest, NamedId, Outcome, Phrase, Provider, ProviderAccount, RawResponse, SignedRequest,
    Split, TestCall,
};
use crate::secret::Secret;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use url::Url;

#[derive(Debug)]
pub struct CeffuAccount {
    pub base_url: Url,
    pub api_key: Secret,
    pub private_key: CeffuKey,
    /// The webhook endpoints' ids stored on the account (offered in the resend form).
    pub webhook_ids: Vec<NamedId>,
}

impl CeffuAccount {
    pub(super) fn parse(source: &AccountSource<'_>) -> Result<CeffuAccount> {
        let key = source.secret("private_key")?;
        let account = CeffuAccount {
            base_url: source.base_url()?,
            api_key: source.header_secret("api_key")?,
            private_key: CeffuKey::parse(key.expose())?,
            webhook_ids: source.named_ids("webhook_ids")?,
        };
        source.calls_per_minute()?;
        Ok(account)
    }
}

impl ProviderAccount for CeffuAccount {
    fn provider(&self) -> &'static dyn Provider {
        &Ceffu
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
        vec![&self.api_key]
    }

    /// One call per event type (`eventTypes`, default all four) with `resendFromDateTime` = `since` in
    /// milliseconds. Ceffu has no end bound: it resends every failed notification from then on.
    fn split(&self, operation: &str, request: &BulkRequest<'_>) -> Option<Result<Split>> {
        (operation == ops::RESEND_WEBHOOKS).then(|| {
            let params = request.params;
            let from_ms = match request.since {
                Some(s) => s * 1000,
                None => {
                    let ms = util::req_i64(params, "resendFromDateTime").map_err(|_| Error::missing_field("since"))?;
                    crate::providers::bulk::unix_seconds("resendFromDateTime", ms.div_euclid(1000))?;
                    ms
                }
            };
            let types = match util::opt_string_list(params, "eventTypes")? {
                Some(t) => t,
                None => match util::opt_string_list(params, "eventType")? {
                    Some(t) => t,
                    None => EVENT_TYPES.iter().map(|s| (*s).to_owned()).collect(),
                },
            };
            let webhook = params.get("webhookId").cloned().ok_or_else(|| Error::missing_field("webhookId"))?;
            let rest: Vec<(String, Value)> = params
                .iter()
                .filter(|(k, _)| !["webhookId", "eventTypes", "eventType", "resendFromDateTime"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut seen = HashSet::new();
            let calls = types
                .into_iter()
                .filter(|t| seen.insert(t.clone()))
                .map(|t| {
                    let mut m = Map::new();
                    m.insert("webhookId".into(), webhook.clone());
                    m.insert("eventType".into(), json!(t));
                    m.insert("resendFromDateTime".into(), json!(from_ms));
                    m.extend(rest.iter().cloned());
                    m
                })
                .collect();
            Ok(Split { calls, note: Some("bulk.note.ceffu".into()) })
        })
    }

    fn test_call(&self) -> TestCall {
        TestCall::Unsupported("accounts.test_unsupported.ceffu")
    }

    fn describe(&self, _operation: &str, result: &Value) -> Vec<Phrase> {
        let mut out = vec![Phrase::new("result.ceffu_ok")];
        if let Some(id) = result.get("request_id").filter(|v| !v.is_null()) {
            out.push(Phrase::note("result.request_id").with("id", id.as_str().map_or_else(|| id.to_string(), str::to_owned)));
        }
        out
    }
}
