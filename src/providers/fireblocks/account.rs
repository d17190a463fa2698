//! A Fireblocks account (an API user of a workspace): its fields, and everything the engine asks of it.

use super::key::{parse_jwks, parse_public_key, ApiSecretKey};
use super::{answers, ops, webhooks, Fireblocks};
use crate::error::{Error, Result};
use crate::providers::util;
use crate::providers::{
    AccountSource, BuildCtx, BulkRequest, Outcome, Phrase, Provider, ProviderAccount, RawResponse, SignedRequest, Split,
    TestCall,
};
use crate::providers::callback::SignatureProblem;
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
    fn verify_callback(&self, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), SignatureProblem>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Account;

    fn file() -> Value {
        json!({"provider": "fireblocks", "base_url": "https://api.fireblocks.io/v1", "api_key": "11111111-2222-4333-8444-555555555555",
            "private_key": include_str!("../../../tests/fixtures/fireblocks_test_key.pem"), "webhook_id": "w-1"})
    }

    fn parse(change: impl FnOnce(&mut Value)) -> Result<Account> {
        let mut f = file();
        change(&mut f);
        Account::from_map(f.as_object().unwrap())
    }

    fn reason(change: impl FnOnce(&mut Value)) -> (String, String) {
        let e = parse(change).unwrap_err();
        (e.params["field"].as_str().unwrap().to_owned(), e.params["reason"].as_str().unwrap_or_default().to_owned())
    }

    #[test]
    fn fields_are_checked_when_the_account_is_read() {
        assert!(parse(|_| {}).is_ok());
        assert_eq!(reason(|f| f["api_key"] = json!("1111\n2222")), ("api_key".into(), "not_header_text".into()));
        assert_eq!(reason(|f| f["private_key"] = json!("not a key")), ("private_key".into(), "not_rsa_pem_key".into()));
        assert_eq!(reason(|f| f["webhook_public_key"] = json!("nope")), ("webhook_public_key".into(), "invalid_public_key".into()));
        assert_eq!(reason(|f| f["webhook_jwks"] = json!(r#"{"keys":[]}"#)), ("webhook_jwks".into(), "invalid_jwks".into()));
        assert_eq!(reason(|f| f["calls_per_minute"] = json!(0)), ("calls_per_minute".into(), "out_of_range".into()));
        assert_eq!(parse(|f| {
            f.as_object_mut().unwrap().remove("api_key");
        })
        .unwrap_err().params["field"], "api_key");
        // Secrets never show.
        let a = parse(|_| {}).unwrap();
        let debug = format!("{a:?}");
        assert!(!debug.contains("11111111-2222") && !debug.contains("MIIJ"), "{debug}");
    }

    #[test]
    fn the_webhook_key_is_the_accounts_or_the_published_one_of_its_environment() {
        let key = |change: fn(&mut Value)| {
            let a = parse(change).unwrap();
            a.downcast::<FireblocksAccount>().unwrap().webhook_key.clone()
        };
        let published = |pem| parse_public_key(pem);
        assert_eq!(key(|_| {}), published(webhooks::US_PRODUCTION_KEY));
        assert_eq!(key(|f| f["base_url"] = json!("https://sandbox-api.fireblocks.io/v1")), published(webhooks::SANDBOX_KEY));
        assert_eq!(key(|f| f["base_url"] = json!("https://eu-api.fireblocks.io/v1")), None);
        let own = include_str!("../../../tests/fixtures/fireblocks_test_pub.pem");
        assert_eq!(
            key(|f| {
                f["base_url"] = json!("https://eu2-api.fireblocks.io/v1");
                f["webhook_public_key"] = json!(include_str!("../../../tests/fixtures/fireblocks_test_pub.pem"));
            }),
            published(own)
        );
    }

    #[test]
    fn a_list_of_transactions_is_one_call_each_paced_by_the_api_users_budget() {
        let a = parse(|_| {}).unwrap();
        let params = json!({"resourceIds": ["t1", "t2", "t1", "t3"], "excludeStatuses": ["ON_HOLD"]});
        let req = BulkRequest { params: params.as_object().unwrap(), since: None, until: 0, max_calls: 100 };
        let split = a.inner().split(ops::RESEND_BY_RESOURCE, &req).unwrap().unwrap();
        let calls: Vec<Value> = split.calls.into_iter().map(Value::Object).collect();
        assert_eq!(
            calls,
            vec![
                json!({"resourceId": "t1", "excludeStatuses": ["ON_HOLD"]}),
                json!({"resourceId": "t2", "excludeStatuses": ["ON_HOLD"]}),
                json!({"resourceId": "t3", "excludeStatuses": ["ON_HOLD"]}),
            ]
        );
        let params = json!({"txIds": "a b", "resendCreated": true});
        let req = BulkRequest { params: params.as_object().unwrap(), since: None, until: 0, max_calls: 100 };
        let split = a.inner().split(ops::RESEND_TRANSACTION_V1, &req).unwrap().unwrap();
        assert_eq!(split.calls[1], json!({"txId": "b", "resendCreated": true}).as_object().unwrap().clone());
        assert!(a.inner().split(ops::RESEND_FAILED, &req).is_none());
        // Every call of an API user in one bucket: 60 a minute, or the number the account gives.
        let rule = Fireblocks.budget(&Map::new(), ops::GET_TRANSACTION).unwrap();
        assert_eq!((rule.bucket, rule.budget.per_minute), ("api_user", Some(super::super::DEFAULT_PER_MINUTE)));
        let agreed = json!({"calls_per_minute": 300});
        assert_eq!(Fireblocks.budget(agreed.as_object().unwrap(), ops::RESEND_FAILED).unwrap().budget.per_minute, Some(300));
    }
}
