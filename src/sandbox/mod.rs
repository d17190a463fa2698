//! Built-in sandbox: local simulators of the registered providers on one 127.0.0.1 port.
//!
//! It is the app's training mode and the peer of the integration tests. Each provider's simulator
//! (`src/providers/<name>/sandbox.rs`, a [`Simulator`](crate::simulator::Simulator) written with the toolkit
//! in [`crate::simulator`]) checks requests the way its documentation describes, keeps seeded data,
//! enforces its limits on an injected [`Clock`] and signs its answers; this engine names no provider. It
//! routes each request to the simulated API whose path prefix it starts with, applies injected faults
//! ([`Fault`], in-process or over HTTP), counts calls per API, delivers resent callbacks (its outbox is the
//! simulations' [`SimServices`](crate::simulator::SimServices)), and keeps an inbox of what its built-in
//! receiver took.
//!
//! Where resent callbacks go: the configured callback URL (a loopback URL), else the built-in receiver
//! (`/__sandbox/inbox/receive/<api key>` on the sandbox's own port, so the sandbox behaves like a merchant
//! with a webhook configured), unless [`SandboxConfig::receiver`] is off.
//!
//! Control endpoints under `/__sandbox/`:
//!
//! * `GET /__sandbox/state`: counters (calls, rejections, faults applied per API, deliveries).
//! * `GET /__sandbox/faults`, `POST /__sandbox/faults` (one [`Fault`] or an array), `DELETE /__sandbox/faults`.
//! * `GET /__sandbox/deliveries`: every re-delivery attempt so far.
//! * `GET /__sandbox/inbox` (newest first, the last [`INBOX_CAPACITY`]), `DELETE /__sandbox/inbox`;
//!   `POST /__sandbox/inbox/receive/<api key>` is the receiver itself.
//! * `PUT /__sandbox/callback-url` `{"url": "http://127.0.0.1:P/…"}` (or `null`: back to the receiver).
//! * `GET /__sandbox/accounts`: the demo accounts (same as [`SandboxHandle::demo_accounts`]).
//!
//! Files: `server.rs` (accept loop, dispatch), `control.rs` (the endpoints above), `settings.rs` (the
//! registered simulators' default settings), `faults.rs`, `outbox.rs` (deliveries), `inbox.rs` (the
//! receiver's inbox), `apis.rs` (API keys).

mod apis;
mod control;
mod faults;
mod inbox;
mod outbox;
mod server;
mod settings;

pub use apis::ApiKey;
pub use faults::{Fault, FaultKind};
pub use inbox::{InboxEntry, ReceiverUrl, SandboxInbox, INBOX_CAPACITY};
pub use outbox::Delivery;
// The toolkit's types this engine's interface speaks of, also reachable here.
pub use crate::simulator::{receiver_url, DemoAccount, SignatureCheck, SimSettings, SimulatorSettings};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::simulator::{check_loopback_url, lock, SimApi, SimEnv, Simulation, StartCtx, RECEIVER_PATH};
use faults::FaultQueue;
use inbox::Inbox;
use outbox::{Outbox, Target};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the sandbox runs. `SandboxConfig::default()` is the training-mode setup.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Time source for signature windows, limits, token expiry and seeded data.
    pub clock: Arc<dyn Clock>,
    /// Where resent callbacks are delivered (also Avista's account webhook), instead of the built-in
    /// receiver. Must be a loopback URL.
    pub callback_url: Option<String>,
    /// With no `callback_url`, deliver to the built-in receiver (the default). `false`: resent callbacks
    /// go nowhere, as for a merchant without a webhook (an Avista resend without a one-off URL then
    /// answers 400 "No webhook URL available").
    pub receiver: bool,
    /// `false` switches every simulator's rate limits off (benchmarks, long training sessions).
    pub limits: bool,
    /// Timeout of background deliveries, in milliseconds.
    pub delivery_timeout_ms: u64,
    /// Seed of the generated data (same seed and clock, same data).
    pub seed: u64,
    /// Each simulator's own settings, by type (see [`settings_mut`](Self::settings_mut)).
    pub simulators: SimulatorSettings,
}

impl SandboxConfig {
    /// A simulator's settings, by their type (`config.settings::<cybavo::sandbox::Settings>()`). Panics
    /// when no registered simulator has settings of type `T`.
    pub fn settings<T: SimSettings>(&self) -> &T {
        self.simulators.get::<T>().unwrap_or_else(|| panic!("no simulator has settings {}", std::any::type_name::<T>()))
    }

    /// A simulator's settings to change: `config.settings_mut::<cybavo::sandbox::Settings>().per_minute = 3`.
    pub fn settings_mut<T: SimSettings>(&mut self) -> &mut T {
        self.simulators
            .get_mut::<T>()
            .unwrap_or_else(|| panic!("no simulator has settings {}", std::any::type_name::<T>()))
    }

    /// The defaults with every rate limit off.
    pub fn without_limits() -> Self {
        SandboxConfig { limits: false, ..SandboxConfig::default() }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("port", &self.port)
            .field("now_ms", &self.clock.now_ms())
            .field("callback_url", &self.callback_url)
            .field("receiver", &self.receiver)
            .field("limits", &self.limits)
            .field("seed", &self.seed)
            .field("simulators", &self.simulators)
            .finish_non_exhaustive()
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            clock: Arc::new(SystemClock),
            callback_url: None,
            receiver: true,
            limits: true,
            delivery_timeout_ms: 10_000,
            seed: 20_240_101,
            simulators: SimulatorSettings::default(),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
struct ApiCounters {
    calls: u64,
    rejections: u64,
    faults_applied: u64,
}

/// A simulated API and the simulation serving it.
struct Route {
    api: SimApi,
    simulation: Arc<dyn Simulation>,
}

/// A running sandbox's state.
struct Inner {
    base_url: String,
    routes: Vec<Route>,
    faults: FaultQueue,
    counters: Mutex<BTreeMap<ApiKey, ApiCounters>>,
    outbox: Arc<Outbox>,
    /// The outbox as the simulations see it.
    env: SimEnv,
    inbox: Inbox,
}

impl Inner {
    /// The route serving `path`: the API with the longest prefix of it.
    fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().filter(|r| path.starts_with(r.api.prefix)).max_by_key(|r| r.api.prefix.len())
    }

    fn count(&self, api: ApiKey, f: impl FnOnce(&mut ApiCounters)) {
        f(lock(&self.counters).entry(api).or_default());
    }

    fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.outbox.deliveries).clone()
    }

    /// The counters served at `GET /__sandbox/state`.
    fn state_json(&self) -> Value {
        let counters = lock(&self.counters).clone();
        let per = |f: fn(&ApiCounters) -> u64| -> serde_json::Map<String, Value> {
            self.routes
                .iter()
                .map(|r| {
                    let c = counters.get(&ApiKey::of(r.api.key)).cloned().unwrap_or_default();
                    (r.api.key.to_owned(), f(&c).into())
                })
                .collect()
        };
        let d = self.deliveries();
        let ok = d.iter().filter(|d| d.status.is_some_and(|s| (200..300).contains(&s))).count();
        let target = self.outbox.target();
        json!({
            "calls": per(|c| c.calls),
            "rejections": per(|c| c.rejections),
            "faults_applied": per(|c| c.faults_applied),
            "deliveries": {"total": d.len(), "succeeded": ok, "failed": d.len() - ok},
            "pending_faults": self.faults.list(),
            "callback_url": target.url,
            "receiver": target.receiver.then(|| format!("{}{RECEIVER_PATH}", self.base_url)),
            "inbox": self.inbox.len(),
            "now_ms": self.env.now_ms(),
        })
    }
}

/// Entry point.
pub struct Sandbox;

impl Sandbox {
    /// Binds 127.0.0.1:`config.port`, starts one seeded simulation per registered simulator and serves
    /// them until the handle is dropped or shut down.
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
        let ctx = StartCtx::new(config.seed, config.clock.now_ms(), config.limits, &config.simulators);
        let mut routes = Vec::new();
        for provider in crate::providers::REGISTRY {
            let simulator = provider.simulator();
            let simulation: Arc<dyn Simulation> = Arc::from(simulator.start(&ctx)?);
            routes.extend(simulator.apis().iter().map(|api| Route { api: *api, simulation: Arc::clone(&simulation) }));
        }
        let outbox = Arc::new(Outbox {
            clock: Arc::clone(&config.clock),
            root: base_url.clone(),
            target: RwLock::new(Target { url: config.callback_url.clone(), receiver: config.receiver }),
            deliveries: Mutex::new(Vec::new()),
            signal: Default::default(),
            timeout_ms: config.delivery_timeout_ms,
            http,
        });
        let inner = Arc::new(Inner {
            base_url,
            routes,
            faults: FaultQueue::default(),
            counters: Mutex::new(BTreeMap::new()),
            env: SimEnv::new(outbox.clone()),
            outbox,
            inbox: Inbox::default(),
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(server::accept_loop(listener, Arc::clone(&inner), shutdown_rx));
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

    /// One complete account object per demo account of every simulator (`cybavo`, `ceffu`, `avista`,
    /// `ccpayment-v1`, `ccpayment-v2`) in the account-file format, pointing at this sandbox. Each
    /// provider's `sandbox` module offers its other demo accounts (e.g. a second CYBAVO wallet).
    pub fn demo_accounts(&self) -> Value {
        demo_accounts(&self.inner.base_url)
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        self.inner.faults.push([fault]);
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.inner.faults.clear();
    }

    pub fn pending_faults(&self) -> Vec<Fault> {
        self.inner.faults.list()
    }

    /// Changes where resent callbacks go: a loopback URL, or `None` for the default (the built-in
    /// receiver, unless the configuration switched it off).
    pub fn set_callback_url(&self, url: Option<String>) -> Result<()> {
        if let Some(u) = &url {
            check_loopback_url(u)?;
        }
        self.inner.outbox.set_url(url);
        Ok(())
    }

    /// The callback URL set instead of the built-in receiver, if any.
    pub fn callback_url(&self) -> Option<String> {
        self.inner.outbox.target().url
    }

    /// Whether resent callbacks go to the built-in receiver now (no callback URL set, receiver on).
    pub fn delivers_to_receiver(&self) -> bool {
        let target = self.inner.outbox.target();
        target.url.is_none() && target.receiver
    }

    /// The built-in receiver's URL of every simulated API (also what a sandbox account may give as a
    /// one-off webhook URL).
    pub fn receiver_urls(&self) -> Vec<ReceiverUrl> {
        self.inner
            .routes
            .iter()
            .filter_map(|r| {
                let api = ApiKey::of(r.api.key);
                Some(ReceiverUrl {
                    api,
                    provider: crate::providers::ProviderId::parse(apis::provider_of(api)).ok()?,
                    url: receiver_url(&self.inner.base_url, r.api.key),
                })
            })
            .collect()
    }

    /// Every delivery attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.deliveries()
    }

    /// Waits until at least `n` deliveries were recorded or `timeout` passed; returns them.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.outbox.signal.notified();
            let current = self.deliveries();
            if current.len() >= n || tokio::time::Instant::now() >= deadline {
                return current;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// What the built-in receiver took, newest first (the last [`INBOX_CAPACITY`]), unredacted.
    pub fn inbox(&self) -> Vec<InboxEntry> {
        self.inner.inbox.newest_first()
    }

    /// Empties the inbox.
    pub fn clear_inbox(&self) {
        self.inner.inbox.clear();
    }

    /// Waits until the inbox holds at least `n` entries or `timeout` passed; returns them, newest first.
    pub async fn wait_for_inbox(&self, n: usize, timeout: Duration) -> Vec<InboxEntry> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.inbox.signal.notified();
            let current = self.inbox();
            if current.len() >= n || tokio::time::Instant::now() >= deadline {
                return current;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// The counters served at `GET /__sandbox/state`.
    pub fn state(&self) -> Value {
        self.inner.state_json()
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
