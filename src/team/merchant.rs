//! Which merchant account an action is about, as every member's installation names it in the team
//! database: whose calls a shared budget counts ([`merchant_key`]), and the account an approval binds
//! ([`account_key`]). Neither names a secret.

use crate::accounts::AccountView;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Whose calls a budget counts, the same in every member's installation: the provider, the address and
/// the fields the provider counts calls by ([`crate::providers::Provider::merchant_fields`]: a wallet, an
/// app). Members' copies of one account share it, and so do accounts of the same merchant that differ
/// only in a field that tunes or describes them: changing an agreed calls per minute or a named id does not
/// start the budget anew. Hex SHA-256 of those, the fields in key order.
pub fn merchant_key(view: &AccountView) -> String {
    let names = view.provider.get().merchant_fields();
    let fields: BTreeMap<&String, &Value> =
        view.fields.iter().filter(|(name, _)| names.contains(&name.as_str())).collect();
    fingerprint(view, &fields)
}

/// The merchant account as an approval binds it: the provider, the address and every public field, so a
/// changed field voids the approval.
pub fn account_key(view: &AccountView) -> String {
    fingerprint(view, &view.fields.iter().collect())
}

fn fingerprint(view: &AccountView, fields: &BTreeMap<&String, &Value>) -> String {
    let identity = serde_json::json!([view.provider.as_str(), view.base_url, fields]);
    hex::encode(Sha256::digest(identity.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Environment;
    use crate::providers::ProviderId;
    use serde_json::json;

    fn view(provider: &str, fields: Value) -> AccountView {
        AccountView {
            id: 1,
            provider: ProviderId::parse(provider).unwrap(),
            label: "Shop".into(),
            environment: Environment::Production,
            base_url: "https://api.example.com".into(),
            fields: fields.as_object().unwrap().clone(),
            notes: String::new(),
            secrets: Vec::new(),
            secrets_need_reentry: false,
            certificate_fingerprint: None,
            created_at_ms: 0,
            updated_at_ms: 0,
            team_account_id: None,
        }
    }

    #[test]
    fn a_budget_is_the_merchants_whatever_tunes_or_describes_its_account() {
        let cybavo = |fields| merchant_key(&view("cybavo", fields));
        assert_eq!(cybavo(json!({"wallet_id": 7})), cybavo(json!({"wallet_id": 7, "calls_per_minute": 1})));
        assert_eq!(cybavo(json!({"wallet_id": 7, "access": "read_only"})), cybavo(json!({"wallet_id": 7})));
        assert_ne!(cybavo(json!({"wallet_id": 7})), cybavo(json!({"wallet_id": 8})));
        let ceffu = |fields| merchant_key(&view("ceffu", fields));
        assert_eq!(ceffu(json!({"webhook_ids": [{"id": "1", "name": "Main"}]})), ceffu(json!({"calls_per_minute": 5})));
        let ccpayment = |fields| merchant_key(&view("ccpayment", fields));
        assert_eq!(
            ccpayment(json!({"app_id": "a", "api_version": "v1"})),
            ccpayment(json!({"app_id": "a", "api_version": "v2"}))
        );
        assert_ne!(ccpayment(json!({"app_id": "a"})), ccpayment(json!({"app_id": "b"})));
        // Another address or provider is another budget.
        let mut elsewhere = view("cybavo", json!({"wallet_id": 7}));
        elsewhere.base_url = "https://other.example.com".into();
        assert_ne!(merchant_key(&elsewhere), cybavo(json!({"wallet_id": 7})));
    }

    #[test]
    fn an_approval_binds_every_public_field() {
        let key = |fields| account_key(&view("cybavo", fields));
        assert_ne!(key(json!({"wallet_id": 7})), key(json!({"wallet_id": 7, "calls_per_minute": 1})));
        assert_eq!(
            key(json!({"wallet_id": 7, "calls_per_minute": 1})),
            key(json!({"calls_per_minute": 1, "wallet_id": 7}))
        );
    }
}
