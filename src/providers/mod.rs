//! Providers: the registry (the only list of providers) and the engine's entry points.
//!
//! A provider is one folder `src/providers/<name>/` implementing [`Provider`] and [`ProviderAccount`]
//! (see `provider.rs`): its descriptor (account fields, operations and their form fields, bulk shapes,
//! look-up columns, confirmations, base URL presets), account parsing, signing and verification, each
//! operation's build + parse + error mapping, rate budgets, credential names for redaction, its test call,
//! outcome wording, its auth flow and its sandbox simulator. This file lists the providers once
//! ([`registry!`]) and offers the functions the rest of the core calls; none of them names a provider.
//!
//! Requests are built by pure functions: `build` validates the form input, serialises the body **once**
//! and signs exactly those bytes; `parse` verifies the answer over the **raw** bytes where the provider
//! signs answers, decodes it and maps every documented error to a stable
//! [`ErrorCode`](crate::error::ErrorCode). Time and nonces come in through [`BuildCtx`], so previews and
//! tests are deterministic; every attempt is built afresh (new timestamp and nonce).
//!
//! Adding a provider: its folder, and one line in the `registry!` invocation below.

pub mod account;
pub mod bearer;
pub mod budget;
pub mod bulk;
pub mod callback;
mod descriptor;
pub mod execute;
pub mod input_limits;
pub mod merchant;
pub mod named_ids;
pub mod params;
mod provider;
mod redaction;
pub mod refused_ranges;
pub mod util;

pub use crate::wire::{HttpMethod, RawResponse, SignedRequest};
pub use account::Account;
pub use bearer::{BearerAuth, Token, TokenCache};
pub use budget::{Budget, BudgetRule};
pub use descriptor::*;
pub use execute::{
    answer_unreadable, execute, execute_gated, token_for, CallOutcome, CallRecord, NoGate, OutcomeKind, SendGate,
};
pub use named_ids::NamedId;
pub use provider::*;
pub use redaction::redactor;

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Declares the provider folders and the registry, in display order: one line per provider.
macro_rules! registry {
    ($($name:ident => $provider:path,)*) => {
        $(pub mod $name;)*
        /// Every provider, in display order.
        pub static REGISTRY: &[&dyn Provider] = &[$(&$provider,)*];
    };
}

registry! {
    cybavo => cybavo::Cybavo,
    ceffu => ceffu::Ceffu,
    avista => avista::Avista,
    ccpayment => ccpayment::Ccpayment,
    fireblocks => fireblocks::Fireblocks,
}

/// A provider, named by its stable id. Serialized as that id (`"cybavo"`); read back only when the
/// registry knows it.
#[derive(Clone, Copy)]
pub struct ProviderId(&'static dyn Provider);

impl ProviderId {
    /// Every provider of the registry, in display order.
    pub fn all() -> impl Iterator<Item = ProviderId> {
        REGISTRY.iter().map(|p| ProviderId(*p))
    }

    pub fn as_str(self) -> &'static str {
        self.0.id()
    }

    /// The provider itself.
    pub fn get(self) -> &'static dyn Provider {
        self.0
    }

    pub fn parse(s: &str) -> Result<ProviderId> {
        ProviderId::all()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::invalid_field("provider", "unknown_provider").detail(s.to_owned()))
    }
}

impl PartialEq for ProviderId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ProviderId {}

impl std::hash::Hash for ProviderId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProviderId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ProviderId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ProviderId::parse(&s).map_err(|_| serde::de::Error::custom(format!("unknown provider {s:?}")))
    }
}

impl ts_rs::TS for ProviderId {
    type WithoutGenerics = Self;
    fn name() -> String {
        "string".to_owned()
    }
    fn inline() -> String {
        "string".to_owned()
    }
    fn inline_flattened() -> String {
        "string".to_owned()
    }
    fn decl() -> String {
        String::new()
    }
    fn decl_concrete() -> String {
        String::new()
    }
}

/// Every provider's descriptor, in display order. The UI gets this list from one command.
pub fn all() -> Vec<ProviderDescriptor> {
    REGISTRY.iter().map(|p| p.descriptor()).collect()
}

/// Every provider's descriptor, built once (for reading history: operation names and fields).
pub fn registered() -> &'static [ProviderDescriptor] {
    static ALL: std::sync::OnceLock<Vec<ProviderDescriptor>> = std::sync::OnceLock::new();
    ALL.get_or_init(all)
}

/// The descriptor of one provider.
pub fn descriptor(id: ProviderId) -> ProviderDescriptor {
    id.get().descriptor()
}

/// Every credential header name of every provider, lower-case (masked by the redaction engine).
pub fn credential_headers() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().flat_map(|p| p.credential_headers().iter().copied())
}

/// Every credential body-field name of every provider.
pub fn credential_fields() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().flat_map(|p| p.credential_fields().iter().copied())
}

/// A successful, parsed provider answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The decoded result shown to staff (JSON; never contains a secret).
    pub result: Value,
}

/// Per-attempt inputs of `build`: the time, the nonce and, for bearer-token providers, the token.
pub struct BuildCtx<'a> {
    /// Unix milliseconds of this attempt (each provider converts to its unit).
    pub now_ms: i64,
    /// CYBAVO `r`. `None` means a fresh random 8-character alphanumeric string.
    pub nonce: Option<String>,
    /// Avista bearer token. `None` renders the placeholder `<token>` (preview only).
    pub token: Option<&'a Secret>,
}

impl BuildCtx<'_> {
    pub fn at(now_ms: i64) -> BuildCtx<'static> {
        BuildCtx { now_ms, nonce: None, token: None }
    }
}

/// Splits one operation's params into the params of each HTTP call it needs (CYBAVO `query-callbacks`
/// with more than 100 ids becomes several calls). Most operations need one call.
pub fn plan_calls(account: &Account, operation: &str, params: &Map<String, Value>) -> Result<Vec<Map<String, Value>>> {
    check_operation(account, operation)?;
    account.inner().plan(operation, params)
}

/// Builds and signs one call of `operation`.
pub fn build_request(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    check_refusals(&operation_descriptor(account, operation)?, params)?;
    account.inner().build(operation, params, ctx)
}

/// Refuses a param whose value (or an item of its list) has a shape its field refuses
/// ([`Refusal`]): `input.invalid` with the field and the refusal's reason.
pub fn check_refusals(operation: &OperationDescriptor, params: &Map<String, Value>) -> Result<()> {
    for field in operation.fields.iter().filter(|f| !f.refuse.is_empty()) {
        let values: Vec<String> = match params.get(&field.name) {
            Some(Value::String(s)) => vec![s.trim().to_owned()],
            Some(Value::Number(n)) => vec![n.to_string()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim().to_owned()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for refusal in &field.refuse {
            let pattern = regex::Regex::new(&refusal.pattern)
                .map_err(|e| Error::internal(format!("refusal pattern of {}: {e}", field.name)))?;
            if let Some(v) = values.iter().find(|v| pattern.is_match(v)) {
                return Err(Error::invalid_field(&field.name, &refusal.reason).detail(v.clone()));
            }
        }
    }
    Ok(())
}

/// Verifies and decodes one call's response, mapping provider errors to stable codes. A redirect is
/// never a provider's answer (see [`redirect_error`]).
pub fn parse_response(account: &Account, operation: &str, response: &RawResponse) -> Result<Outcome> {
    check_operation(account, operation)?;
    if let Some(e) = redirect_error(account, response) {
        return Err(e);
    }
    account.inner().parse(operation, response).map_err(|e| with_retry_after(e, response))
}

/// A rate-limit error of an answer that says when to come back (`Retry-After`) carries that wait as
/// `retry_after_seconds` (unless the provider's own parsing already set it): the rate budgets block the
/// account's bucket at least that long, and the message says so.
fn with_retry_after(e: Error, response: &RawResponse) -> Error {
    if e.code != ErrorCode::ProviderRateLimited || e.params.contains_key("retry_after_seconds") {
        return e;
    }
    match util::retry_after_seconds(response.header("Retry-After"), response.received_at_ms) {
        Some(s) => e.with("retry_after_seconds", s),
        None => e,
    }
}

/// The error of an HTTP 3xx answer, `None` for any other status. Redirects are never followed (the
/// credentials would go to a second host), and no provider documents one: a redirect means the account's
/// base URL points somewhere else (a portal, a login page, a moved API). `provider.redirected` names the
/// target's host (and port, when not the scheme's default) in `host`, resolved against the base URL when
/// the `Location` is relative; the detail adds the scheme and path, never the query (which may carry a
/// session or a token). Without a usable `Location` the answer is `provider.malformed_response`.
pub fn redirect_error(account: &Account, response: &RawResponse) -> Option<Error> {
    let status = response.status;
    if !(300..400).contains(&status) {
        return None;
    }
    let target = response.header("Location").and_then(|l| account.base_url().join(l.trim()).ok());
    let Some((target, host)) = target.as_ref().and_then(|u| u.host_str().map(|h| (u, h))) else {
        return Some(
            Error::new(ErrorCode::ProviderMalformedResponse)
                .with("status", status)
                .detail(format!("HTTP {status}: a redirect without a usable Location header")),
        );
    };
    let host = match target.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Some(Error::new(ErrorCode::ProviderRedirected).with("host", host.as_str()).with("status", status).detail(format!(
        "HTTP {status} to {}://{host}{}",
        target.scheme(),
        target.path()
    )))
}

/// Checks the signature a provider puts on a response or callback, over the raw body bytes. `None` when
/// the provider signs neither; `Some(Err)` says what is wrong. The CLI `verify` command is this function.
pub fn verify_signature(account: &Account, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), String>> {
    account.inner().verify_callback(headers, body).map(|r| r.map_err(|problem| problem.detail))
}

/// The descriptor of `operation` as offered to this account (its `only_when` matches the account's public
/// fields: an API version, an access level), or `input.unknown_operation`: an operation the account is
/// not offered is never built or sent, whatever asks for it (the window, the CLI, a job).
pub fn operation_descriptor(account: &Account, operation: &str) -> Result<OperationDescriptor> {
    let d = descriptor(account.provider());
    d.operation_for(operation, account.public()).filter(|o| account.inner().offers(o)).cloned().ok_or_else(|| {
        Error::new(ErrorCode::InputUnknownOperation)
            .with("provider", account.provider().as_str())
            .with("operation", operation)
    })
}

fn check_operation(account: &Account, operation: &str) -> Result<()> {
    operation_descriptor(account, operation).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ccpayment(version: &str) -> Account {
        let file = json!({"provider": "ccpayment", "base_url": "https://ccpayment.example.com", "api_version": version,
            "app_id": "202302010636261620672405236006912", "app_secret": "TESTAPPSECRET1234567890abcdef"});
        Account::from_map(file.as_object().unwrap()).unwrap()
    }

    /// Two operations of one name offered to accounts of different versions: each account gets its own.
    #[test]
    fn an_operation_is_the_one_offered_to_the_account() {
        let fields = |v: &str| -> Vec<String> {
            let op = operation_descriptor(&ccpayment(v), "resend-webhooks").unwrap();
            op.fields.into_iter().map(|f| f.name).collect()
        };
        assert!(fields("v1").contains(&"start_timestamp".to_owned()));
        assert!(fields("v2").contains(&"startTimestamp".to_owned()), "{:?}", fields("v2"));
    }

    /// A field's refused shapes are checked on its value and on every item of a list, whole values only.
    #[test]
    fn refused_shapes_are_field_errors() {
        let field = form_field("acme", "id", FieldKind::Text, true).refuse("^E[0-9]{3}$", "looks_like_e");
        let op = operation("acme", "resend", HttpMethod::Post, OperationKind::Resend, vec![field]);
        let params = |v: Value| json!({ "id": v }).as_object().unwrap().clone();
        for ok in [json!("E12"), json!("E1234"), json!("xE123"), json!(123), json!(["A1", "E12"])] {
            assert!(check_refusals(&op, &params(ok.clone())).is_ok(), "{ok}");
        }
        for refused in [json!("E123"), json!(" E123 "), json!(["A1", "E123"])] {
            let e = check_refusals(&op, &params(refused.clone())).unwrap_err();
            assert_eq!(e.code, ErrorCode::InputInvalid, "{refused}");
            assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("id"), Some("looks_like_e")));
        }
    }
}
