//! Descriptor types: what the UI needs to draw account and operation forms, as plain data.

use super::{HttpMethod, ProviderId};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// The kind of an input field; the UI picks a widget and a client-side check from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// An `http(s)://` URL (https required except loopback).
    Url,
    /// A whole number (JSON integer; a digit string is accepted too).
    Integer,
    /// Unix time in seconds (10 digits).
    UnixSeconds,
    /// Unix time in milliseconds (13 digits).
    UnixMillis,
    /// One of `choices`.
    Choice,
    /// A list of whole numbers (JSON array, or text separated by commas/whitespace).
    IntegerList,
    /// A list of strings (JSON array, or text separated by commas/whitespace).
    TextList,
    /// A secret typed once and never shown again.
    Secret,
    /// A PEM or base64 DER private key (secret).
    PrivateKey,
    /// A PEM X.509 certificate.
    Certificate,
}

/// One field of a merchant account.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountField {
    /// JSON key in the account file, e.g. `wallet_id`.
    pub name: String,
    /// Stored in the vault, write-only after saving.
    pub secret: bool,
    pub kind: FieldKind,
    pub required: bool,
    /// Translatable label key, e.g. `accounts.cybavo.wallet_id.label`.
    pub label_key: String,
    /// Translatable help key, e.g. `accounts.cybavo.wallet_id.help`.
    pub help_key: String,
    /// Allowed values for `choice` fields.
    pub choices: Vec<String>,
    /// Production default, if the provider has one.
    pub default: Option<String>,
}

/// One input of an operation form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FormField {
    /// The param key as sent to the provider (key order in params is kept).
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    pub label_key: String,
    /// e.g. `ops.cybavo.notification_id.help`.
    pub help_key: String,
    pub choices: Vec<String>,
    /// Value the provider assumes when the field is left out.
    #[ts(type = "unknown")]
    pub default: Option<Value>,
    /// The value that makes the operation *broad* (touches many callbacks), e.g. CYBAVO
    /// `notification_id = 0` (all) or CCPayment `webhook_result = "All Result"`. The UI asks for an extra
    /// confirmation when the field holds it.
    #[ts(type = "unknown")]
    pub broad: Option<Value>,
    /// Largest number of list items or numeric maximum, when documented.
    pub max: Option<i64>,
}

/// What an operation does to the provider's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum OperationKind {
    /// Triggers deliveries to the merchant's production endpoint: confirm first.
    Resend,
    /// Read-only.
    Lookup,
    /// Obtains a credential (Avista token).
    Auth,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct OperationDescriptor {
    /// CLI/command name, e.g. `resend-withdrawal-callbacks`.
    pub name: String,
    pub method: HttpMethod,
    pub kind: OperationKind,
    /// `ops.<provider>.<operation>.label`.
    pub label_key: String,
    pub help_key: String,
    pub fields: Vec<FormField>,
    /// Only for accounts on this API version (CCPayment `v1`/`v2`); `None` = all.
    pub api_version: Option<String>,
    /// Documented provider quota, shown next to the button (e.g. "1/min, 25/day").
    pub rate_limit_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ProviderDescriptor {
    pub id: ProviderId,
    pub display_name: String,
    pub account_fields: Vec<AccountField>,
    pub operations: Vec<OperationDescriptor>,
}

// ---- small builders used by the provider descriptors ----

pub(crate) fn account_field(provider: &str, name: &str, kind: FieldKind, secret: bool, required: bool) -> AccountField {
    AccountField {
        name: name.to_owned(),
        secret,
        kind,
        required,
        label_key: format!("accounts.{provider}.{name}.label"),
        help_key: format!("accounts.{provider}.{name}.help"),
        choices: Vec::new(),
        default: None,
    }
}

pub(crate) fn form_field(provider: &str, name: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        name: name.to_owned(),
        kind,
        required,
        label_key: format!("ops.{provider}.{name}.label"),
        help_key: format!("ops.{provider}.{name}.help"),
        choices: Vec::new(),
        default: None,
        broad: None,
        max: None,
    }
}

pub(crate) fn operation(
    provider: &str,
    name: &str,
    method: HttpMethod,
    kind: OperationKind,
    fields: Vec<FormField>,
) -> OperationDescriptor {
    OperationDescriptor {
        name: name.to_owned(),
        method,
        kind,
        label_key: format!("ops.{provider}.{name}.label"),
        help_key: format!("ops.{provider}.{name}.help"),
        fields,
        api_version: None,
        rate_limit_note: None,
    }
}

impl FormField {
    pub(crate) fn choices(mut self, c: &[&str]) -> Self {
        self.choices = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    pub(crate) fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }
    pub(crate) fn broad(mut self, v: impl Into<Value>) -> Self {
        self.broad = Some(v.into());
        self
    }
    pub(crate) fn max(mut self, m: i64) -> Self {
        self.max = Some(m);
        self
    }
}

impl AccountField {
    pub(crate) fn choices(mut self, c: &[&str]) -> Self {
        self.choices = c.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    pub(crate) fn default(mut self, v: &str) -> Self {
        self.default = Some(v.to_owned());
        self
    }
}
