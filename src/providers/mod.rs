//! Providers as data plus two functions.
//!
//! Each provider is described by a [`ProviderDescriptor`] (its account fields, which of them are secret,
//! its operations and each operation's form fields) that the UI draws forms from, and implemented by two
//! pure functions per operation in its own folder:
//!
//! * `build(account, operation, params, ctx) -> SignedRequest`: validates the form input, serialises the
//!   body **once** and signs exactly those bytes (the same buffer is sent, previewed and stored).
//! * `parse(operation, response) -> Outcome | Error`: verifies the response signature over the **raw**
//!   bytes where the provider signs responses, decodes the body and maps every documented provider error
//!   to a stable [`ErrorCode`](crate::error::ErrorCode).
//!
//! Time and nonces come in through [`BuildCtx`], so previews and tests are deterministic; every attempt
//! is built afresh (new `t`/`r`/timestamp) because CYBAVO and Ceffu reject replays.
//!
//! Adding a provider means one new folder, one [`ProviderId`] variant and one line in [`all`].

pub mod account;
pub mod avista;
pub mod ccpayment;
pub mod ceffu;
pub mod cybavo;
mod descriptor;
pub mod execute;
pub mod input_limits;
pub mod refused_ranges;
pub mod util;

pub use account::{Account, AvistaAccount, CcpaymentAccount, CcpaymentVersion, CeffuAccount, CybavoAccount};
pub use descriptor::*;
pub use execute::{
    answer_unreadable, execute, execute_gated, token_for, CallOutcome, CallRecord, NoGate, OutcomeKind, SendGate,
};

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use ts_rs::TS;

/// The providers Callback Desk can talk to. Serialized lowercase (`"cybavo"`, `"ccpayment"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ProviderId {
    Cybavo,
    Ceffu,
    Avista,
    Ccpayment,
}

impl ProviderId {
    pub const ALL: [ProviderId; 4] = [ProviderId::Cybavo, ProviderId::Ceffu, ProviderId::Avista, ProviderId::Ccpayment];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Cybavo => "cybavo",
            ProviderId::Ceffu => "ceffu",
            ProviderId::Avista => "avista",
            ProviderId::Ccpayment => "ccpayment",
        }
    }

    pub fn parse(s: &str) -> Result<ProviderId> {
        ProviderId::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::invalid_field("provider", "unknown_provider").detail(s.to_owned()))
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every provider's descriptor, in display order. The UI gets this list from one command.
pub fn all() -> Vec<ProviderDescriptor> {
    vec![cybavo::descriptor(), ceffu::descriptor(), avista::descriptor(), ccpayment::descriptor()]
}

/// The descriptor of one provider.
pub fn descriptor(id: ProviderId) -> ProviderDescriptor {
    match id {
        ProviderId::Cybavo => cybavo::descriptor(),
        ProviderId::Ceffu => ceffu::descriptor(),
        ProviderId::Avista => avista::descriptor(),
        ProviderId::Ccpayment => ccpayment::descriptor(),
    }
}

/// HTTP methods the providers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// A fully signed request, ready to send byte for byte.
///
/// `body` holds the exact bytes that were signed; the transport sends this buffer unchanged (never a
/// re-serialisation), and history stores its redacted form. `Debug` prints the redacted form.
#[derive(Clone, PartialEq)]
pub struct SignedRequest {
    pub method: HttpMethod,
    pub url: String,
    /// Header names as sent, in order.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl SignedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for previews.
    pub fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = crate::transport::redact_request(self);
        f.debug_struct("SignedRequest")
            .field("method", &r.method)
            .field("url", &r.url)
            .field("headers", &r.headers)
            .field("body", &r.body)
            .finish()
    }
}

/// What a response looked like on the wire: status, headers, the raw body bytes and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed_ms: u64,
    /// Local clock when the response arrived (used to compute clock skew from a server `Date`).
    pub received_at_ms: i64,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Convenience for tests and the sandbox.
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        RawResponse {
            status,
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: body.into(),
            elapsed_ms: 0,
            received_at_ms: 0,
        }
    }
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
    match account {
        Account::Cybavo(_) => cybavo::ops::plan(operation, params),
        _ => Ok(vec![params.clone()]),
    }
}

/// Builds and signs one call of `operation`.
pub fn build_request(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    check_operation(account, operation)?;
    match account {
        Account::Cybavo(a) => cybavo::ops::build(a, operation, params, ctx),
        Account::Ceffu(a) => ceffu::ops::build(a, operation, params, ctx),
        Account::Avista(a) => avista::ops::build(a, operation, params, ctx),
        Account::Ccpayment(a) => ccpayment::ops::build(a, operation, params, ctx),
    }
}

/// Verifies and decodes one call's response, mapping provider errors to stable codes. A redirect is
/// never a provider's answer (see [`redirect_error`]).
pub fn parse_response(account: &Account, operation: &str, response: &RawResponse) -> Result<Outcome> {
    check_operation(account, operation)?;
    if let Some(e) = redirect_error(account, response) {
        return Err(e);
    }
    match account {
        Account::Cybavo(a) => cybavo::ops::parse(a, operation, response),
        Account::Ceffu(_) => ceffu::ops::parse(operation, response),
        Account::Avista(_) => avista::ops::parse(operation, response),
        Account::Ccpayment(a) => ccpayment::ops::parse(a, operation, response),
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

/// Checks the signature a provider puts on a response or callback, over the raw body bytes: CYBAVO's
/// `X-CHECKSUM` and CCPayment's `Appid`/`Timestamp`/`Sign`. `None` when the provider signs neither
/// (Ceffu, Avista); `Some(Err)` says what is wrong. The CLI `verify` command is this function.
pub fn verify_signature(account: &Account, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), String>> {
    match account {
        Account::Cybavo(a) => Some(match headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("X-CHECKSUM")) {
            None => Err("X-CHECKSUM header missing".to_owned()),
            Some((_, v)) if cybavo::sign::verify_body_checksum(body, v, &a.api_secret) => Ok(()),
            Some(_) => Err("X-CHECKSUM does not match the body".to_owned()),
        }),
        Account::Ccpayment(a) => Some(ccpayment::ops::verify_signed(a, headers, body)),
        Account::Ceffu(_) | Account::Avista(_) => None,
    }
}

/// The descriptor of `operation` for this account, or `input.unknown_operation`.
pub fn operation_descriptor(account: &Account, operation: &str) -> Result<OperationDescriptor> {
    let version = match account {
        Account::Ccpayment(a) => Some(a.api_version.as_str().to_owned()),
        _ => None,
    };
    descriptor(account.provider())
        .operations
        .into_iter()
        .find(|o| o.name == operation && (o.api_version.is_none() || o.api_version == version))
        .ok_or_else(|| {
            Error::new(ErrorCode::InputUnknownOperation)
                .with("provider", account.provider().as_str())
                .with("operation", operation)
        })
}

fn check_operation(account: &Account, operation: &str) -> Result<()> {
    operation_descriptor(account, operation).map(|_| ())
}
