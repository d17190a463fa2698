//! What a provider is: the two traits every provider folder implements, and the pieces they share.
//!
//! * [`Provider`] is the provider itself (one `static` per folder, listed once in the registry in
//!   `providers/mod.rs`): its descriptor, how its accounts are parsed, its rate budgets, the names of its
//!   credential headers and body fields, and its sandbox simulator.
//! * [`ProviderAccount`] is one parsed account of that provider, secrets included: it plans, builds and
//!   signs requests, verifies and decodes answers, splits bulk requests, names its test call and words
//!   outcomes.
//!
//! Everything provider-specific is reached through these two traits, so the engine (execute, limits,
//! jobs, accounts, results, sandbox, the app and the CLI) names no provider.

use super::callback::{CallbackDescription, SignatureProblem};
use super::descriptor::{OperationDescriptor, ProviderDescriptor};
use super::BudgetRule;
use super::{BuildCtx, Outcome, RawResponse, SignedRequest};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::simulator::Simulator;
use crate::wire::ClientIdentity;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use ts_rs::TS;
use url::Url;

/// A provider: one folder, one entry of the registry.
pub trait Provider: Send + Sync + 'static {
    /// Stable id, as stored with accounts and history and written in account files (`"cybavo"`).
    fn id(&self) -> &'static str;

    /// What the window draws forms, tables and confirmations from.
    fn descriptor(&self) -> ProviderDescriptor;

    /// Parses an account from its public fields and secrets (see [`AccountSource`]).
    fn parse_account(&self, source: &AccountSource<'_>) -> Result<Box<dyn ProviderAccount>>;

    /// The rate budget of `operation` for an account with these public fields; `None`: not limited.
    fn budget(&self, public: &Map<String, Value>, operation: &str) -> Option<BudgetRule>;

    /// The public account fields that tell this provider's merchant accounts at one address apart, as its
    /// limits count calls (a wallet, an app). Fields that only tune or describe an account (an agreed calls
    /// per minute, named ids, a webhook's key) are not among them: changing one must not start a budget
    /// anew, nor split it between members. None: every account at the address counts together, the safe
    /// side when what the provider counts by is a secret.
    fn merchant_fields(&self) -> &'static [&'static str] {
        &[]
    }

    /// Headers that carry this provider's credentials or signatures (masked everywhere, compared ignoring
    /// ASCII case), beyond the usual HTTP credential headers.
    fn credential_headers(&self) -> &'static [&'static str] {
        &[]
    }

    /// JSON or form body fields that carry credentials, signatures or tokens (masked at any depth).
    fn credential_fields(&self) -> &'static [&'static str] {
        &[]
    }

    /// Decodes a stored answer of a look-up for the results of a job or an action (history keeps answers
    /// redacted, after they were verified on arrival): the rows the operation's [`LookupShape`] describes.
    /// `None` when it cannot be read. Default: the body as JSON.
    ///
    /// [`LookupShape`]: super::descriptor::LookupShape
    fn decode_recorded(&self, _operation: &str, body: &[u8]) -> Option<Value> {
        serde_json::from_slice(body).ok()
    }

    /// The sandbox's simulator of this provider, with its demo accounts.
    fn simulator(&self) -> &'static dyn Simulator;

    /// Reads a callback this provider delivers (its raw body; the callback checker): its fields in words and
    /// the operations that look it up or resend it. `None` when the body is not one of its callbacks.
    fn describe_callback(&self, _body: &[u8]) -> Option<CallbackDescription> {
        None
    }

    /// Why its callbacks cannot be checked, for a provider whose accounts verify none (a translation key).
    fn unsigned_callbacks_key(&self) -> &'static str {
        "checker.reason.not_signed"
    }
}

/// One parsed account of a provider, secrets included. `Debug` never prints a secret.
pub trait ProviderAccount: Send + Sync + fmt::Debug {
    fn provider(&self) -> &'static dyn Provider;

    /// The account as its own type (for the provider's code and tests: [`Account::downcast`]).
    ///
    /// [`Account::downcast`]: super::Account::downcast
    fn as_any(&self) -> &dyn std::any::Any;

    fn base_url(&self) -> &Url;

    /// Whether this account offers `operation` of its provider's descriptor (an API version, a
    /// read-only credential). Default: every operation.
    fn offers(&self, _operation: &OperationDescriptor) -> bool {
        true
    }

    /// The params of each HTTP call one operation needs (most need one).
    fn plan(&self, _operation: &str, params: &Map<String, Value>) -> Result<Vec<Map<String, Value>>> {
        Ok(vec![params.clone()])
    }

    /// Validates the params, serialises the body once and signs exactly those bytes.
    fn build(&self, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest>;

    /// Verifies (where the provider signs answers) and decodes an answer; maps documented errors to codes.
    fn parse(&self, operation: &str, response: &RawResponse) -> Result<Outcome>;

    /// Joins the results of an operation's calls (two or more), in order.
    fn merge(&self, _operation: &str, results: Vec<Value>) -> Value {
        Value::Array(results)
    }

    /// Checks the signature the provider puts on a callback (or an answer) over the raw body. `None` when
    /// the provider signs neither; `Some(Err)` says what is wrong, in words and in one English line.
    fn verify_callback(&self, _headers: &[(String, String)], _body: &[u8]) -> Option<Result<(), SignatureProblem>> {
        None
    }

    /// Every secret of the account (registered so that logs and errors never show them).
    fn secrets(&self) -> Vec<&Secret>;

    /// The TLS client identity the account authenticates with, if any.
    fn client_identity(&self) -> Option<ClientIdentity> {
        None
    }

    /// The bearer-token flow of operations that need one (see [`BearerAuth`](super::BearerAuth)).
    fn bearer(&self) -> Option<&dyn super::BearerAuth> {
        None
    }

    /// Splits a bulk request into the params of each call, in order, or `None` when the operation has no
    /// bulk shape of its own (each planned call is then one call of the job). `max_calls` is checked
    /// before calls are built.
    fn split(&self, _operation: &str, _request: &BulkRequest<'_>) -> Option<Result<Split>> {
        None
    }

    /// The side-effect-free authenticated call "Test connection" uses, or why there is none.
    fn test_call(&self) -> TestCall;

    /// The outcome of a successful call in words: translation keys with their parameters.
    fn describe(&self, _operation: &str, _result: &Value) -> Vec<Phrase> {
        Vec::new()
    }
}

/// A bulk request as a provider's [`ProviderAccount::split`] sees it.
pub struct BulkRequest<'a> {
    /// The operation's own fields plus the bulk lists of its shape.
    pub params: &'a Map<String, Value>,
    /// Start of the window, Unix seconds (checked to lie in 1970–9999).
    pub since: Option<i64>,
    /// End of the window, Unix seconds (`now` when not given).
    pub until: i64,
    /// The most calls the plan may have.
    pub max_calls: usize,
}

/// The calls of a bulk request and what the plan cannot say in numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub calls: Vec<Map<String, Value>>,
    /// A translation key (`bulk.note.*`) for what is only known afterwards.
    pub note: Option<String>,
}

/// How an account is tested.
#[derive(Debug, Clone, PartialEq)]
pub enum TestCall {
    /// This operation with these params: authenticated, changes nothing.
    Call(&'static str, Map<String, Value>),
    /// The provider has no such call; the reason is a translation key (`test.none.*`).
    Unsupported(&'static str),
}

/// A sentence of an outcome: a translation key, the parameters its message names (a number of things is
/// `count`, which chooses the plural form), and how it reads.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Phrase {
    pub key: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    pub tone: Tone,
}

/// How a sentence of an outcome reads, so that the window can say "nothing happened" in neutral words
/// rather than as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Tone {
    /// What the provider did (callbacks resent, a request accepted).
    Done,
    /// The call succeeded but nothing happened (no callback matched): not a success to celebrate.
    Nothing,
    /// A fact to keep or a hint of what to check next (a reference number, why nothing matched).
    Note,
}

impl Phrase {
    /// A sentence saying what the provider did.
    pub fn new(key: &str) -> Phrase {
        Phrase { key: key.to_owned(), params: Map::new(), tone: Tone::Done }
    }

    /// A sentence saying that nothing happened.
    pub fn nothing(key: &str) -> Phrase {
        Phrase { tone: Tone::Nothing, ..Phrase::new(key) }
    }

    /// A fact or a hint.
    pub fn note(key: &str) -> Phrase {
        Phrase { tone: Tone::Note, ..Phrase::new(key) }
    }

    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Phrase {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

/// The public fields and secrets of an account being parsed, with the checks every field gets: text
/// values are bounded ([`input_limits::check_size`](super::input_limits::check_size)) and credentials
/// sent in an HTTP header hold only header-safe text. The secret lookup is asked only for the fields the
/// descriptor marks secret (the vault, in the app; the file itself, for an account file).
pub struct AccountSource<'a> {
    public: &'a Map<String, Value>,
    secret: std::cell::RefCell<&'a mut SecretLookup<'a>>,
    sandbox_root: Option<Url>,
}

/// Where an account's secrets are read from, by field name.
pub type SecretLookup<'a> = dyn FnMut(&str) -> Option<Secret> + 'a;

impl<'a> AccountSource<'a> {
    /// Checks the size of every public text value first.
    pub fn new(public: &'a Map<String, Value>, secret: &'a mut SecretLookup<'a>) -> Result<AccountSource<'a>> {
        for (name, value) in public {
            if let Value::String(s) = value {
                super::input_limits::check_size(name, s)?;
            }
        }
        Ok(AccountSource { public, secret: std::cell::RefCell::new(secret), sandbox_root: None })
    }

    /// The source of a stored **sandbox** account (environment `sandbox`, base URL marker `sandbox:`)
    /// resolved to the built-in sandbox running at `root`. Only
    /// [`Accounts::signing_account`](crate::accounts::Accounts::signing_account) says so: no account
    /// file or field can.
    pub(crate) fn in_sandbox(mut self, root: Url) -> Self {
        self.sandbox_root = Some(root);
        self
    }

    /// The root of the built-in sandbox this account was resolved to, when it is a sandbox account (see
    /// [`in_sandbox`](Self::in_sandbox)); `None` for every other account.
    pub fn sandbox_root(&self) -> Option<&Url> {
        self.sandbox_root.as_ref()
    }

    pub fn public(&self) -> &Map<String, Value> {
        self.public
    }

    /// `base_url` (see [`validate_base_url`](super::account::validate_base_url)).
    pub fn base_url(&self) -> Result<Url> {
        super::account::validate_base_url(&self.text("base_url")?)
    }

    /// A required one-line text (a JSON number is taken as its digits).
    pub fn text(&self, field: &str) -> Result<String> {
        self.opt_text(field)?.ok_or_else(|| Error::missing_field(field))
    }

    pub fn opt_text(&self, field: &str) -> Result<Option<String>> {
        match self.public.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
            Some(_) => Err(Error::invalid_field(field, "not_text")),
        }
    }

    /// A required text sent in an HTTP header (printable ASCII only).
    pub fn header_text(&self, field: &str) -> Result<String> {
        let t = self.text(field)?;
        super::input_limits::check_header_text(field, &t)?;
        Ok(t)
    }

    /// One of `allowed`.
    pub fn choice(&self, field: &str, allowed: &[&str]) -> Result<String> {
        let t = self.text(field)?;
        if allowed.contains(&t.as_str()) {
            Ok(t)
        } else {
            Err(Error::invalid_field(field, "not_allowed").with("allowed", allowed.to_vec()))
        }
    }

    /// The ids of a `named_ids` field (see [`named_ids::read`](super::named_ids::read)); none when absent.
    pub fn named_ids(&self, field: &str) -> Result<Vec<super::NamedId>> {
        super::named_ids::read(field, self.public.get(field))
    }

    /// A whole number above zero (JSON integer or digit string).
    pub fn positive_integer(&self, field: &str) -> Result<i64> {
        match self.public.get(field) {
            Some(Value::Number(n)) => {
                n.as_i64().filter(|v| *v > 0).ok_or_else(|| Error::invalid_field(field, "not_numeric"))
            }
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| Error::invalid_field(field, "not_numeric"))
            }
            None | Some(Value::Null) => Err(Error::missing_field(field)),
            Some(_) => Err(Error::invalid_field(field, "not_numeric")),
        }
    }

    /// The optional `calls_per_minute` agreed with the provider: 1 to [`MAX_CALLS_PER_MINUTE`].
    pub fn calls_per_minute(&self) -> Result<Option<u32>> {
        calls_per_minute(self.public)
    }

    /// A required secret.
    pub fn secret(&self, name: &str) -> Result<Secret> {
        self.opt_secret(name)?.ok_or_else(|| Error::missing_field(name))
    }

    /// A secret that may be left out.
    pub fn opt_secret(&self, name: &str) -> Result<Option<Secret>> {
        match (self.secret.borrow_mut())(name).filter(|s| !s.is_empty()) {
            Some(s) => super::input_limits::check_size(name, s.expose()).map(|()| Some(s)),
            None => Ok(None),
        }
    }

    /// A required secret sent in an HTTP header (printable ASCII only).
    pub fn header_secret(&self, name: &str) -> Result<Secret> {
        let s = self.secret(name)?;
        super::input_limits::check_header_text(name, s.expose())?;
        Ok(s)
    }
}

/// The most calls per minute an account may declare as agreed with its provider.
pub const MAX_CALLS_PER_MINUTE: u32 = 6_000;

/// The optional `calls_per_minute` field of public account fields (CYBAVO, Ceffu: both set limits per
/// merchant and publish no number): a whole number from 1 to [`MAX_CALLS_PER_MINUTE`]; empty means the
/// provider's default budget.
pub fn calls_per_minute(public: &Map<String, Value>) -> Result<Option<u32>> {
    const F: &str = "calls_per_minute";
    let n = match public.get(F) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| Error::invalid_field(F, "not_integer"))?,
        Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| Error::invalid_field(F, "not_integer"))?,
        Some(_) => return Err(Error::invalid_field(F, "not_integer")),
    };
    if !(1..=i64::from(MAX_CALLS_PER_MINUTE)).contains(&n) {
        return Err(Error::invalid_field(F, "out_of_range").with("min", 1).with("max", MAX_CALLS_PER_MINUTE));
    }
    Ok(Some(n as u32))
}
