//! How a provider's simulator plugs into the sandbox. Each provider names its simulator
//! (`Provider::simulator`), which brings everything the sandbox engine needs: the APIs it serves (key and
//! path prefix), its demo accounts, its settings, and a seeded [`Simulation`] per sandbox run that answers
//! requests, its own fault and rate-limit answers, signs its answers and checks the signatures of what it
//! delivered.
//!
//! Also the request and response types simulations work with ([`SbRequest`], [`ProviderResponse`]) and
//! their verdict on a delivery's signature ([`SignatureCheck`]).

use super::env::SimEnv;
use super::settings::{SimSettings, SimulatorSettings};
use crate::error::Result;
use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use ts_rs::TS;

/// One simulated API: the key its counters, faults, deliveries and demo account go by, and the path prefix
/// it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimApi {
    pub key: &'static str,
    pub prefix: &'static str,
}

/// A demo account of the sandbox: its key (as in the CLI's `sandbox` first line), a label for the
/// sandbox account the app creates (`Sandbox · <label>`) and the account file.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAccount {
    pub key: &'static str,
    pub label: &'static str,
    pub account: Value,
}

/// A provider's simulator: what it serves and how a run of it starts.
pub trait Simulator: Send + Sync + 'static {
    /// The APIs it serves.
    fn apis(&self) -> &'static [SimApi];

    /// The demo accounts of a sandbox listening at `base_url` (no trailing slash).
    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount>;

    /// The base URL of a sandbox account with these public fields, for a sandbox at `root`.
    fn base_url_for(&self, root: &str, _public: &Map<String, Value>) -> String {
        root.to_owned()
    }

    /// Its settings as the sandbox's default configuration holds them (limits, signature windows,
    /// timeouts…): a typed struct tests reach with `SandboxConfig::settings_mut`.
    fn default_settings(&self) -> Box<dyn SimSettings>;

    /// A fresh simulation for one sandbox run: its data seeded from `ctx.seed` and `ctx.now_ms`, its
    /// settings from `ctx`.
    fn start(&self, ctx: &StartCtx<'_>) -> Result<Box<dyn Simulation>>;
}

/// What a simulation starts from.
pub struct StartCtx<'a> {
    /// Seed of the generated data (same seed and clock, same data).
    pub seed: u64,
    /// The sandbox clock when the run starts.
    pub now_ms: i64,
    /// `false` switches every rate limit of the simulation off.
    pub limits: bool,
    settings: &'a SimulatorSettings,
}

impl<'a> StartCtx<'a> {
    pub fn new(seed: u64, now_ms: i64, limits: bool, settings: &'a SimulatorSettings) -> Self {
        StartCtx { seed, now_ms, limits, settings }
    }

    /// The simulator's own settings (its default when the configuration holds none).
    pub fn settings<T: SimSettings + Clone + Default>(&self) -> T {
        self.settings.get::<T>().cloned().unwrap_or_default()
    }
}

/// The answer of a simulation, in the making.
pub type SimFuture<'a> = Pin<Box<dyn Future<Output = ProviderResponse> + Send + 'a>>;

/// One run of a simulator, with its own state.
pub trait Simulation: Send + Sync {
    /// Answers a request to `api` (one of the simulator's APIs; its path starts with the API's prefix).
    fn handle<'a>(&'a self, api: &'static str, req: &'a SbRequest, env: &'a SimEnv) -> SimFuture<'a>;

    /// The provider's own error answer for an injected HTTP `status` (not 429, which is
    /// [`rate_limited`](Self::rate_limited)).
    fn status_fault(&self, api: &'static str, status: u16) -> ProviderResponse;

    /// The provider's own rate-limit answer (CYBAVO's "Call too frequently", Ceffu's G20012, …).
    fn rate_limited(&self, api: &'static str) -> ProviderResponse;

    /// Whether a callback this simulation delivered for `api` carries its valid signature, checked with
    /// the simulation's own knowledge of its demo secrets (never the client's signing code).
    fn verify_delivery(&self, api: &'static str, headers: &[(String, String)], body: &[u8]) -> SignatureCheck;
}

/// Whether a delivery carries the provider's valid signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum SignatureCheck {
    Valid,
    /// Signed, but not with the provider's secret over these bytes (or a signature header is missing).
    Invalid {
        reason: String,
    },
    /// The provider does not sign its callbacks.
    NotSigned,
}

/// A request as the simulations see it.
#[derive(Debug)]
pub struct SbRequest {
    pub method: Method,
    pub path: String,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl SbRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Which secret a [`Signer`] signs with: the right one, or a wrong one (the `WrongSignature` fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignWith {
    TheSecret,
    AWrongSecret,
}

impl SignWith {
    /// `secret`, or a different one.
    pub fn secret(self, secret: &str) -> String {
        match self {
            SignWith::TheSecret => secret.to_owned(),
            SignWith::AWrongSecret => format!("{secret}-wrong"),
        }
    }
}

/// Signs an answer once its final body is known (after body faults): the signature headers to add.
pub type Signer = Box<dyn FnOnce(&[u8], SignWith) -> Vec<(String, String)> + Send>;

/// What a simulation answers.
pub struct ProviderResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// How the answer is signed, if the provider signs it.
    pub signer: Option<Signer>,
    /// Counted as a rejection (auth, limit or business error).
    pub rejected: bool,
}

impl fmt::Debug for ProviderResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderResponse")
            .field("status", &self.status)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("headers", &self.headers)
            .field("signed", &self.signer.is_some())
            .field("rejected", &self.rejected)
            .finish()
    }
}

impl ProviderResponse {
    pub fn json(status: u16, value: &Value) -> Self {
        ProviderResponse {
            status,
            body: serde_json::to_vec(value).unwrap_or_default(),
            headers: Vec::new(),
            signer: None,
            rejected: status >= 400,
        }
    }

    pub fn rejected(mut self) -> Self {
        self.rejected = true;
        self
    }

    /// Signs the final body with `signer`.
    pub fn signed(mut self, signer: impl FnOnce(&[u8], SignWith) -> Vec<(String, String)> + Send + 'static) -> Self {
        self.signer = Some(Box::new(signer));
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// A synchronous answer as a [`SimFuture`].
    pub fn ready<'a>(self) -> SimFuture<'a> {
        Box::pin(std::future::ready(self))
    }
}
