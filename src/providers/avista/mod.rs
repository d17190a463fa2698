//! Avista (PIX, Brazil) and the brands that run its API (Fire Banking): obtain a bearer token with the
//! client certificate and resend a transaction's webhook. Avista signs nothing; authentication is the certificate header plus clientId/clientSecret,
//! which give a 30-minute JWT (cached per account, see [`TokenCache`](crate::providers::TokenCache)).

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

const P: &str = "avista";

/// The brands whose API is Avista's, at their own address (`brand`, default Avista). Fire Banking
/// documents only two kinds of transaction identifier (its external and internal ids), not the PIX
/// end-to-end id Avista also takes: its accounts refuse end-to-end ids before anything is sent.
pub const BRANDS: [&str; 2] = ["avista", "firebanking"];

/// The shape of a PIX end-to-end id: `E` or `D` and 32 letters or digits as Avista documents it, or the
/// central bank's `E` + ISPB (8 digits) + date and time (12 digits) + 11 letters or digits.
pub const END_TO_END_ID: &str = "^[ED]([0-9A-Za-z]{32}|[0-9]{20}[0-9A-Za-z]{11})$";

/// Avista's documented resend limit.
pub const RESEND_PER_MINUTE: u32 = 60;

/// The provider (see the registry in `providers/mod.rs`).
pub struct Avista;

impl Provider for Avista {
    fn id(&self) -> &'static str {
        P
    }

    fn descriptor(&self) -> ProviderDescriptor {
        descriptor()
    }

    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>> {
        account::AvistaAccount::parse(source).map(|a| Box::new(a) as Box<dyn ProviderAccount>)
    }

    /// Resends: 60 a minute; the token call is not limited.
    fn budget(&self, _public: &Map<String, Value>, operation: &str) -> Option<BudgetRule> {
        (operation != ops::GET_TOKEN).then(|| BudgetRule::new("resend", Some(RESEND_PER_MINUTE), None))
    }

    /// Limits count per client.
    fn merchant_fields(&self) -> &'static [&'static str] {
        &["client_id"]
    }

    /// The client certificate of requests, and the shared secret header merchants configure on their
    /// webhook (sent with every delivery).
    fn credential_headers(&self) -> &'static [&'static str] {
        &["authorization", "x-ssl-client-cert", "x-webhook-secret"]
    }

    fn credential_fields(&self) -> &'static [&'static str] {
        &["clientsecret", "client_secret", "access_token", "refresh_token", "id_token"]
    }

    fn simulator(&self) -> &'static dyn crate::simulator::Simulator {
        &sandbox::AvistaSimulator
    }

    fn describe_callback(&self, body: &[u8]) -> Option<crate::providers::callback::CallbackDescription> {
        callback::describe(body)
    }

    fn unsigned_callbacks_key(&self) -> &'static str {
        "callbacks.avista.unsigned"
    }
}

pub fn id() -> ProviderId {
    ProviderId::parse(P).expect("registered")
}

pub fn descriptor() -> ProviderDescriptor {
    let resend = |identifier: FormField| {
        operation(
            P,
            ops::RESEND_WEBHOOK,
            HttpMethod::Post,
            OperationKind::Resend,
            vec![identifier, form_field(P, "url", FieldKind::Url, false)],
        )
        .rate_limit("rate_limits.avista")
        .bulk(BulkShape {
            ids: Some(IdsShape {
                field: "transaction_identifiers".into(),
                kind: FieldKind::TextList,
                label_key: "bulk.ids.avista".into(),
                per_call: 1,
                all_label_key: None,
                empty_key: "bulk.error_identifiers".into(),
            }),
            owns: vec!["transaction_identifier".into()],
            label_key: "bulk.mode_bulk.identifiers".into(),
            help_key: "bulk.mode_bulk_help.identifiers".into(),
            ..BulkShape::default()
        })
        .confirm(ConfirmRule::Filled { field: "url".into(), reason: "one_off_url".into() })
    };
    let identifier = || form_field(P, "transaction_identifier", FieldKind::Text, true);
    let mut firebanking_identifier = identifier().refuse(END_TO_END_ID, "end_to_end_id_not_at_brand");
    firebanking_identifier.help_key = "ops.avista.transaction_identifier.help_firebanking".into();
    ProviderDescriptor {
        id: id(),
        display_name: "Avista (PIX)".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true).default("https://api.avista.global"),
            account_field(P, "brand", FieldKind::Choice, false, false).labeled_choices(&BRANDS).default(BRANDS[0]),
            account_field(P, "client_id", FieldKind::Text, false, true),
            account_field(P, "client_secret", FieldKind::Secret, true, true),
            account_field(P, "client_cert_pem", FieldKind::Certificate, true, true),
            account_field(P, "client_key_pem", FieldKind::PrivateKey, true, false),
        ],
        operations: vec![
            operation(P, ops::GET_TOKEN, HttpMethod::Post, OperationKind::Auth, vec![]),
            resend(identifier()).only_when("brand", &["avista"]),
            resend(firebanking_identifier).only_when("brand", &["firebanking"]),
        ],
        base_urls: vec![
            preset(P, "avista", "https://api.avista.global", true).only_when("brand", &["avista"]),
            preset(P, "firebanking", "https://api.public.firebanking.com.br", true).only_when("brand", &["firebanking"]),
        ],
    }
}
