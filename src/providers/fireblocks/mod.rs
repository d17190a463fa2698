//! Fireblocks: resend a v2 webhook's failed notifications (a job Fireblocks runs, followed to its end),
//! one notification, or every notification of a transaction; list a webhook's notifications with their
//! delivery attempts; look transactions up; and the deprecated v1 resends.
//!
//! Every request carries the API key and a JWT signed RS256 with the API user's private key over the
//! request's path, a fresh nonce, its time and the SHA-256 of its body (see [`sign`]). Fireblocks signs
//! its webhooks: v1 with RSA-SHA512 under a published key, v2 with a detached JWS checked against its
//! JWKS (see [`webhooks`]).
//!
//! Files: `account.rs` (the account), `key.rs` (keys), `sign.rs` (the JWT), `ops.rs` (requests),
//! `answers.rs` (answers and errors), `words.rs` (outcomes in words), `webhooks.rs` (webhook
//! signatures), `sandbox.rs` (the simulator).

pub mod account;
pub mod answers;
mod callback;
pub mod key;
pub mod ops;
pub mod sandbox;
pub mod sign;
pub mod webhooks;
mod words;

use super::descriptor::*;
use super::{AccountSource, HttpMethod, Provider, ProviderAccount, ProviderId};
use crate::error::Result;
use crate::providers::BudgetRule;
use serde_json::{Map, Value};

const P: &str = "fireblocks";

/// Fireblocks sets limits per API user by category and publishes no numbers: this is the starting pace
/// until the account declares the number it knows (`calls_per_minute`); a 429 backs off as long as its
/// `Retry-After` says.
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// How often the job of a resend of failed notifications is looked at, in seconds.
pub const FOLLOW_EVERY_SECONDS: u32 = 3;

/// The provider (see the registry in `providers/mod.rs`).
pub struct Fireblocks;

impl Provider for Fireblocks {
    fn id(&self) -> &'static str {
        P
    }

    fn descriptor(&self) -> ProviderDescriptor {
        descriptor()
    }

    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>> {
        account::FireblocksAccount::parse(source).map(|a| Box::new(a) as Box<dyn ProviderAccount>)
    }

    /// Every call of an API user counts in one bucket, at the agreed pace when the account gives one.
    fn budget(&self, public: &Map<String, Value>, _operation: &str) -> Option<BudgetRule> {
        let agreed = super::calls_per_minute(public).ok().flatten();
        Some(BudgetRule::new("api_user", Some(DEFAULT_PER_MINUTE), None).agreed(agreed))
    }

    /// The API key, and the signatures Fireblocks puts on its webhooks.
    fn credential_headers(&self) -> &'static [&'static str] {
        &["x-api-key", "fireblocks-signature", "fireblocks-webhook-signature"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["api_key", "private_key"]
    }

    fn simulator(&self) -> &'static dyn crate::simulator::Simulator {
        &sandbox::FireblocksSimulator
    }

    fn describe_callback(&self, body: &[u8]) -> Option<crate::providers::callback::CallbackDescription> {
        callback::describe(body)
    }
}

/// The provider's id as a value.
pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

fn status_look() -> CellLook {
    CellLook::Status { tone: "tone".into() }
}

fn label(prefix: &str) -> ColumnFormat {
    ColumnFormat::Label { prefix: prefix.to_owned() }
}

fn notifications_lookup() -> LookupShape {
    use CellLook::{Code, Plain};
    LookupShape {
        label_key: "query.tab.fireblocks_notifications".into(),
        rows: vec!["notifications".into()],
        id: "id".into(),
        asked: None,
        max_ids_per_call: None,
        columns: vec![
            column(&["createdAt"], "query.col.time", ColumnFormat::UnixMillis, true, Plain),
            column(&["eventType"], "query.col.fireblocks_event", ColumnFormat::Text, true, Code),
            column(&["status"], "query.col.state", label("fireblocks.notification"), true, status_look()),
            column(&["resourceId"], "query.col.fireblocks_resource", ColumnFormat::Text, true, Code),
            column(&["id"], "query.col.fireblocks_notification", ColumnFormat::Text, false, Code),
        ],
        resend: Some(RowResend {
            operation_field: "resend_operation".into(),
            param: "notificationId".into(),
            from: "id".into(),
        }),
        file_columns: vec![
            file_column("event", &["eventType"], ColumnFormat::Text),
            file_column("status", &["status"], ColumnFormat::Text),
            file_column("resource_id", &["resourceId"], ColumnFormat::Text),
            file_column("created_at", &["createdAt"], ColumnFormat::UnixMillis),
            file_column("updated_at", &["updatedAt"], ColumnFormat::UnixMillis),
        ],
        delivery: None,
        found_key: "query.fireblocks_found_notifications".into(),
        none_key: "query.fireblocks_none_notifications".into(),
    }
}

fn attempts_detail() -> RowDetail {
    use CellLook::Plain;
    RowDetail {
        operation: ops::GET_ATTEMPTS.into(),
        param: "notificationId".into(),
        from: "id".into(),
        label_key: "query.fireblocks_attempts".into(),
        rows: vec!["attempts".into()],
        columns: vec![
            column(&["sentTime"], "query.col.fireblocks_sent", ColumnFormat::UnixMillis, true, Plain),
            column(&["responseCode"], "query.col.fireblocks_response", ColumnFormat::Text, true, Plain),
            column(&["duration"], "query.col.fireblocks_duration", ColumnFormat::Text, true, Plain),
            column(&["outcome"], "query.col.fireblocks_outcome", label("fireblocks.attempt"), true, Plain),
        ],
        empty_key: "query.fireblocks_no_attempts".into(),
    }
}

fn transaction_lookup(label_key: &str) -> LookupShape {
    use CellLook::{Amount, Code, Plain};
    LookupShape {
        label_key: label_key.to_owned(),
        rows: vec!["transaction".into()],
        id: "id".into(),
        asked: None,
        max_ids_per_call: None,
        columns: vec![
            column(&["id"], "query.col.fireblocks_tx", ColumnFormat::Text, true, Code),
            column(&["externalTxId"], "query.col.fireblocks_external_id", ColumnFormat::Text, false, Code),
            column(&["status"], "query.col.state", ColumnFormat::Text, true, status_look()),
            column(&["assetId"], "query.col.currency", ColumnFormat::Text, true, Plain),
            column(&["amount_text"], "query.col.amount", ColumnFormat::Text, true, Amount),
            column(&["createdAt"], "query.col.time", ColumnFormat::UnixMillis, true, Plain),
            column(&["txHash"], "query.col.txid", ColumnFormat::Text, false, Code),
        ],
        resend: Some(RowResend {
            operation_field: "resend_operation".into(),
            param: "resourceId".into(),
            from: "id".into(),
        }),
        file_columns: vec![
            file_column("external_tx_id", &["externalTxId"], ColumnFormat::Text),
            file_column("status", &["status"], ColumnFormat::Text),
            file_column("asset", &["assetId"], ColumnFormat::Text),
            file_column("amount", &["amount_text"], ColumnFormat::Text),
            file_column("created_at", &["createdAt"], ColumnFormat::UnixMillis),
            file_column("tx_hash", &["txHash"], ColumnFormat::Text),
        ],
        delivery: None,
        found_key: "query.fireblocks_found_transactions".into(),
        none_key: "query.fireblocks_none_transaction".into(),
    }
}

fn webhooks_lookup() -> LookupShape {
    use CellLook::{Code, Plain};
    LookupShape {
        label_key: "query.tab.fireblocks_webhooks".into(),
        rows: vec!["webhooks".into()],
        id: "id".into(),
        asked: None,
        max_ids_per_call: None,
        columns: vec![
            column(&["id"], "query.col.fireblocks_webhook", ColumnFormat::Text, true, Code),
            column(&["url"], "query.col.fireblocks_url", ColumnFormat::Text, true, Code),
            column(&["status"], "query.col.state", ColumnFormat::Text, true, Plain),
            column(&["description"], "query.col.fireblocks_description", ColumnFormat::Text, false, Plain),
        ],
        resend: None,
        file_columns: vec![file_column("url", &["url"], ColumnFormat::Text)],
        delivery: None,
        found_key: "query.fireblocks_found_webhooks".into(),
        none_key: "query.fireblocks_none_webhooks".into(),
    }
}

/// One call per pasted transaction id, in the list field `field`, for the single-call field `owns`.
fn per_transaction(field: &str, owns: &str) -> BulkShape {
    BulkShape {
        ids: Some(IdsShape {
            field: field.into(),
            kind: FieldKind::TextList,
            label_key: "bulk.ids.fireblocks".into(),
            per_call: 1,
            all_label_key: None,
            empty_key: "bulk.error_identifiers".into(),
        }),
        owns: vec![owns.into()],
        label_key: "bulk.mode_bulk.identifiers".into(),
        help_key: "bulk.mode_bulk_help.identifiers".into(),
        ..BulkShape::default()
    }
}

pub fn descriptor() -> ProviderDescriptor {
    use HttpMethod::{Get, Post};
    use OperationKind::{Lookup, Resend};
    let f = |name: &str, kind: FieldKind, required: bool| form_field(P, name, kind, required);
    let events = || f("events", FieldKind::ChoiceList, false).choices(&ops::COMMON_EVENTS);
    let statuses = |name: &str| f(name, FieldKind::ChoiceList, false).choices(&ops::STATUSES);
    let yes_no = |name: &str| f(name, FieldKind::Choice, true).choices(&["true", "false"]).default("true");
    let limit = "rate_limits.fireblocks";
    let operations = vec![
        operation(P, ops::RESEND_FAILED, Post, Resend, vec![f("startTime", FieldKind::UnixMillis, false), events()])
            .rate_limit(limit)
            .confirm(ConfirmRule::Always { reason: "fireblocks_failed_since".into() })
            .follow(FollowShape {
                operation: ops::GET_RESEND_JOB.into(),
                param: "jobId".into(),
                from: "jobId".into(),
                state: "status".into(),
                done: "processed".into(),
                total: "total".into(),
                finished: vec!["COMPLETED".into(), "FAILED".into()],
                failed: vec!["FAILED".into()],
                state_prefix: "fireblocks.job".into(),
                every_seconds: FOLLOW_EVERY_SECONDS,
            }),
        operation(P, ops::RESEND_BY_RESOURCE, Post, Resend, vec![f("resourceId", FieldKind::Text, true), statuses("excludeStatuses")])
            .rate_limit(limit)
            .bulk(per_transaction("resourceIds", "resourceId")),
        operation(P, ops::RESEND_NOTIFICATION, Post, Resend, vec![f("notificationId", FieldKind::Text, true)])
            .rate_limit(limit)
            .path("/notifications/{notificationId}/resend"),
        operation(P, ops::RESEND_FAILED_V1, Post, Resend, vec![])
            .rate_limit(limit)
            .confirm(ConfirmRule::Always { reason: "fireblocks_v1_all".into() })
            .deprecated(),
        operation(
            P,
            ops::RESEND_TRANSACTION_V1,
            Post,
            Resend,
            vec![f("txId", FieldKind::Text, true), yes_no("resendCreated"), yes_no("resendStatusUpdated")],
        )
        .rate_limit(limit)
        .bulk(per_transaction("txIds", "txId"))
        .path("/webhooks/resend/{txId}")
        .deprecated(),
        operation(
            P,
            ops::LIST_NOTIFICATIONS,
            Get,
            Lookup,
            vec![
                f("startTime", FieldKind::UnixMillis, false),
                f("endTime", FieldKind::UnixMillis, false),
                statuses("statuses"),
                events(),
                f("resourceId", FieldKind::Text, false),
            ],
        )
        .lookup(notifications_lookup())
        .row_detail(attempts_detail())
        .paging("next", "pageCursor"),
        operation(P, ops::GET_TRANSACTION, Get, Lookup, vec![f("txId", FieldKind::Text, true)])
            .lookup(transaction_lookup("query.tab.fireblocks_tx")),
        operation(P, ops::GET_TRANSACTION_BY_EXTERNAL_ID, Get, Lookup, vec![f("externalTxId", FieldKind::Text, true)])
            .lookup(transaction_lookup("query.tab.fireblocks_external_id")),
        operation(P, ops::LIST_WEBHOOKS, Get, Lookup, vec![]).lookup(webhooks_lookup()).paging("next", "pageCursor"),
        operation(P, ops::GET_ATTEMPTS, Get, Lookup, vec![f("notificationId", FieldKind::Text, true)])
            .path("/notifications/{notificationId}/attempts"),
        operation(P, ops::GET_RESEND_JOB, Get, Lookup, vec![f("jobId", FieldKind::Text, true)])
            .path("/jobs/{jobId}"),
    ];
    ProviderDescriptor {
        id: id(),
        display_name: "Fireblocks".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true).default("https://api.fireblocks.io/v1"),
            account_field(P, "api_key", FieldKind::Secret, true, true),
            account_field(P, "private_key", FieldKind::PrivateKey, true, true),
            account_field(P, "webhook_id", FieldKind::Text, false, false),
            account_field(P, "webhook_public_key", FieldKind::Text, false, false),
            account_field(P, "webhook_jwks", FieldKind::Text, false, false),
            account_field(P, "calls_per_minute", FieldKind::Integer, false, false),
        ],
        operations,
        base_urls: vec![
            preset(P, "us", "https://api.fireblocks.io/v1", true),
            preset(P, "eu", "https://eu-api.fireblocks.io/v1", true),
            preset(P, "eu2", "https://eu2-api.fireblocks.io/v1", true),
            preset(P, "sandbox", "https://sandbox-api.fireblocks.io/v1", false),
        ],
    }
}
