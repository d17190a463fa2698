//! The callback checker: whether a callback a person pasted (or one the sandbox delivered) was really signed
//! by the provider of one of their accounts, what it says in words (its provider's describer), and the
//! operations of that account that look it up or resend it. Verification runs here with the account's
//! secret from the vault; the answer carries the verdict and the fields, never a secret or a header value.

pub mod paste;

use crate::accounts::Accounts;
use crate::error::Result;
use crate::providers::callback::{CallbackAction, CallbackDescription, SignatureFault};
use crate::providers::{self, Account, Phrase, ProviderId};
use paste::PastedCallback;
use serde::Serialize;
use ts_rs::TS;

/// What the checker says of a callback's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Verdict {
    /// The account's provider signed exactly this body.
    Valid,
    /// A signature is there, but this account's secret or key did not make it over this body: changed
    /// after signing, or signed for another account.
    Mismatch,
    /// The header carrying the signature is not there.
    Missing,
    /// It cannot be checked with what the account holds (a key it lacks).
    Unverifiable,
    /// The provider does not sign its callbacks.
    NotSigned,
}

/// The signature's verdict, why in words, and a note (e.g. a line break a log added after the body).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CheckedSignature {
    pub verdict: Verdict,
    pub reason: Option<Phrase>,
    pub note: Option<Phrase>,
}

/// What the window gets back.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallbackCheck {
    #[ts(type = "number")]
    pub account_id: i64,
    pub provider: ProviderId,
    pub signature: CheckedSignature,
    /// The body as its provider reads it; `None` when it is not one of the provider's callbacks.
    pub description: Option<CallbackDescription>,
    /// The names of the headers read (their values are not sent back).
    pub header_names: Vec<String>,
    /// The size of the body checked, in bytes.
    #[ts(type = "number")]
    pub body_bytes: usize,
}

/// The address a sandbox account is resolved to for checking: nothing is sent, so no sandbox need run.
const NOTHING_SENT_ROOT: &str = "http://127.0.0.1:9";

/// Checks `callback` with the stored account `account_id` (its secrets read from the vault).
pub fn check_stored(accounts: &Accounts, account_id: i64, callback: &PastedCallback) -> Result<CallbackCheck> {
    let (_, account) = accounts.signing_account(account_id, Some(NOTHING_SENT_ROOT))?;
    Ok(check(account_id, &account, callback))
}

/// Checks `callback` with `account`: the signature over the exact body (and, when that fails and the body
/// ends with a line break, over the body without it, which a log or a copy often adds), the body in words
/// and the look-up and resend this account is offered.
pub fn check(account_id: i64, account: &Account, callback: &PastedCallback) -> CallbackCheck {
    let provider = account.provider();
    let headers = &callback.headers;
    let verify = |body: &[u8]| account.inner().verify_callback(headers, body);
    let signature = match verify(&callback.body) {
        None => CheckedSignature {
            verdict: Verdict::NotSigned,
            reason: Some(Phrase::note(provider.get().unsigned_callbacks_key())),
            note: None,
        },
        Some(Ok(())) => CheckedSignature { verdict: Verdict::Valid, reason: None, note: None },
        Some(Err(problem)) => {
            let trimmed = without_final_line_break(&callback.body);
            let fixed = problem.fault == SignatureFault::Mismatch
                && trimmed.len() < callback.body.len()
                && matches!(verify(trimmed), Some(Ok(())));
            if fixed {
                CheckedSignature {
                    verdict: Verdict::Valid,
                    reason: None,
                    note: Some(Phrase::note("checker.note.final_line_break")),
                }
            } else {
                let verdict = match problem.fault {
                    SignatureFault::Missing => Verdict::Missing,
                    SignatureFault::Mismatch => Verdict::Mismatch,
                    SignatureFault::Unverifiable => Verdict::Unverifiable,
                };
                CheckedSignature { verdict, reason: Some(*problem.reason), note: None }
            }
        }
    };
    let description = provider.get().describe_callback(&callback.body).map(|d| offered(account, d));
    CallbackCheck {
        account_id,
        provider,
        signature,
        description,
        header_names: callback.headers.iter().map(|(k, _)| k.clone()).collect(),
        body_bytes: callback.body.len(),
    }
}

/// The body without the line breaks after its last character.
fn without_final_line_break(body: &[u8]) -> &[u8] {
    let mut end = body.len();
    while end > 0 && matches!(body[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &body[..end]
}

/// Keeps the look-up and the resend only where this account is offered the operation.
fn offered(account: &Account, mut d: CallbackDescription) -> CallbackDescription {
    let keep = |a: Option<CallbackAction>| a.filter(|a| providers::operation_descriptor(account, &a.operation).is_ok());
    d.lookup = keep(d.lookup.take());
    d.resend = keep(d.resend.take());
    d
}

#[cfg(test)]
mod tests;
