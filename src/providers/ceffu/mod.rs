//! Ceffu OpenAPI: resend failed webhook notifications.
//!
//! Requests are signed with SHA512withRSA (RSASSA-PKCS1-v1_5 over SHA-512) of the exact JSON body,
//! standard base64; see [`sign`].

pub mod ops;
pub mod sign;

use super::descriptor::{account_field, form_field, operation, FieldKind, OperationKind, ProviderDescriptor};
use super::{HttpMethod, ProviderId};

const P: &str = "ceffu";

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: ProviderId::Ceffu,
        display_name: "Ceffu".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true).default("https://open-api.ceffu.com"),
            account_field(P, "api_key", FieldKind::Secret, true, true),
            account_field(P, "private_key", FieldKind::PrivateKey, true, true),
            account_field(P, "calls_per_minute", FieldKind::Integer, false, false),
        ],
        operations: vec![operation(
            P,
            ops::RESEND_WEBHOOKS,
            HttpMethod::Post,
            OperationKind::Resend,
            vec![
                form_field(P, "webhookId", FieldKind::Text, true),
                form_field(P, "eventType", FieldKind::Choice, true).choices(&["1", "2", "3", "4"]),
                form_field(P, "resendFromDateTime", FieldKind::UnixMillis, true),
            ],
        )],
    }
}
