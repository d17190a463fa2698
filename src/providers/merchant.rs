//! Which merchant account a call is about: whose calls a rate budget counts ([`Merchant`]), the same for
//! every account of that merchant in this installation and in every member's of a team workspace, and the
//! account as an approval binds it ([`account_fingerprint`]). Neither holds a secret.

use super::ProviderId;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Whose calls a budget counts: the provider, the address and the fields the provider counts calls by
/// ([`super::Provider::merchant_fields`]: a wallet, an app). Accounts of one merchant share it, however they
/// are labelled or tuned: changing an agreed calls per minute or a named id, or deleting the account and
/// adding it again, does not start its budget anew. The SHA-256 of those, the fields in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Merchant(pub [u8; 32]);

impl Merchant {
    pub fn of(provider: ProviderId, base_url: &str, fields: &Map<String, Value>) -> Merchant {
        let names = provider.get().merchant_fields();
        let fields: BTreeMap<&String, &Value> =
            fields.iter().filter(|(name, _)| names.contains(&name.as_str())).collect();
        Merchant(fingerprint(provider, base_url, &fields))
    }

    /// As the team database names it (`callback_desk.rate_calls.merchant`): hex.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// The merchant account as an approval binds it: the provider, the address and every public field, so a
/// changed field voids the approval.
pub fn account_fingerprint(provider: ProviderId, base_url: &str, fields: &Map<String, Value>) -> [u8; 32] {
    fingerprint(provider, base_url, &fields.iter().collect())
}

fn fingerprint(provider: ProviderId, base_url: &str, fields: &BTreeMap<&String, &Value>) -> [u8; 32] {
    let identity = serde_json::json!([provider.as_str(), base_url, fields]);
    Sha256::digest(identity.to_string().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://api.example.com";

    fn of(provider: &str, url: &str, fields: Value) -> Merchant {
        Merchant::of(ProviderId::parse(provider).unwrap(), url, fields.as_object().unwrap())
    }

    #[test]
    fn a_budget_is_the_merchants_whatever_tunes_or_describes_its_account() {
        let cybavo = |fields| of("cybavo", URL, fields);
        assert_eq!(cybavo(json!({"wallet_id": 7})), cybavo(json!({"wallet_id": 7, "calls_per_minute": 1})));
        assert_eq!(cybavo(json!({"wallet_id": 7, "access": "read_only"})), cybavo(json!({"wallet_id": 7})));
        assert_ne!(cybavo(json!({"wallet_id": 7})), cybavo(json!({"wallet_id": 8})));
        let ceffu = |fields| of("ceffu", URL, fields);
        assert_eq!(ceffu(json!({"webhook_ids": [{"id": "1", "name": "Main"}]})), ceffu(json!({"calls_per_minute": 5})));
        let ccpayment = |fields| of("ccpayment", URL, fields);
        assert_eq!(
            ccpayment(json!({"app_id": "a", "api_version": "v1"})),
            ccpayment(json!({"app_id": "a", "api_version": "v2"}))
        );
        assert_ne!(ccpayment(json!({"app_id": "a"})), ccpayment(json!({"app_id": "b"})));
        // Another address or provider is another budget.
        assert_ne!(of("cybavo", "https://other.example.com", json!({"wallet_id": 7})), cybavo(json!({"wallet_id": 7})));
        assert_ne!(of("ceffu", URL, json!({})), of("fireblocks", URL, json!({})));
    }

    #[test]
    fn an_approval_binds_every_public_field() {
        let key =
            |fields: Value| account_fingerprint(ProviderId::parse("cybavo").unwrap(), URL, fields.as_object().unwrap());
        assert_ne!(key(json!({"wallet_id": 7})), key(json!({"wallet_id": 7, "calls_per_minute": 1})));
        assert_eq!(
            key(json!({"wallet_id": 7, "calls_per_minute": 1})),
            key(json!({"calls_per_minute": 1, "wallet_id": 7}))
        );
    }
}
