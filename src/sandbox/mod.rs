//! Built-in sandbox: a local simulator of the four providers (CYBAVO SOFA, Ceffu, Avista, CCPayment v1 and
//! v2) on one 127.0.0.1 port.
//!
//! It is the app's training mode and the peer of the integration tests. Each provider checks requests the
//! way its documentation describes (see the provider reference), keeps seeded data, enforces configurable
//! limits on an injected [`Clock`], re-delivers resent callbacks to a configurable URL, and accepts fault
//! injection ([`Fault`]) in-process or over HTTP.
//!
//! Routing by path prefix: `/v1/sofa/` CYBAVO, `/open-api/` Ceffu, `/api/` Avista, `/ccpayment/v1/` and
//! `/ccpayment/v2/` CCPayment, `/__sandbox/` control endpoints:
//!
//! * `GET /__sandbox/state`: counters (calls, rejections, faults applied per provider, deliveries).
//! * `GET /__sandbox/faults`, `POST /__sandbox/faults` (one [`Fault`] or an array), `DELETE /__sandbox/faults`.
//! * `GET /__sandbox/deliveries`: every re-delivery attempt so far.
//! * `PUT /__sandbox/callback-url` `{"url": "http://127.0.0.1:P/…"}` (or `null`) to change the target.
//! * `GET /__sandbox/accounts`: the demo accounts (same as [`SandboxHandle::demo_accounts`]).

pub mod avista;
pub mod ccpayment;
pub mod ceffu;
pub mod cybavo;
mod simulator;

pub use simulator::{DemoAccount, SimApi, Simulator};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use axum::body::Body;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Largest request body the sandbox reads.
const MAX_BODY: usize = 4 << 20;

/// Rate limits, all counted on the injected clock over a sliding 60 s window (days: calendar days of the
/// provider, see [`SandboxConfig::ccpayment_day_offset_secs`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// `false` switches every limit off.
    pub enabled: bool,
    /// CYBAVO calls per minute per wallet ("Forbidden. Call too frequently (N calls/minute)").
    pub cybavo_per_minute: u32,
    /// Ceffu calls per minute per API key (G20012, HTTP 429).
    pub ceffu_per_minute: u32,
    /// Avista resend calls per minute per client (HTTP 429).
    pub avista_per_minute: u32,
    /// CCPayment v1 resend: calls per minute and per day, per app.
    pub ccpayment_v1_per_minute: u32,
    pub ccpayment_v1_per_day: u32,
    /// CCPayment v2 resend (not documented; same as v1 by default): per minute (11004) and per day (11009).
    pub ccpayment_v2_per_minute: u32,
    pub ccpayment_v2_per_day: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            enabled: true,
            cybavo_per_minute: 60,
            ceffu_per_minute: 60,
            avista_per_minute: 60,
            ccpayment_v1_per_minute: 1,
            ccpayment_v1_per_day: 25,
            ccpayment_v2_per_minute: 1,
            ccpayment_v2_per_day: 25,
        }
    }
}

impl Limits {
    /// No limits at all (benchmarks, long training sessions).
    pub fn disabled() -> Self {
        Limits { enabled: false, ..Limits::default() }
    }
}

/// How the sandbox runs. `SandboxConfig::default()` is the training-mode setup.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Time source for signatures windows, limits, token expiry and seeded data.
    pub clock: Arc<dyn Clock>,
    /// Where resent callbacks are delivered (also Avista's account webhook). Must be a loopback URL.
    pub callback_url: Option<String>,
    pub limits: Limits,
    /// CYBAVO: accepted distance of `t` from the sandbox clock, in seconds.
    pub cybavo_timestamp_window_secs: i64,
    /// Ceffu: accepted distance of `timestamp` from the sandbox clock, in milliseconds.
    pub ceffu_timestamp_window_ms: i64,
    /// CCPayment v1/v2: accepted distance of `Timestamp` from the sandbox clock, in seconds (docs: 2 minutes).
    pub ccpayment_timestamp_window_secs: i64,
    /// Offset of CCPayment's day from UTC, in seconds (daily limits reset at its midnight).
    pub ccpayment_day_offset_secs: i64,
    /// CCPayment apps that may only use v1 (v2 answers 11013). Default: the demo legacy app.
    pub ccpayment_v1_only_apps: Vec<String>,
    /// Avista: lifetime of an access token in seconds (docs: 1800).
    pub avista_token_ttl_secs: i64,
    /// Avista: how long a synchronous resend waits for the destination (docs: 10 s), in milliseconds.
    pub avista_delivery_timeout_ms: u64,
    /// Avista: the custom headers configured on the account webhook (sent with every delivery).
    pub avista_webhook_headers: Vec<(String, String)>,
    /// Timeout of background deliveries (CYBAVO, Ceffu, CCPayment), in milliseconds.
    pub delivery_timeout_ms: u64,
    /// Seed of the generated data (same seed and clock, same data).
    pub seed: u64,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("port", &self.port)
            .field("now_ms", &self.clock.now_ms())
            .field("callback_url", &self.callback_url)
            .field("limits", &self.limits)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            clock: Arc::new(SystemClock),
            callback_url: None,
            limits: Limits::default(),
            cybavo_timestamp_window_secs: 300,
            ceffu_timestamp_window_ms: 300_000,
            ccpayment_timestamp_window_secs: 120,
            ccpayment_day_offset_secs: 0,
            ccpayment_v1_only_apps: vec![demo::CCPAYMENT_LEGACY_APP_ID.to_owned()],
            avista_token_ttl_secs: 1800,
            avista_delivery_timeout_ms: 10_000,
            avista_webhook_headers: vec![("X-Webhook-Secret".to_owned(), demo::AVISTA_WEBHOOK_SECRET.to_owned())],
            delivery_timeout_ms: 10_000,
            seed: 20_240_101,
        }
    }
}

/// Demo credentials of the sandbox (public on purpose: they only open this simulator).
pub mod demo {
    pub const CYBAVO_WALLET_ID: i64 = 55743;
    pub const CYBAVO_API_CODE: &str = "sbx55743Kq7WmZ2pXv";
    pub const CYBAVO_API_SECRET: &str = "sbx55743-secret-9f3c1a7e5b2d4c6e8a0b";
    pub const CYBAVO_WALLET2_ID: i64 = 56788;
    pub const CYBAVO_WALLET2_API_CODE: &str = "sbx56788Hn4RtY8uLc";
    pub const CYBAVO_WALLET2_API_SECRET: &str = "sbx56788-secret-2b7e9d1f3a5c7e9b1d3f";
    pub const CEFFU_API_KEY: &str = "sbx-ceffu-key-8d2f6a1c9e4b7d03";
    pub const CEFFU_WEBHOOK_ID: &str = "1721442311151521794";
    pub const AVISTA_CLIENT_ID: &str = "account-93-550e8400";
    pub const AVISTA_CLIENT_SECRET: &str = "sbx-avista-7c1e4a9f2d6b";
    pub const AVISTA_WEBHOOK_SECRET: &str = "sbx-avista-webhook-5e8a2c";
    pub const CCPAYMENT_V1_APP_ID: &str = "202405160845311790824389302517760";
    pub const CCPAYMENT_V1_APP_SECRET: &str = "sbxV1appSecret7d3f9a1c5e8b2d4f6a";
    pub const CCPAYMENT_V2_APP_ID: &str = "202405160845311790824389302517761";
    pub const CCPAYMENT_V2_APP_SECRET: &str = "sbxV2appSecret1b4e7a9c2f5d8e0b3c";
    /// A v1-only merchant: v2 calls answer 11013.
    pub const CCPAYMENT_LEGACY_APP_ID: &str = "202312011022334455667788990011223";
    pub const CCPAYMENT_LEGACY_APP_SECRET: &str = "sbxLegacySecret4c8e1a3d6f9b2e5a7";
}

/// The five simulated APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProviderId {
    #[serde(rename = "cybavo")]
    Cybavo,
    #[serde(rename = "ceffu")]
    Ceffu,
    #[serde(rename = "avista")]
    Avista,
    #[serde(rename = "ccpayment-v1")]
    CcpaymentV1,
    #[serde(rename = "ccpayment-v2")]
    CcpaymentV2,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] =
        [ProviderId::Cybavo, ProviderId::Ceffu, ProviderId::Avista, ProviderId::CcpaymentV1, ProviderId::CcpaymentV2];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Cybavo => "cybavo",
            ProviderId::Ceffu => "ceffu",
            ProviderId::Avista => "avista",
            ProviderId::CcpaymentV1 => "ccpayment-v1",
            ProviderId::CcpaymentV2 => "ccpayment-v2",
        }
    }

    /// The provider serving `path`, by prefix.
    pub fn from_path(path: &str) -> Option<ProviderId> {
        if path.starts_with("/v1/sofa/") {
            Some(ProviderId::Cybavo)
        } else if path.starts_with("/open-api/") {
            Some(ProviderId::Ceffu)
        } else if path.starts_with("/api/") {
            Some(ProviderId::Avista)
        } else if path.starts_with("/ccpayment/v1/") {
            Some(ProviderId::CcpaymentV1)
        } else if path.starts_with("/ccpayment/v2/") {
            Some(ProviderId::CcpaymentV2)
        } else {
            None
        }
    }
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this HTTP status (500, 502, 504, 429, …) and a provider-style error body; the request
    /// has no effect.
    Status { status: u16 },
    /// Answer with the provider's own rate-limit error (CYBAVO 403 "Call too frequently", Ceffu 429
    /// G20012, Avista 429, CCPayment 11004); the request has no effect.
    RateLimit,
    /// Wait this long before handling the request (combines with the other kinds).
    Delay { ms: u64 },
    /// Close the TCP connection without a response (SO_LINGER 0, so the client sees a reset).
    Reset,
    /// Handle the request, then answer with a truncated (invalid JSON) body, correctly signed.
    MalformedBody,
    /// Handle the request, then sign the response with the wrong secret (CYBAVO, CCPayment v1).
    WrongSignature,
}

fn one() -> u32 {
    1
}

/// A fault for the next `count` requests to `provider` (`None`: to any provider).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub provider: Option<ProviderId>,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
}

impl Fault {
    pub fn new(provider: ProviderId, kind: FaultKind) -> Self {
        Fault { provider: Some(provider), kind, count: 1 }
    }

    pub fn any(kind: FaultKind) -> Self {
        Fault { provider: None, kind, count: 1 }
    }

    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

/// One re-delivery attempt of a resent callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub provider: ProviderId,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The destination's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why the delivery failed without an answer (timeout, connection refused, …).
    pub error: Option<String>,
    pub at_ms: i64,
}

#[derive(Debug, Default, Clone, Serialize)]
struct ProviderCounters {
    calls: u64,
    rejections: u64,
    faults_applied: u64,
}

#[derive(Debug, Default)]
struct Counters {
    per: BTreeMap<ProviderId, ProviderCounters>,
}

/// A sliding one-minute (or any) window of accepted calls.
#[derive(Debug, Default)]
pub(crate) struct Window {
    hits: VecDeque<i64>,
}

impl Window {
    /// Records a hit and returns `true` when fewer than `limit` hits happened in the last `span_ms`.
    pub(crate) fn try_hit(&mut self, now_ms: i64, span_ms: i64, limit: u32) -> bool {
        while self.hits.front().is_some_and(|&t| t <= now_ms - span_ms) {
            self.hits.pop_front();
        }
        if self.hits.len() >= limit as usize {
            return false;
        }
        self.hits.push_back(now_ms);
        true
    }
}

/// How a provider response is signed once its final body is known.
#[derive(Debug, Clone)]
pub(crate) enum Signing {
    None,
    /// `X-CHECKSUM` = base64url(sha256(body + secret)).
    Cybavo {
        secret: String,
    },
    /// `Appid`, `Timestamp`, `Sign` = sha256hex(appid + secret + timestamp + body).
    CcpaymentV1 {
        app_id: String,
        secret: String,
        timestamp: i64,
    },
}

/// What a provider module answers.
#[derive(Debug)]
pub(crate) struct ProviderResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub signing: Signing,
    /// Counted as a rejection (auth, limit or business error).
    pub rejected: bool,
}

impl ProviderResponse {
    pub fn json(status: u16, value: &Value) -> Self {
        ProviderResponse {
            status,
            body: serde_json::to_vec(value).unwrap_or_default(),
            headers: Vec::new(),
            signing: Signing::None,
            rejected: status >= 400,
        }
    }

    pub fn rejected(mut self) -> Self {
        self.rejected = true;
        self
    }

    pub fn signed(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// A request as the provider modules see it.
#[derive(Debug)]
pub(crate) struct SbRequest {
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

/// What to do once a delivery finished (for example, mark the callback as delivered).
pub(crate) type OnDelivered = Box<dyn FnOnce(&Arc<Inner>, bool) + Send>;

/// One callback to deliver: headers, body, completion hook.
pub(crate) type Outgoing = (Vec<(String, String)>, Vec<u8>, Option<OnDelivered>);

pub(crate) struct Inner {
    pub config: SandboxConfig,
    pub base_url: String,
    pub cybavo: Mutex<cybavo::State>,
    pub ceffu: Mutex<ceffu::State>,
    pub avista: Mutex<avista::State>,
    pub ccpayment: Mutex<ccpayment::State>,
    faults: Mutex<Vec<Fault>>,
    counters: Mutex<Counters>,
    deliveries: Mutex<Vec<Delivery>>,
    delivery_signal: Notify,
    callback_url: RwLock<Option<String>>,
    http: reqwest::Client,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    pub fn now_ms(&self) -> i64 {
        self.config.clock.now_ms()
    }

    pub fn now_secs(&self) -> i64 {
        self.config.clock.now_secs()
    }

    pub fn callback_url(&self) -> Option<String> {
        self.callback_url.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn take_faults(&self, provider: ProviderId) -> Vec<FaultKind> {
        let mut faults = lock(&self.faults);
        let mut taken = Vec::new();
        for f in faults.iter_mut() {
            if f.count > 0 && f.provider.is_none_or(|p| p == provider) {
                f.count -= 1;
                taken.push(f.kind.clone());
            }
        }
        faults.retain(|f| f.count > 0);
        taken
    }

    fn count(&self, provider: ProviderId, f: impl FnOnce(&mut ProviderCounters)) {
        let mut c = lock(&self.counters);
        f(c.per.entry(provider).or_default());
    }

    fn record_delivery(&self, d: Delivery) {
        lock(&self.deliveries).push(d);
        self.delivery_signal.notify_waiters();
    }

    /// Delivers one callback now and records it. `Ok(status)` when the destination answered.
    pub async fn deliver_now(
        &self,
        provider: ProviderId,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        timeout_ms: u64,
    ) -> std::result::Result<u16, DeliveryFailure> {
        let mut req =
            self.http.post(url).timeout(Duration::from_millis(timeout_ms)).header(CONTENT_TYPE, "application/json");
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let at_ms = self.now_ms();
        let result = req.body(body.clone()).send().await;
        let (status, error, outcome) = match result {
            Ok(resp) => {
                let s = resp.status().as_u16();
                (Some(s), None, Ok(s))
            }
            Err(e) if e.is_timeout() => (None, Some("timeout".to_owned()), Err(DeliveryFailure::Timeout)),
            Err(e) => (None, Some(format!("connection failed: {e}")), Err(DeliveryFailure::Connection)),
        };
        self.record_delivery(Delivery {
            provider,
            url: url.to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            status,
            error,
            at_ms,
        });
        outcome
    }

    /// Delivers callbacks to the configured callback URL in a background task, one after the other. Does
    /// nothing when no URL is configured.
    pub fn deliver_in_background(self: &Arc<Self>, provider: ProviderId, items: Vec<Outgoing>) {
        let Some(url) = self.callback_url() else {
            return;
        };
        if items.is_empty() {
            return;
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let timeout = inner.config.delivery_timeout_ms;
            for (headers, body, on_done) in items {
                let ok = matches!(
                    inner.deliver_now(provider, &url, headers, body, timeout).await,
                    Ok(s) if (200..300).contains(&s)
                );
                if let Some(f) = on_done {
                    f(&inner, ok);
                }
            }
        });
    }
}

/// Why a delivery got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFailure {
    Timeout,
    Connection,
}

/// Entry point.
pub struct Sandbox;

impl Sandbox {
    /// Binds 127.0.0.1:`config.port` and serves every provider until the handle is dropped or shut down.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle> {
        if let Some(url) = &config.callback_url {
            check_loopback_url(url)?;
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|e| Error::internal(format!("sandbox bind failed: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Error::internal(format!("sandbox address: {e}")))?;
        let base_url = format!("http://{addr}");
        crate::transport::install_crypto_provider();
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| Error::internal(format!("sandbox http client: {e}")))?;
        let now_ms = config.clock.now_ms();
        let inner = Arc::new(Inner {
            cybavo: Mutex::new(cybavo::State::seeded(config.seed, now_ms)),
            ceffu: Mutex::new(ceffu::State::seeded(config.seed, now_ms)?),
            avista: Mutex::new(avista::State::seeded(config.seed, now_ms)?),
            ccpayment: Mutex::new(ccpayment::State::seeded(config.seed, now_ms)),
            callback_url: RwLock::new(config.callback_url.clone()),
            config,
            base_url,
            faults: Mutex::new(Vec::new()),
            counters: Mutex::new(Counters::default()),
            deliveries: Mutex::new(Vec::new()),
            delivery_signal: Notify::new(),
            http,
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&inner), shutdown_rx));
        Ok(SandboxHandle { inner, addr, shutdown: shutdown_tx, task: Some(task) })
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    inner: Arc<Inner>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// One complete account object per provider (`cybavo`, `ceffu`, `avista`, `ccpayment-v1`,
    /// `ccpayment-v2`) in the account-file format, pointing at this sandbox.
    pub fn demo_accounts(&self) -> Value {
        demo_accounts(&self.inner.base_url)
    }

    /// The account object of a seeded CYBAVO wallet (55743 or 56788).
    pub fn cybavo_account(&self, wallet_id: i64) -> Option<Value> {
        cybavo::demo_account(&self.inner.base_url, wallet_id)
    }

    /// The CCPayment account whose app may only use v1 (v2 answers 11013), as a v2 account file.
    pub fn ccpayment_legacy_account(&self) -> Value {
        json!({
            "provider": "ccpayment",
            "base_url": format!("{}/ccpayment/v2", self.inner.base_url),
            "api_version": "v2",
            "app_id": demo::CCPAYMENT_LEGACY_APP_ID,
            "app_secret": demo::CCPAYMENT_LEGACY_APP_SECRET,
        })
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        if fault.count > 0 {
            lock(&self.inner.faults).push(fault);
        }
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    pub fn pending_faults(&self) -> Vec<Fault> {
        lock(&self.inner.faults).clone()
    }

    /// Changes where resent callbacks go (`None`: nowhere; Avista then answers 400 without a `url`).
    pub fn set_callback_url(&self, url: Option<String>) -> Result<()> {
        if let Some(u) = &url {
            check_loopback_url(u)?;
        }
        *self.inner.callback_url.write().unwrap_or_else(|e| e.into_inner()) = url;
        Ok(())
    }

    pub fn callback_url(&self) -> Option<String> {
        self.inner.callback_url()
    }

    /// Every delivery attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.inner.deliveries).clone()
    }

    /// Waits until at least `n` deliveries were recorded or `timeout` passed; returns them.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.delivery_signal.notified();
            let current = self.deliveries();
            if current.len() >= n || tokio::time::Instant::now() >= deadline {
                return current;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// The counters served at `GET /__sandbox/state`.
    pub fn state(&self) -> Value {
        state_json(&self.inner)
    }

    /// Stops the server and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The demo accounts of a sandbox listening at `base_url` (see [`SandboxHandle::demo_accounts`]): one
/// object keyed by each demo account's key, in registry order.
pub fn demo_accounts(base_url: &str) -> Value {
    Value::Object(demo_account_list(base_url).into_iter().map(|d| (d.key.to_owned(), d.account)).collect())
}

/// Every simulator's demo accounts, in registry order.
pub fn demo_account_list(base_url: &str) -> Vec<DemoAccount> {
    crate::providers::REGISTRY.iter().flat_map(|p| p.simulator().demo_accounts(base_url)).collect()
}

fn state_json(inner: &Inner) -> Value {
    let c = lock(&inner.counters);
    let mut calls = serde_json::Map::new();
    let mut rejections = serde_json::Map::new();
    let mut faults = serde_json::Map::new();
    for p in ProviderId::ALL {
        let pc = c.per.get(&p).cloned().unwrap_or_default();
        calls.insert(p.as_str().to_owned(), pc.calls.into());
        rejections.insert(p.as_str().to_owned(), pc.rejections.into());
        faults.insert(p.as_str().to_owned(), pc.faults_applied.into());
    }
    drop(c);
    let d = lock(&inner.deliveries);
    let ok = d.iter().filter(|d| d.status.is_some_and(|s| (200..300).contains(&s))).count();
    let total = d.len();
    drop(d);
    json!({
        "calls": calls,
        "rejections": rejections,
        "faults_applied": faults,
        "deliveries": {"total": total, "succeeded": ok, "failed": total - ok},
        "pending_faults": lock(&inner.faults).clone(),
        "callback_url": inner.callback_url(),
        "now_ms": inner.now_ms(),
    })
}

/// Only loopback destinations: the sandbox never sends data off this machine.
pub(crate) fn check_loopback_url(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|_| Error::invalid_field("callback_url", "not_a_url"))?;
    let ok_scheme = matches!(parsed.scheme(), "http" | "https");
    let ok_host = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if ok_scheme && ok_host {
        Ok(())
    } else {
        Err(Error::invalid_field("callback_url", "not_loopback"))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Server: our own accept loop so a fault can drop a connection without answering.

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, Arc::clone(&inner), shutdown.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

/// Per-connection control: lets a request handler reset its own connection.
#[derive(Clone)]
struct ConnCtl {
    stream: Arc<TcpStream>,
    kill: Arc<Notify>,
}

impl ConnCtl {
    /// Arms SO_LINGER 0 and asks the connection task to drop the socket (the peer sees a reset).
    fn reset(&self) {
        let _ = self.stream.set_zero_linger();
        self.kill.notify_one();
    }
}

async fn serve_connection(stream: TcpStream, inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let stream = Arc::new(stream);
    let kill = Arc::new(Notify::new());
    let ctl = ConnCtl { stream: Arc::clone(&stream), kill: Arc::clone(&kill) };
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let inner = Arc::clone(&inner);
        let ctl = ctl.clone();
        async move { Ok::<_, Infallible>(dispatch(inner, ctl, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(SharedStream(Arc::clone(&stream))), service);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = shutdown.changed() => {}
    }
    drop(stream);
}

/// A TCP stream shared between hyper and the connection task (which may need to reset it).
struct SharedStream(Arc<TcpStream>);

impl AsyncRead for SharedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            match self.0.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let unfilled = buf.initialize_unfilled();
            match self.0.try_read(unfilled) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for SharedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            match self.0.poll_write_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            match self.0.try_write(buf) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket closes when the last reference is dropped.
        Poll::Ready(Ok(()))
    }
}

fn json_response(status: u16, value: &Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

async fn dispatch(inner: Arc<Inner>, ctl: ConnCtl, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return json_response(413, &json!({"error": "request body too large or unreadable"})),
    };
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    if path.starts_with("/__sandbox/") {
        return control(&inner, &parts.method, &path, &body);
    }
    let Some(provider) = ProviderId::from_path(&path) else {
        return json_response(404, &json!({"error": "Not Found", "path": path}));
    };
    inner.count(provider, |c| c.calls += 1);

    let faults = inner.take_faults(provider);
    if !faults.is_empty() {
        inner.count(provider, |c| c.faults_applied += faults.len() as u64);
    }
    for f in &faults {
        if let FaultKind::Delay { ms } = f {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    if faults.contains(&FaultKind::Reset) {
        ctl.reset();
        // The connection task drops this future together with the socket.
        std::future::pending::<()>().await;
    }
    let short_circuit = faults.iter().find_map(|f| match f {
        FaultKind::Status { status } => Some(fault_status_response(provider, *status, &inner)),
        FaultKind::RateLimit => Some(fault_rate_limit_response(provider, &inner)),
        _ => None,
    });
    let mut resp = match short_circuit {
        Some(r) => r,
        None => {
            let req = SbRequest { method: parts.method, path, raw_query, headers: parts.headers, body };
            match provider {
                ProviderId::Cybavo => cybavo::handle(&inner, &req),
                ProviderId::Ceffu => ceffu::handle(&inner, &req),
                ProviderId::Avista => avista::handle(&inner, &req).await,
                ProviderId::CcpaymentV1 => ccpayment::handle_v1(&inner, &req),
                ProviderId::CcpaymentV2 => ccpayment::handle_v2(&inner, &req),
            }
        }
    };
    if resp.rejected {
        inner.count(provider, |c| c.rejections += 1);
    }
    if faults.contains(&FaultKind::MalformedBody) {
        let keep = (resp.body.len() / 2).max(2);
        resp.body = if resp.body.len() > keep { resp.body[..keep].to_vec() } else { b"{\"".to_vec() };
    }
    let wrong = faults.contains(&FaultKind::WrongSignature);
    finish(resp, wrong, inner.now_ms())
}

/// An RFC 7231 `Date` value (what real servers send; clients derive their clock skew from it).
pub(crate) fn http_date(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Adds signature headers over the final body and builds the HTTP response. `Date` comes from the
/// sandbox clock, so a client's skew is measured against the simulated provider's time.
fn finish(resp: ProviderResponse, wrong_signature: bool, now_ms: i64) -> Response<Body> {
    let mut headers = resp.headers;
    headers.push(("Date".to_owned(), http_date(now_ms)));
    match resp.signing {
        Signing::None => {}
        Signing::Cybavo { secret } => {
            let secret = if wrong_signature { format!("{secret}-wrong") } else { secret };
            headers.push(("X-CHECKSUM".to_owned(), cybavo::response_checksum(&resp.body, &secret)));
        }
        Signing::CcpaymentV1 { app_id, secret, timestamp } => {
            let secret = if wrong_signature { format!("{secret}-wrong") } else { secret };
            let sign = ccpayment::sign_v1(&app_id, &secret, &timestamp.to_string(), &resp.body);
            headers.push(("Appid".to_owned(), app_id));
            headers.push(("Timestamp".to_owned(), timestamp.to_string()));
            headers.push(("Sign".to_owned(), sign));
        }
    }
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    out.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (hyper::header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v))
        {
            out.headers_mut().append(name, value);
        }
    }
    out
}

fn fault_status_response(provider: ProviderId, status: u16, inner: &Inner) -> ProviderResponse {
    if status == 429 {
        return fault_rate_limit_response(provider, inner);
    }
    let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error").to_owned();
    let body = match provider {
        ProviderId::Cybavo => json!({"error": reason, "error_code": 0, "message": ""}),
        ProviderId::Ceffu => json!({"data": null, "code": "G20001", "message": reason}),
        ProviderId::Avista => json!({"message": reason, "error": reason, "statusCode": status}),
        ProviderId::CcpaymentV1 | ProviderId::CcpaymentV2 => {
            json!({"code": 11002, "msg": reason, "data": null})
        }
    };
    ProviderResponse::json(status, &body).rejected()
}

fn fault_rate_limit_response(provider: ProviderId, inner: &Inner) -> ProviderResponse {
    let limits = &inner.config.limits;
    match provider {
        ProviderId::Cybavo => cybavo::throttled(limits.cybavo_per_minute),
        ProviderId::Ceffu => ceffu::rate_limited(),
        ProviderId::Avista => avista::rate_limited(),
        ProviderId::CcpaymentV1 => ccpayment::rate_limited(),
        ProviderId::CcpaymentV2 => ccpayment::rate_limited(),
    }
}

fn control(inner: &Inner, method: &Method, path: &str, body: &[u8]) -> Response<Body> {
    match (method.as_str(), path) {
        ("GET", "/__sandbox/state") => json_response(200, &state_json(inner)),
        ("GET", "/__sandbox/faults") => json_response(200, &json!(lock(&inner.faults).clone())),
        ("DELETE", "/__sandbox/faults") => {
            lock(&inner.faults).clear();
            json_response(200, &json!({"pending_faults": []}))
        }
        ("POST", "/__sandbox/faults") => {
            let parsed: std::result::Result<Vec<Fault>, _> = match serde_json::from_slice::<Value>(body) {
                Ok(Value::Array(items)) => items.into_iter().map(serde_json::from_value).collect(),
                Ok(v) => serde_json::from_value(v).map(|f| vec![f]),
                Err(e) => Err(e),
            };
            match parsed {
                Ok(list) => {
                    let mut faults = lock(&inner.faults);
                    faults.extend(list.into_iter().filter(|f| f.count > 0));
                    json_response(200, &json!({"pending_faults": faults.clone()}))
                }
                Err(e) => json_response(400, &json!({"error": format!("invalid fault: {e}")})),
            }
        }
        ("GET", "/__sandbox/deliveries") => json_response(200, &json!(lock(&inner.deliveries).clone())),
        ("GET", "/__sandbox/accounts") => json_response(200, &demo_accounts(&inner.base_url)),
        ("PUT", "/__sandbox/callback-url") => {
            let url =
                serde_json::from_slice::<Value>(body).ok().and_then(|v| v.get("url").cloned()).unwrap_or(Value::Null);
            match url {
                Value::Null => {
                    *inner.callback_url.write().unwrap_or_else(|e| e.into_inner()) = None;
                    json_response(200, &json!({"callback_url": null}))
                }
                Value::String(u) if check_loopback_url(&u).is_ok() => {
                    *inner.callback_url.write().unwrap_or_else(|e| e.into_inner()) = Some(u.clone());
                    json_response(200, &json!({"callback_url": u}))
                }
                _ => json_response(400, &json!({"error": "url must be an http(s) URL on 127.0.0.1/localhost"})),
            }
        }
        _ => json_response(404, &json!({"error": "unknown sandbox control endpoint"})),
    }
}

/// A deterministic pseudo-random generator for seeded data (xorshift; no global state).
pub(crate) struct SeedRng(u64);

impl SeedRng {
    pub fn new(seed: u64, stream: u64) -> Self {
        SeedRng((seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    pub fn hex(&mut self, len: usize) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        (0..len).map(|_| HEX[self.below(16) as usize] as char).collect()
    }

    pub fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char).collect()
    }
}

/// A fresh random token (hex) for request ids and access tokens.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
