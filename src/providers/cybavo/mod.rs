//! CYBAVO SOFA (VAULT wallet API): resend withdrawal/deposit callbacks and look callbacks up.
//!
//! Requests are signed with a SHA-256 checksum over sorted `k=v` tokens, `t`, `r` and the raw body
//! (see [`sign`]); successful responses and callbacks carry `X-CHECKSUM` = base64url(SHA-256(body +
//! secret)).

pub mod ops;
pub mod sign;

use super::descriptor::{account_field, form_field, operation, FieldKind, OperationKind, ProviderDescriptor};
use super::{HttpMethod, ProviderId};

const P: &str = "cybavo";

pub fn descriptor() -> ProviderDescriptor {
    let notification_id = || form_field(P, "notification_id", FieldKind::Integer, true).broad(0);
    let mut resend_w =
        operation(P, ops::RESEND_WITHDRAWAL, HttpMethod::Post, OperationKind::Resend, vec![notification_id()]);
    resend_w.rate_limit_note = Some("N calls/minute (N set by CYBAVO)".into());
    let mut resend_d =
        operation(P, ops::RESEND_DEPOSIT, HttpMethod::Post, OperationKind::Resend, vec![notification_id()]);
    resend_d.rate_limit_note = resend_w.rate_limit_note.clone();
    ProviderDescriptor {
        id: ProviderId::Cybavo,
        display_name: "CYBAVO SOFA".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true),
            account_field(P, "wallet_id", FieldKind::Integer, false, true),
            account_field(P, "api_code", FieldKind::Secret, true, true),
            account_field(P, "api_secret", FieldKind::Secret, true, true),
            account_field(P, "calls_per_minute", FieldKind::Integer, false, false),
        ],
        operations: vec![
            resend_w,
            resend_d,
            operation(
                P,
                ops::QUERY_CALLBACKS,
                HttpMethod::Post,
                OperationKind::Lookup,
                vec![form_field(P, "ids", FieldKind::IntegerList, true)],
            ),
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
            ),
            operation(
                P,
                ops::LOOKUP_DEPOSIT,
                HttpMethod::Get,
                OperationKind::Lookup,
                vec![
                    form_field(P, "txid", FieldKind::Text, true),
                    form_field(P, "vout_index", FieldKind::Integer, true),
                ],
            ),
            operation(
                P,
                ops::LOOKUP_WITHDRAWAL,
                HttpMethod::Get,
                OperationKind::Lookup,
                vec![form_field(P, "order_id", FieldKind::Text, true)],
            ),
        ],
    }
}
