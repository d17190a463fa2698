//! CYBAVO SOFA (VAULT wallet API): resend withdrawal/deposit callbacks, look callbacks up, and test the
//! wallet's callback endpoint; with a read-only API code (`access: read_only`), only the look-ups, the
//! endpoint test and the list of wallets the code may read.
//!
//! Requests are signed with a SHA-256 checksum over sorted `k=v` tokens, `t`, `r` and the raw body
//! (see [`sign`]); successful responses and callbacks carry `X-CHECKSUM` = base64url(SHA-256(body +
//! secret)).

pub mod account;
pub mod callback;
mod errors;
pub mod ops;
pub mod sandbox;
pub mod sign;

use super::descriptor::*;
use super::{AccountSource, HttpMethod, Provider, ProviderAccount, ProviderId};
use crate::error::Result;
use crate::providers::BudgetRule;
use serde_json::{Map, Value};

const P: &str = "cybavo";

/// CYBAVO's starting per-minute budget of a wallet until CYBAVO names its number ("Call too frequently
/// (N calls/minute)") or the account declares the number agreed with CYBAVO.
pub const DEFAULT_PER_MINUTE: u32 = 30;

/// The provider (see the registry in `providers/mod.rs`).
pub struct Cybavo;

impl Provider for Cybavo {
    fn id(&self) -> &'static str {
        P
    }

    fn descriptor(&self) -> ProviderDescriptor {
        descriptor()
    }

    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>> {
        account::CybavoAccount::parse(source).map(|a| Box::new(a) as Box<dyn ProviderAccount>)
    }

    /// Every call of a wallet counts in one bucket; CYBAVO's own number for the wallet is adopted.
    fn budget(&self, public: &Map<String, Value>, _operation: &str) -> Option<BudgetRule> {
        let agreed = super::calls_per_minute(public).ok().flatten();
        let mut rule = BudgetRule::new("wallet", Some(DEFAULT_PER_MINUTE), None).agreed(agreed);
        rule.adopt_named = true;
        Some(rule)
    }

    /// Limits count per wallet.
    fn merchant_fields(&self) -> &'static [&'static str] {
        &["wallet_id"]
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["x-api-code", "x-checksum"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["checksum", "x-checksum", "api_secret", "apisecret"]
    }

    fn decode_recorded(&self, operation: &str, body: &[u8]) -> Option<Value> {
        ops::decode_body(operation, body).ok()
    }

    fn simulator(&self) -> &'static dyn crate::simulator::Simulator {
        &sandbox::CybavoSimulator
    }

    fn describe_callback(&self, body: &[u8]) -> Option<crate::providers::callback::CallbackDescription> {
        callback::describe(body)
    }
}

/// The provider's id as a value.
pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

fn callbacks_lookup(label_key: &str, asked: Option<&str>) -> LookupShape {
    use CellLook::{Amount, Code, Plain};
    let label = |prefix: &str| ColumnFormat::Label { prefix: prefix.to_owned() };
    let status = CellLook::Status { tone: "outcome".into() };
    LookupShape {
        label_key: label_key.to_owned(),
        rows: vec!["notifications".into(), "notification".into()],
        id: "serial".into(),
        asked: asked.map(str::to_owned),
        max_ids_per_call: asked.map(|_| ops::MAX_IDS_PER_CALL as u32),
        columns: vec![
            column(&["serial"], "query.col.serial", ColumnFormat::Text, true, Code),
            column(&["type_label"], "query.col.type", label("cybavo.type"), true, Plain),
            column(&["state_label"], "query.col.state", label("cybavo.state"), true, status),
            column(&["processing_state_label"], "query.col.processing", label("cybavo.processing"), false, Plain),
            column(&["currency"], "query.col.currency", ColumnFormat::Text, false, Plain),
            column(&["amount_units", "amount"], "query.col.amount", ColumnFormat::Text, true, Amount),
            column(&["fees_units", "fees"], "query.col.fees", ColumnFormat::Text, false, Amount),
            column(&["time"], "query.col.time", ColumnFormat::UnixSeconds, true, Plain),
            column(&["order_id"], "query.col.order_id", ColumnFormat::Text, false, Code),
            column(&["transaction"], "query.col.txid", ColumnFormat::Text, false, Code),
        ],
        resend: Some(RowResend {
            operation_field: "resend_operation".into(),
            param: "notification_id".into(),
            from: "serial".into(),
        }),
        file_columns: vec![
            file_column("type", &["type_label"], ColumnFormat::Text),
            file_column("state", &["state_label"], ColumnFormat::Text),
            file_column("processing_state", &["processing_state_label"], ColumnFormat::Text),
            file_column("callback_outcome", &["outcome"], ColumnFormat::Text),
            file_column("currency", &["currency"], ColumnFormat::Text),
            file_column("amount", &["amount_units", "amount"], ColumnFormat::Text),
            file_column("fees", &["fees_units", "fees"], ColumnFormat::Text),
            file_column("time", &["time"], ColumnFormat::UnixSeconds),
            file_column("order_id", &["order_id"], ColumnFormat::Text),
            file_column("txid", &["txid"], ColumnFormat::Text),
            file_column("vout_index", &["vout_index"], ColumnFormat::Text),
            file_column("from_address", &["from_address"], ColumnFormat::Text),
            file_column("to_address", &["to_address"], ColumnFormat::Text),
        ],
        // A callback's `state` and `processing_state` are its transaction's (CYBAVO's Callback Definition);
        // whether the merchant's server took it is documented nowhere in the look-ups' answers.
        delivery: Some(Delivery::NotReported { note_key: "query.delivery_note.cybavo".into() }),
        found_key: "query.found".into(),
        none_key: "query.none".into(),
    }
}

/// The wallets a read-only code may read, a row each.
fn readonly_wallets_lookup() -> LookupShape {
    use CellLook::{Code, Plain};
    LookupShape {
        label_key: "query.tab.readonly_wallets".into(),
        rows: vec!["wallets".into()],
        id: "wallet_id".into(),
        asked: None,
        max_ids_per_call: None,
        columns: vec![
            column(&["wallet_id"], "query.col.wallet_id", ColumnFormat::Text, true, Code),
            column(&["currency_name"], "query.col.currency", ColumnFormat::Text, true, Plain),
            column(&["token_symbol"], "query.col.token", ColumnFormat::Text, false, Plain),
            column(&["address"], "query.col.address", ColumnFormat::Text, true, Code),
            column(&["type"], "query.col.wallet_type", ColumnFormat::Text, false, Plain),
        ],
        resend: None,
        file_columns: vec![
            file_column("currency", &["currency_name"], ColumnFormat::Text),
            file_column("token", &["token_symbol"], ColumnFormat::Text),
            file_column("token_contract", &["token_contract_address"], ColumnFormat::Text),
            file_column("address", &["address"], ColumnFormat::Text),
            file_column("wallet_type", &["type"], ColumnFormat::Text),
            file_column("decimals", &["decimals"], ColumnFormat::Text),
        ],
        delivery: None,
        found_key: "query.found_wallets".into(),
        none_key: "query.none_wallets".into(),
    }
}

pub fn descriptor() -> ProviderDescriptor {
    let notification_id =
        || form_field(P, "notification_id", FieldKind::Integer, true).broad(0, "broad.cybavo.notification_id");
    let resend = |name: &str| {
        operation(P, name, HttpMethod::Post, OperationKind::Resend, vec![notification_id()])
            .only_when("access", &["full"])
            .rate_limit("rate_limits.cybavo")
            .bulk(BulkShape {
                ids: Some(IdsShape {
                    field: "serials".into(),
                    kind: FieldKind::IntegerList,
                    label_key: "bulk.ids.cybavo".into(),
                    per_call: 1,
                    all_label_key: Some("bulk.cybavo_all".into()),
                    empty_key: "bulk.error_serials".into(),
                }),
                owns: vec!["notification_id".into()],
                label_key: "bulk.mode_bulk.serials".into(),
                help_key: "bulk.mode_bulk_help.serials".into(),
                ..BulkShape::default()
            })
    };
    ProviderDescriptor {
        id: id(),
        display_name: "CYBAVO SOFA".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true),
            account_field(P, "access", FieldKind::Choice, false, false)
                .labeled_choices(&account::Access::CHOICES)
                .default(account::Access::Full.as_str()),
            account_field(P, "wallet_id", FieldKind::Integer, false, true).optional_when("access", &["read_only"]),
            account_field(P, "api_code", FieldKind::Secret, true, true).replace_warning("accounts.cybavo_api_code_warning"),
            account_field(P, "api_secret", FieldKind::Secret, true, true),
            account_field(P, "calls_per_minute", FieldKind::Integer, false, false),
        ],
        operations: vec![
            resend(ops::RESEND_WITHDRAWAL),
            resend(ops::RESEND_DEPOSIT),
            operation(
                P,
                ops::INSPECT_CALLBACK_ENDPOINT,
                HttpMethod::Post,
                OperationKind::Probe,
                vec![form_field(P, "test_number", FieldKind::Integer, false)],
            ),
            operation(
                P,
                ops::QUERY_CALLBACKS,
                HttpMethod::Post,
                OperationKind::Lookup,
                vec![form_field(P, "ids", FieldKind::IntegerList, true)],
            )
            .lookup(callbacks_lookup("query.tab.serials", Some("ids"))),
            operation(
                P,
                ops::LIST_CALLBACKS,
                HttpMethod::Get,
                OperationKind::Lookup,
                vec![
                    form_field(P, "from_time", FieldKind::UnixSeconds, false),
                    form_field(P, "to_time", FieldKind::UnixSeconds, false),
                    form_field(P, "type", FieldKind::Choice, false)
                        .choices(&["-1", "1", "2", "3", "4", "127"])
                        .default(-1),
                ],
            )
            .lookup(callbacks_lookup("query.tab.range", None)),
            operation(
                P,
                ops::LOOKUP_DEPOSIT,
                HttpMethod::Get,
                OperationKind::Lookup,
                vec![
                    form_field(P, "txid", FieldKind::Text, true),
                    form_field(P, "vout_index", FieldKind::Integer, true),
                ],
            )
            .lookup(callbacks_lookup("query.tab.txid", None)),
            operation(
                P,
                ops::LOOKUP_WITHDRAWAL,
                HttpMethod::Get,
                OperationKind::Lookup,
                vec![form_field(P, "order_id", FieldKind::Text, true)],
            )
            .lookup(callbacks_lookup("query.tab.order", None)),
            operation(P, ops::LIST_READONLY_WALLETS, HttpMethod::Get, OperationKind::Lookup, vec![])
                .lookup(readonly_wallets_lookup()),
        ],
        base_urls: Vec::new(),
    }
}
