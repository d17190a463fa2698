//! What the fuzz targets share: the input format, the accounts they parse with, and the properties every
//! result must have.
//!
//! Response inputs are written like an HTTP response, so a captured answer is a valid seed as it is:
//!
//! ```text
//! 200
//! X-CHECKSUM: A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=
//!
//! {"count":3}
//! ```
//!
//! The first line is the status, then `Name: value` header lines up to an empty line, then the raw body
//! bytes (which need not be UTF-8).

use callback_desk::error::{Error, ErrorCode};
use callback_desk::providers::{self, Account, Outcome, RawResponse};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Local clock of every fuzzed response (`Date` headers are compared with it for clock skew).
pub const RECEIVED_AT_MS: i64 = 1_700_000_000_000;

/// A fuzz input as a response; `None` when the first line is not a status code.
pub fn response(data: &[u8]) -> Option<RawResponse> {
    let (status_line, mut rest) = split_line(data);
    let status: u16 = std::str::from_utf8(status_line).ok()?.trim().parse().ok()?;
    let mut headers = Vec::new();
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Some(RawResponse { status, headers, body: rest.to_vec(), elapsed_ms: 0, received_at_ms: RECEIVED_AT_MS })
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Replaces every header called `name` (any case) with one `name: value`.
pub fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.to_owned()));
}

/// The value of the first header called `name` (any case), as the parsers pick it.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The sandbox's demo accounts (`cybavo`, `ceffu`, `avista`, `ccpayment-v1`, `ccpayment-v2`), parsed once.
/// The sandbox signs its answers with these credentials, so its captured responses verify.
pub fn account(key: &str) -> &'static Account {
    static ACCOUNTS: OnceLock<BTreeMap<String, Account>> = OnceLock::new();
    let all = ACCOUNTS.get_or_init(|| {
        let demo = callback_desk::sandbox::demo_accounts("http://127.0.0.1:9");
        demo.as_object()
            .expect("demo accounts are an object")
            .iter()
            .map(|(k, v)| {
                (k.clone(), Account::from_map(v.as_object().expect("an account")).expect("demo account parses"))
            })
            .collect()
    });
    &all[key]
}

/// The names of every operation the account's descriptor offers (CCPayment: of its API version).
pub fn operations(account: &Account) -> Vec<String> {
    providers::descriptor(account.provider())
        .operations
        .into_iter()
        .filter(|o| providers::operation_descriptor(account, &o.name).is_ok_and(|d| d == *o))
        .map(|o| o.name)
        .collect()
}

/// The body as JSON, if it is.
pub fn json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

/// Properties of every parse result: an `Ok` serialises; an `Err` carries a provider or auth code (or
/// CCPayment's window error; never `internal`, another input code or a local failure), serialises,
/// prints, and has every parameter its English message names.
pub fn check_parse(result: &Result<Outcome, Error>) {
    match result {
        Ok(o) => {
            serde_json::to_string(&o.result).expect("a result serialises");
        }
        Err(e) => {
            let code = e.code.as_str();
            assert!(
                code.starts_with("provider.") || code.starts_with("auth.") || e.code == ErrorCode::InputWindowTooLarge,
                "unexpected code {e}"
            );
            check_error(e);
        }
    }
}

/// Properties of every error: it serialises, prints, and the window can show it: `errors.<code>` (and
/// `reasons.<reason>` for a field error) exist in the English catalog and every `{{param}}` they name is
/// among the error's params.
pub fn check_error(e: &Error) {
    serde_json::to_string(e).expect("an error serialises");
    let _ = e.to_string();
    let en = english();
    let given = |p: &str| {
        e.params.contains_key(p) || DERIVED.iter().any(|(name, from)| *name == p && e.params.contains_key(*from))
    };
    let text =
        en["errors"][e.code.as_str()].as_str().unwrap_or_else(|| panic!("errors.{} is missing from en.json", e.code));
    for p in placeholders(text) {
        assert!(given(&p), "{e}: errors.{} names {{{{{p}}}}}", e.code);
    }
    if let Some(reason) = e.params.get("reason") {
        let reason = reason.as_str().expect("a reason is a key");
        let text = en["reasons"][reason].as_str().unwrap_or_else(|| panic!("{e}: reasons.{reason} is missing"));
        for p in placeholders(text) {
            assert!(given(&p), "{e}: reasons.{reason} names {{{{{p}}}}}");
        }
    }
}

/// Params the window computes from others before it fills in a message (`ui/src/components/ErrorBox.tsx`):
/// a length of time in words from a number of seconds.
const DERIVED: &[(&str, &str)] = &[("max_duration", "max_seconds")];

/// The English catalog of the window.
fn english() -> &'static Value {
    static EN: OnceLock<Value> = OnceLock::new();
    EN.get_or_init(|| serde_json::from_str(include_str!("../../ui/src/locales/en.json")).expect("en.json parses"))
}

/// The `{{…}}` placeholders of a catalog message.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        names.insert(rest[start + 2..start + 2 + len].trim().to_owned());
        rest = &rest[start + 2 + len + 2..];
    }
    names
}

/// A 3xx answer is never the provider's own (redirects are not followed): `provider.redirected` naming the
/// target's host, or `provider.malformed_response` without a usable `Location`. Returns whether `status`
/// is a redirect, in which case the caller checks nothing else.
pub fn check_redirect(status: u16, result: &Result<Outcome, Error>) -> bool {
    if !(300..400).contains(&status) {
        return false;
    }
    let e = result.as_ref().expect_err("a redirect is never a success");
    assert!(matches!(e.code, ErrorCode::ProviderRedirected | ErrorCode::ProviderMalformedResponse), "{e}");
    if e.code == ErrorCode::ProviderRedirected {
        assert!(e.params["host"].as_str().is_some_and(|h| !h.is_empty()), "{e}");
    }
    true
}

/// The code of an error result.
pub fn code(result: &Result<Outcome, Error>) -> Option<ErrorCode> {
    result.as_ref().err().map(|e| e.code)
}
