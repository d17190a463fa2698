//! CCPayment v1 and v2: resend webhook notifications for a time window (v2 also by record ids).
//!
//! Both sign `Appid`/`Timestamp`/`Sign` headers over the exact body; v1 hashes the secret inside the
//! message, v2 uses it as an HMAC key. See [`sign`].

pub mod account;
pub mod ops;
pub mod sandbox;
pub mod sign;

use super::descriptor::*;
use super::{AccountSource, HttpMethod, Provider, ProviderAccount, ProviderId};
use crate::error::Result;
use crate::providers::BudgetRule;
use serde_json::{Map, Value};

const P: &str = "ccpayment";

/// The provider (see the registry in `providers/mod.rs`).
pub struct Ccpayment;

impl Provider for Ccpayment {
    fn id(&self) -> &'static str {
        P
    }

    fn descriptor(&self) -> ProviderDescriptor {
        descriptor()
    }

    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>> {
        account::CcpaymentAccount::parse(source).map(|a| Box::new(a) as Box<dyn ProviderAccount>)
    }

    /// Resends: once a minute and 25 a provider day (documented for v1; v2 documents the same codes and
    /// no numbers, so the v1 numbers hold until a stricter one is named).
    fn budget(&self, _public: &Map<String, Value>, _operation: &str) -> Option<BudgetRule> {
        Some(BudgetRule::new(
            "resend",
            Some(ops::V1_RESEND_PER_MINUTE as u32),
            Some(ops::V1_RESEND_PER_DAY as u32),
        ))
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["sign"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["sign", "app_secret", "appsecret"]
    }

    fn simulator(&self) -> &'static dyn crate::sandbox::Simulator {
        &sandbox::CcpaymentSimulator
    }
}

pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

pub fn descriptor() -> ProviderDescriptor {
    let bulk = |start: &str, end: &str| BulkShape {
        window: Some(WindowShape {
            has_end: true,
            max_seconds_per_call: Some(ops::MAX_WINDOW_SECONDS),
            max_age_ms: None,
            help_key: "bulk.since_help.ccpayment".into(),
        }),
        owns: vec![start.to_owned(), end.to_owned()],
        label_key: "bulk.mode_bulk.window".into(),
        help_key: "bulk.mode_bulk_help.window".into(),
        ..BulkShape::default()
    };
    let v1 = operation(
        P,
        ops::RESEND_WEBHOOKS,
        HttpMethod::Post,
        OperationKind::Resend,
        vec![
            form_field(P, "start_timestamp", FieldKind::UnixSeconds, true),
            form_field(P, "end_timestamp", FieldKind::UnixSeconds, false),
            form_field(P, "webhook_result", FieldKind::Choice, false)
                .choices(ops::V1_RESULTS)
                .default("Failed")
                .broad("All Result", "choices.ccpayment.webhook_result.All Result"),
            form_field(P, "transaction_type", FieldKind::Choice, false).choices(ops::V1_TYPES).default("All Type"),
        ],
    )
    .only_when("api_version", &["v1"])
    .rate_limit("rate_limits.ccpayment")
    .bulk(bulk("start_timestamp", "end_timestamp"));
    let v2 = operation(
        P,
        ops::RESEND_WEBHOOKS,
        HttpMethod::Post,
        OperationKind::Resend,
        vec![
            form_field(P, "recordIds", FieldKind::TextList, false).max(ops::V2_MAX_RECORD_IDS as i64),
            form_field(P, "startTimestamp", FieldKind::UnixSeconds, true),
            form_field(P, "endTimestamp", FieldKind::UnixSeconds, false),
            form_field(P, "webhookResult", FieldKind::Choice, false)
                .choices(ops::V2_RESULTS)
                .default("Failed")
                .broad("AllResult", "choices.ccpayment.webhookResult.AllResult"),
            form_field(P, "transactionType", FieldKind::Choice, false).choices(ops::V2_TYPES).default("AllType"),
        ],
    )
    .only_when("api_version", &["v2"])
    .bulk(bulk("startTimestamp", "endTimestamp"));
    ProviderDescriptor {
        id: id(),
        display_name: "CCPayment".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true)
                .default("https://admin.ccpayment.com/ccpayment/v1"),
            account_field(P, "api_version", FieldKind::Choice, false, true).choices(&["v1", "v2"]).default("v1"),
            account_field(P, "app_id", FieldKind::Text, false, true),
            account_field(P, "app_secret", FieldKind::Secret, true, true),
        ],
        operations: vec![v1, v2],
        base_urls: vec![
            preset(P, "v1", "https://admin.ccpayment.com/ccpayment/v1", true).only_when("api_version", &["v1"]),
            preset(P, "v2", "https://ccpayment.com/ccpayment/v2", true).only_when("api_version", &["v2"]),
        ],
    }
}
