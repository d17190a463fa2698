//! Ceffu OpenAPI: resend failed webhook notifications.
//!
//! Requests are signed with SHA512withRSA (RSASSA-PKCS1-v1_5 over SHA-512) of the exact JSON body,
//! standard base64; see [`sign`].

pub mod account;
mod callback;
mod errors;
pub mod key;
pub mod ops;
pub mod sandbox;
pub mod sign;

pub use key::CeffuKey;

use super::descriptor::*;
use super::{AccountSource, HttpMethod, Provider, ProviderAccount, ProviderId};
use crate::error::Result;
use crate::providers::BudgetRule;
use serde_json::{Map, Value};

const P: &str = "ceffu";

/// Ceffu's event types: deposit success, deposit failed, withdrawal success, withdrawal failed.
pub const EVENT_TYPES: [&str; 4] = ["1", "2", "3", "4"];

/// Ceffu publishes no number: this per-minute budget holds until the account declares the one agreed
/// with Ceffu; each rate-limit answer backs off, starting at 15 s (the window is unknown).
pub const DEFAULT_PER_MINUTE: u32 = 30;
const BACKOFF_BASE_MS: i64 = 15_000;

/// The provider (see the registry in `providers/mod.rs`).
pub struct Ceffu;

impl Provider for Ceffu {
    fn id(&self) -> &'static str {
        P
    }

    fn descriptor(&self) -> ProviderDescriptor {
        descriptor()
    }

    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>> {
        account::CeffuAccount::parse(source).map(|a| Box::new(a) as Box<dyn ProviderAccount>)
    }

    /// Every call of an API key counts in one bucket.
    fn budget(&self, public: &Map<String, Value>, _operation: &str) -> Option<BudgetRule> {
        let agreed = super::calls_per_minute(public).ok().flatten();
        let mut rule = BudgetRule::new("api", Some(DEFAULT_PER_MINUTE), None).agreed(agreed);
        rule.backoff_base_ms = Some(BACKOFF_BASE_MS);
        Some(rule)
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["open-apikey", "signature"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["signature", "private_key", "privatekey"]
    }

    fn simulator(&self) -> &'static dyn crate::simulator::Simulator {
        &sandbox::CeffuSimulator
    }

    fn describe_callback(&self, body: &[u8]) -> Option<crate::providers::callback::CallbackDescription> {
        callback::describe(body)
    }

    fn unsigned_callbacks_key(&self) -> &'static str {
        "callbacks.ceffu.unsigned"
    }
}

pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: id(),
        display_name: "Ceffu".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true).default("https://open-api.ceffu.com"),
            account_field(P, "api_key", FieldKind::Secret, true, true),
            account_field(P, "private_key", FieldKind::PrivateKey, true, true),
            account_field(P, "calls_per_minute", FieldKind::Integer, false, false),
            account_field(P, "webhook_ids", FieldKind::NamedIds, false, false),
        ],
        operations: vec![operation(
            P,
            ops::RESEND_WEBHOOKS,
            HttpMethod::Post,
            OperationKind::Resend,
            vec![
                form_field(P, "webhookId", FieldKind::Text, true).offered_from_account("webhook_ids"),
                form_field(P, "eventType", FieldKind::Choice, true).choices(&EVENT_TYPES),
                form_field(P, "resendFromDateTime", FieldKind::UnixMillis, true),
            ],
        )
        .bulk(BulkShape {
            window: Some(WindowShape {
                has_end: false,
                max_seconds_per_call: None,
                max_age_ms: None,
                help_key: "bulk.since_help.ceffu".into(),
            }),
            each: Some(EachShape {
                field: "eventTypes".into(),
                of_field: "eventType".into(),
                label_key: "bulk.event_types".into(),
                empty_key: "bulk.error_event_types".into(),
            }),
            owns: vec!["eventType".into(), "resendFromDateTime".into()],
            label_key: "bulk.mode_bulk.since".into(),
            help_key: "bulk.mode_bulk_help.since".into(),
            ..BulkShape::default()
        })
        .confirm(ConfirmRule::OlderThan {
            field: "resendFromDateTime".into(),
            ms: 86_400_000,
            reason: "old_window".into(),
        })],
        base_urls: vec![preset(P, "production", "https://open-api.ceffu.com", true)],
    }
}
