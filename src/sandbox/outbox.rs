//! Deliveries of resent callbacks: where they go (an explicit callback URL, else the built-in receiver,
//! else nowhere), sending them (now, or one after the other in the background), and the log of every
//! attempt. [`SimEnv`] is what a simulation gets from the engine while it answers a request.

use super::apis::ApiKey;
use super::helpers::lock;
use crate::clock::Clock;
use hyper::header::CONTENT_TYPE;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::Notify;

/// The path under which the built-in receiver takes deliveries: `<path>/<api key>`.
pub const RECEIVER_PATH: &str = "/__sandbox/inbox/receive";

/// The built-in receiver's URL for deliveries of `api` on a sandbox at `root` (no trailing slash).
pub fn receiver_url(root: &str, api: &str) -> String {
    format!("{}{RECEIVER_PATH}/{api}", root.trim_end_matches('/'))
}

/// One re-delivery attempt of a resent callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub provider: ApiKey,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The destination's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why the delivery failed without an answer (timeout, connection refused, …).
    pub error: Option<String>,
    pub at_ms: i64,
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

/// Where deliveries go.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// Set by the configuration or at run time; wins over the receiver.
    pub url: Option<String>,
    /// Deliver to the built-in receiver when no URL is set.
    pub receiver: bool,
}

pub(super) struct Outbox {
    pub clock: Arc<dyn Clock>,
    pub root: String,
    pub target: RwLock<Target>,
    pub deliveries: Mutex<Vec<Delivery>>,
    pub signal: Notify,
    /// Timeout of background deliveries.
    pub timeout_ms: u64,
    pub http: reqwest::Client,
}

impl Outbox {
    pub fn target(&self) -> Target {
        self.target.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_url(&self, url: Option<String>) {
        self.target.write().unwrap_or_else(|e| e.into_inner()).url = url;
    }

    fn record(&self, d: Delivery) {
        lock(&self.deliveries).push(d);
        self.signal.notify_waiters();
    }
}

/// What the engine offers a simulation while it answers a request: the sandbox clock and deliveries.
#[derive(Clone)]
pub struct SimEnv(pub(super) Arc<Outbox>);

impl SimEnv {
    pub fn now_ms(&self) -> i64 {
        self.0.clock.now_ms()
    }

    pub fn now_secs(&self) -> i64 {
        self.0.clock.now_secs()
    }

    /// Where callbacks of `api` go now (the merchant's configured webhook): the callback URL when one is
    /// set, else the built-in receiver (unless switched off), else `None`.
    pub fn callback_url(&self, api: &'static str) -> Option<String> {
        let target = self.0.target();
        target.url.or_else(|| target.receiver.then(|| receiver_url(&self.0.root, api)))
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
        let outbox = &self.0;
        let mut req =
            outbox.http.post(url).timeout(Duration::from_millis(timeout_ms)).header(CONTENT_TYPE, "application/json");
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let at_ms = self.now_ms();
        let result = req.body(body.clone()).send().await;
        let (status, error, outcome) = match result {
            Ok(mut resp) => {
                let s = resp.status().as_u16();
                let mut answer = Vec::new();
                while let Ok(Some(chunk)) = resp.chunk().await {
                    answer.extend_from_slice(&chunk[..chunk.len().min(ANSWER_BODY_LIMIT - answer.len())]);
                    if answer.len() >= ANSWER_BODY_LIMIT {
                        break;
                    }
                }
                (Some(s), None, Ok(Answered { status: s, body: answer }))
            }
            Err(e) if e.is_timeout() => (None, Some("timeout".to_owned()), Err(DeliveryFailure::Timeout)),
            Err(e) => (None, Some(format!("connection failed: {e}")), Err(DeliveryFailure::Connection)),
        };
        outbox.record(Delivery {
            provider: ApiKey::of(api),
            url: url.to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            status,
            error,
            at_ms,
        });
        outcome
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
            let timeout = env.0.timeout_ms;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn env() -> SimEnv {
        crate::transport::install_crypto_provider();
        SimEnv(Arc::new(Outbox {
            clock: Arc::new(FixedClock::at_ms(1_700_000_000_000)),
            root: "http://127.0.0.1:9".into(),
            target: RwLock::new(Target { url: None, receiver: true }),
            deliveries: Mutex::new(Vec::new()),
            signal: Notify::new(),
            timeout_ms: 5_000,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }))
    }

    /// A loopback destination answering `status` with `body` on every path.
    async fn destination(status: u16, body: Vec<u8>) -> String {
        let app = axum::Router::new().fallback(move || {
            let body = body.clone();
            async move { (axum::http::StatusCode::from_u16(status).unwrap(), body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn a_delivery_keeps_what_the_destination_answered() {
        let env = env();
        let url = destination(400, b"unknown payload".to_vec()).await;
        let answer = env.deliver_and_read("cybavo", &url, vec![], b"{}".to_vec(), 5_000).await.unwrap();
        assert_eq!(answer, Answered { status: 400, body: b"unknown payload".to_vec() });
        let url = destination(200, vec![b'x'; ANSWER_BODY_LIMIT + 10]).await;
        let answer = env.deliver_and_read("cybavo", &url, vec![], b"{}".to_vec(), 5_000).await.unwrap();
        assert_eq!((answer.status, answer.body.len()), (200, ANSWER_BODY_LIMIT));
        assert_eq!(env.deliver_now("cybavo", &url, vec![], b"{}".to_vec(), 5_000).await, Ok(200));
        // Nothing listens on port 9 of this computer.
        let refused = env.deliver_and_read("cybavo", "http://127.0.0.1:9/hook", vec![], b"{}".to_vec(), 5_000).await;
        assert_eq!(refused, Err(DeliveryFailure::Connection));
        let log = lock(&env.0.deliveries);
        assert_eq!(log.iter().map(|d| d.status).collect::<Vec<_>>(), [Some(400), Some(200), Some(200), None]);
    }
}
