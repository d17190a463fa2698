//! CCPayment v1 and v2: resend webhook notifications for a time window (v2 also by record ids, up to 50,
//! the window then optional); v2 also looks up one deposit or withdrawal record, the record a webhook
//! speaks of.
//!
//! Both sign `Appid`/`Timestamp`/`Sign` headers over the exact body; v1 hashes the secret inside the
//! message, v2 uses it as an HMAC key. See [`sign`].

pub mod account;
mod callback;
mod errors;
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
    /// no numbers, so the v1 numbers hold until a stricter one is named). Look-ups: no number documented.
    fn budget(&self, _public: &Map<String, Value>, operation: &str) -> Option<BudgetRule> {
        if operation != ops::RESEND_WEBHOOKS {
            return None;
        }
        Some(BudgetRule::new(
            "resend",
            Some(ops::V1_RESEND_PER_MINUTE as u32),
            Some(ops::V1_RESEND_PER_DAY as u32),
        ))
    }

    /// Limits count per app, whichever API version calls it.
    fn merchant_fields(&self) -> &'static [&'static str] {
        &["app_id"]
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["sign"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["sign", "app_secret", "appsecret"]
    }

    fn simulator(&self) -> &'static dyn crate::simulator::Simulator {
        &sandbox::CcpaymentSimulator
    }

    fn describe_callback(&self, body: &[u8]) -> Option<crate::providers::callback::CallbackDescription> {
        callback::describe(body)
    }
}

pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

/// One record of a v2 look-up, a row, with "Resend this record" (by its record id).
fn record_lookup(label_key: &str, none_key: &str) -> LookupShape {
    use CellLook::{Amount, Code, Plain};
    LookupShape {
        label_key: label_key.to_owned(),
        rows: vec!["record".into()],
        id: ops::RECORD_ID.into(),
        asked: None,
        max_ids_per_call: None,
        columns: vec![
            column(&[ops::RECORD_ID], "query.col.record_id", ColumnFormat::Text, true, Code),
            column(&[ops::ORDER_ID, "referenceId"], "query.col.order_id", ColumnFormat::Text, false, Code),
            column(&["coinSymbol"], "query.col.currency", ColumnFormat::Text, true, Plain),
            column(&["chain"], "query.col.chain", ColumnFormat::Text, false, Plain),
            column(&["amount"], "query.col.amount", ColumnFormat::Text, true, Amount),
            column(&["status"], "query.col.status", ColumnFormat::Text, true, Plain),
            column(&["arrivedAt", "createdAt"], "query.col.time", ColumnFormat::UnixSeconds, true, Plain),
            column(&["txId"], "query.col.txid", ColumnFormat::Text, false, Code),
        ],
        resend: Some(RowResend {
            operation_field: "resend_operation".into(),
            param: ops::RECORD_IDS.into(),
            from: ops::RECORD_ID.into(),
        }),
        file_columns: vec![
            file_column("order_id", &[ops::ORDER_ID], ColumnFormat::Text),
            file_column("reference_id", &["referenceId"], ColumnFormat::Text),
            file_column("coin", &["coinSymbol"], ColumnFormat::Text),
            file_column("chain", &["chain"], ColumnFormat::Text),
            file_column("amount", &["amount"], ColumnFormat::Text),
            file_column("fee", &["serviceFee", "fee"], ColumnFormat::Text),
            file_column("status", &["status"], ColumnFormat::Text),
            file_column("time", &["arrivedAt", "createdAt"], ColumnFormat::UnixSeconds),
            file_column("txid", &["txId"], ColumnFormat::Text),
            file_column("from_address", &["fromAddress"], ColumnFormat::Text),
            file_column("to_address", &["toAddress"], ColumnFormat::Text),
        ],
        delivery: None,
        found_key: "query.found_records".into(),
        none_key: none_key.to_owned(),
    }
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
            form_field(P, ops::RECORD_IDS, FieldKind::TextList, false).max(ops::V2_MAX_RECORD_IDS as i64),
            form_field(P, "startTimestamp", FieldKind::UnixSeconds, true).optional_with(&[ops::RECORD_IDS]),
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
    let deposit_record = operation(
        P,
        ops::GET_DEPOSIT_RECORD,
        HttpMethod::Post,
        OperationKind::Lookup,
        vec![form_field(P, ops::RECORD_ID, FieldKind::Text, true)],
    )
    .only_when("api_version", &["v2"])
    .lookup(record_lookup("query.tab.deposit_record", "query.none_deposit_record"));
    let withdraw_record = operation(
        P,
        ops::GET_WITHDRAW_RECORD,
        HttpMethod::Post,
        OperationKind::Lookup,
        vec![
            form_field(P, ops::ORDER_ID, FieldKind::Text, true).optional_with(&[ops::RECORD_ID]),
            form_field(P, ops::RECORD_ID, FieldKind::Text, true).optional_with(&[ops::ORDER_ID]),
        ],
    )
    .only_when("api_version", &["v2"])
    .lookup(record_lookup("query.tab.withdraw_record", "query.none_withdraw_record"));
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
        operations: vec![v1, v2, deposit_record, withdraw_record],
        base_urls: vec![
            preset(P, "v1", "https://admin.ccpayment.com/ccpayment/v1", true).only_when("api_version", &["v1"]),
            preset(P, "v2", "https://ccpayment.com/ccpayment/v2", true).only_when("api_version", &["v2"]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Look-ups take nothing from the resend budget (once a minute, 25 a day).
    #[test]
    fn only_resends_are_budgeted() {
        let public = Map::new();
        assert!(Ccpayment.budget(&public, ops::RESEND_WEBHOOKS).is_some());
        assert!(Ccpayment.budget(&public, ops::GET_DEPOSIT_RECORD).is_none());
        assert!(Ccpayment.budget(&public, ops::GET_WITHDRAW_RECORD).is_none());
    }
}
