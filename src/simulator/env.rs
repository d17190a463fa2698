//! What a simulation gets from the sandbox engine while it answers a request ([`SimEnv`]): the sandbox
//! clock, where callbacks go now, and delivering them (now, or one after the other in the background). The
//! engine provides these through [`SimServices`]; the built-in receiver's address is fixed here so that
//! simulators and sandbox accounts can name it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The path under which the sandbox's built-in receiver takes deliveries: `<path>/<api key>`.
pub const RECEIVER_PATH: &str = "/__sandbox/inbox/receive";

/// The built-in receiver's URL for deliveries of `api` on a sandbox at `root` (no trailing slash).
pub fn receiver_url(root: &str, api: &str) -> String {
    format!("{}{RECEIVER_PATH}/{api}", root.trim_end_matches('/'))
}

/// The most bytes of a destination's answer [`SimEnv::deliver_and_read`] keeps.
pub const ANSWER_BODY_LIMIT: usize = 64 * 1024;

/// What a destination answered a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub status: u16,
    /// The first [`ANSWER_BODY_LIMIT`] bytes of its body.
    pub body: Vec<u8>,
}

/// Why a delivery got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFailure {
    Timeout,
    Connection,
}

/// What to do once a delivery finished (`true`: the destination answered 2xx), e.g. mark the callback as
/// delivered in the simulation's state.
pub type OnDelivered = Box<dyn FnOnce(bool) + Send>;

/// One callback to deliver.
pub struct Outgoing {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub on_done: Option<OnDelivered>,
}

/// A delivery in the making.
pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<Answered, DeliveryFailure>> + Send + 'a>>;

/// What the sandbox engine does for simulations (it implements this with its clock and its outbox).
pub trait SimServices: Send + Sync + 'static {
    /// The sandbox clock.
    fn now_ms(&self) -> i64;

    fn now_secs(&self) -> i64;

    /// Where callbacks of `api` go now, if anywhere (see [`SimEnv::callback_url`]).
    fn callback_url(&self, api: &'static str) -> Option<String>;

    /// Timeout of background deliveries, in milliseconds.
    fn background_timeout_ms(&self) -> u64;

    /// Sends one callback of `api` to `url` and records the attempt; the answer keeps at most
    /// [`ANSWER_BODY_LIMIT`] bytes of the body.
    fn deliver<'a>(
        &'a self,
        api: &'static str,
        url: &'a str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        timeout_ms: u64,
    ) -> DeliveryFuture<'a>;
}

/// What the engine offers a simulation while it answers a request: the sandbox clock and deliveries.
#[derive(Clone)]
pub struct SimEnv(Arc<dyn SimServices>);

impl SimEnv {
    pub fn new(services: Arc<dyn SimServices>) -> Self {
        SimEnv(services)
    }

    pub fn now_ms(&self) -> i64 {
        self.0.now_ms()
    }

    pub fn now_secs(&self) -> i64 {
        self.0.now_secs()
    }

    /// Where callbacks of `api` go now (the merchant's configured webhook): the callback URL when one is
    /// set, else the built-in receiver (unless switched off), else `None`.
    pub fn callback_url(&self, api: &'static str) -> Option<String> {
        self.0.callback_url(api)
    }

    /// Delivers one callback of `api` now and records it. `Ok(status)` when the destination answered.
    pub async fn deliver_now(
        &self,
        api: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        timeout_ms: u64,
    ) -> std::result::Result<u16, DeliveryFailure> {
        self.deliver_and_read(api, url, headers, body, timeout_ms).await.map(|a| a.status)
    }

    /// [`deliver_now`](Self::deliver_now), keeping what the destination answered: its status and the first
    /// [`ANSWER_BODY_LIMIT`] bytes of its body (a provider that reports the merchant's answer, such as an
    /// endpoint test, shows them).
    pub async fn deliver_and_read(
        &self,
        api: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        timeout_ms: u64,
    ) -> std::result::Result<Answered, DeliveryFailure> {
        self.0.deliver(api, url, headers, body, timeout_ms).await
    }

    /// Delivers callbacks of `api` to its [`callback_url`](Self::callback_url) in a background task, one
    /// after the other. Does nothing when callbacks go nowhere.
    pub fn deliver_in_background(&self, api: &'static str, items: Vec<Outgoing>) {
        let Some(url) = self.callback_url(api) else {
            return;
        };
        if items.is_empty() {
            return;
        }
        let env = self.clone();
        tokio::spawn(async move {
            let timeout = env.0.background_timeout_ms();
            for item in items {
                let ok = matches!(
                    env.deliver_now(api, &url, item.headers, item.body, timeout).await,
                    Ok(s) if (200..300).contains(&s)
                );
                if let Some(f) = item.on_done {
                    f(ok);
                }
            }
        });
    }
}
