//! CCPayment v1 and v2: resend webhook notifications for a time window (v2 also by record ids).
//!
//! Both sign `Appid`/`Timestamp`/`Sign` headers over the exact body; v1 hashes the secret inside the
//! message, v2 uses it as an HMAC key. See [`sign`].

pub mod ops;
pub mod sign;

use super::descriptor::{account_field, form_field, operation, FieldKind, OperationKind, ProviderDescriptor};
use super::{HttpMethod, ProviderId};

const P: &str = "ccpayment";

pub fn descriptor() -> ProviderDescriptor {
    let mut v1 = operation(
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
                .broad("All Result"),
            form_field(P, "transaction_type", FieldKind::Choice, false).choices(ops::V1_TYPES).default("All Type"),
        ],
    );
    v1.api_version = Some("v1".into());
    v1.rate_limit_note = Some("1/min, 25/day".into());
    let mut v2 = operation(
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
                .broad("AllResult"),
            form_field(P, "transactionType", FieldKind::Choice, false).choices(ops::V2_TYPES).default("AllType"),
        ],
    );
    v2.api_version = Some("v2".into());
    ProviderDescriptor {
        id: ProviderId::Ccpayment,
        display_name: "CCPayment".into(),
        account_fields: vec![
            account_field(P, "base_url", FieldKind::Url, false, true)
                .default("https://admin.ccpayment.com/ccpayment/v1"),
            account_field(P, "api_version", FieldKind::Choice, false, true).choices(&["v1", "v2"]).default("v1"),
            account_field(P, "app_id", FieldKind::Text, false, true),
            account_field(P, "app_secret", FieldKind::Secret, true, true),
        ],
        operations: vec![v1, v2],
    }
}
