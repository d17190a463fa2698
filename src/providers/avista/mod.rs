//! Avista (PIX, Brazil): obtain a bearer token with the client certificate and resend a transaction's
//! webhook. Avista signs nothing; authentication is the certificate header plus clientId/clientSecret,
//! which give a 30-minute JWT (cached per account, see [`ops::TokenCache`]).

pub mod ops;
pub mod sign;

use super::descriptor::{account_field, form_field, operation, FieldKind, OperationKind, ProviderDescriptor};
use super::{HttpMethod, ProviderId};

const P: &str = "avista";

pub fn descriptor() -> ProviderDescriptor {
    let mut resend = operation(
        P,
        ops::RESEND_WEBHOOK,
        HttpMethod::Post,
        OperationKind::Resend,
        vec![
            form_field(P, "transaction_identifier", FieldKind::Text, true),
            form_field(P, "url", FieldKind::Url, false),
        ],
    );
    resend.rate_limit_note = Some("60/min".into());
    ProviderDescriptor {
        id: ProviderId::Avista,
        display_name: "Avista".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true).default("https://api.avista.global"),
            account_field(P, "client_id", FieldKind::Text, false, true),
            account_field(P, "client_secret", FieldKind::Secret, true, true),
            account_field(P, "client_cert_pem", FieldKind::Certificate, true, true),
            account_field(P, "client_key_pem", FieldKind::PrivateKey, true, false),
        ],
        operations: vec![operation(P, ops::GET_TOKEN, HttpMethod::Post, OperationKind::Auth, vec![]), resend],
    }
}
