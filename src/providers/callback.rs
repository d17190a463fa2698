//! What a provider's callback says: the vocabulary of the callback checker, shared by the provider folders
//! (each one's `verify_callback` and callback describer) and the checker (`crate::checker`).

use super::Phrase;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use ts_rs::TS;

/// Why a callback's signature does not prove that the account's provider sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFault {
    /// The header that carries the signature is not there.
    Missing,
    /// A signature is there but not one this account's secret or key makes over this body.
    Mismatch,
    /// It cannot be checked with what the account holds (a key it lacks).
    Unverifiable,
}

/// A signature that does not verify: the fault, why in words (a translation key with its params) and the
/// same in one English line (the command-line `verify`, logs).
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureProblem {
    pub fault: SignatureFault,
    /// Boxed: a problem travels in a `Result` and stays small.
    pub reason: Box<Phrase>,
    pub detail: String,
}

impl SignatureProblem {
    /// `header` is not in the callback.
    pub fn missing(header: &str) -> SignatureProblem {
        SignatureProblem {
            fault: SignatureFault::Missing,
            reason: Box::new(Phrase::note("checker.reason.header_missing").with("header", header)),
            detail: format!("{header} header missing"),
        }
    }

    /// `header` is there but does not match the body with this account's secret or key.
    pub fn mismatch(header: &str, detail: impl Into<String>) -> SignatureProblem {
        SignatureProblem {
            fault: SignatureFault::Mismatch,
            reason: Box::new(Phrase::note("checker.reason.mismatch").with("header", header)),
            detail: detail.into(),
        }
    }

    /// Another fault or wording: `reason`'s key is a translation key (`checker.reason.*` or the provider's).
    pub fn new(fault: SignatureFault, reason: Phrase, detail: impl Into<String>) -> SignatureProblem {
        SignatureProblem { fault, reason: Box::new(reason), detail: detail.into() }
    }
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

/// How a field's value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum FieldLook {
    Plain,
    /// An identifier, address or code: fixed-width characters.
    Code,
    /// An amount in units (a plain decimal), written as the window's language writes numbers.
    Amount,
    /// A time, Unix milliseconds, in the app's time format.
    Time,
}

/// One field of a callback in words.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallbackField {
    /// Its name (a translation key, e.g. `query.col.amount`).
    pub label_key: String,
    /// Its value as the callback says it (an amount already in units).
    pub value: String,
    /// The value in words when it is a code (a translation key, e.g. `cybavo.type.deposit`).
    pub value_key: Option<String>,
    pub look: FieldLook,
}

impl CallbackField {
    pub fn new(label_key: &str, value: impl Into<String>, look: FieldLook) -> CallbackField {
        CallbackField { label_key: label_key.to_owned(), value: value.into(), value_key: None, look }
    }

    /// A code shown in words (`value_key`), its raw value kept beside it.
    pub fn coded(label_key: &str, value: impl Into<String>, value_key: impl Into<String>) -> CallbackField {
        CallbackField { value_key: Some(value_key.into()), ..CallbackField::new(label_key, value, FieldLook::Plain) }
    }
}

/// An operation of the provider that acts on the callback (looks it up, resends it), with its params.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallbackAction {
    pub operation: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
}

impl CallbackAction {
    pub fn new(operation: &str, params: Value) -> CallbackAction {
        CallbackAction { operation: operation.to_owned(), params: params.as_object().cloned().unwrap_or_default() }
    }
}

/// A callback body read by its provider's describer: what kind of callback it is (a translation key), its
/// fields in words, and the operations that look it up or resend it (offered only where the account has
/// them).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallbackDescription {
    pub fields: Vec<CallbackField>,
    pub lookup: Option<CallbackAction>,
    pub resend: Option<CallbackAction>,
}

/// Reads a JSON value as the text a person reads: strings as they are, numbers as their digits.
pub fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Adds `label_key: value` when the callback has the value.
pub fn push(fields: &mut Vec<CallbackField>, label_key: &str, value: Option<&Value>, look: FieldLook) {
    if let Some(v) = text_of(value) {
        fields.push(CallbackField::new(label_key, v, look));
    }
}
