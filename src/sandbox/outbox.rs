//! Deliveries of resent callbacks: where they go (an explicit callback URL, else the built-in receiver,
//! else nowhere), sending them, and the log of every attempt. The [`Outbox`] is what the engine gives
//! simulations as their [`SimServices`] (through [`SimEnv`](crate::simulator::SimEnv)).

use super::apis::ApiKey;
use crate::clock::Clock;
use crate::simulator::{lock, receiver_url, Answered, DeliveryFailure, DeliveryFuture, SimServices, ANSWER_BODY_LIMIT};
use hyper::header::CONTENT_TYPE;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::Notify;

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

impl SimServices for Outbox {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn now_secs(&self) -> i64 {
        self.clock.now_secs()
    }

    /// The callback URL when one is set, else the built-in receiver (unless switched off), else `None`.
    fn callback_url(&self, api: &'static str) -> Option<String> {
        let target = self.target();
        target.url.or_else(|| target.receiver.then(|| receiver_url(&self.root, api)))
    }

    fn background_timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    fn deliver<'a>(
        &'a self,
        api: &'static str,
        url: &'a str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        timeout_ms: u64,
    ) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let mut req =
                self.http.post(url).timeout(Duration::from_millis(timeout_ms)).header(CONTENT_TYPE, "application/json");
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
            self.record(Delivery {
                provider: ApiKey::of(api),
                url: url.to_owned(),
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
                status,
                error,
                at_ms,
            });
            outcome
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::simulator::SimEnv;

    fn outbox() -> Arc<Outbox> {
        crate::transport::install_crypto_provider();
        Arc::new(Outbox {
            clock: Arc::new(FixedClock::at_ms(1_700_000_000_000)),
            root: "http://127.0.0.1:9".into(),
            target: RwLock::new(Target { url: None, receiver: true }),
            deliveries: Mutex::new(Vec::new()),
            signal: Notify::new(),
            timeout_ms: 5_000,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        })
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
        let outbox = outbox();
        let env = SimEnv::new(outbox.clone());
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
        let log = lock(&outbox.deliveries);
        assert_eq!(log.iter().map(|d| d.status).collect::<Vec<_>>(), [Some(400), Some(200), Some(200), None]);
    }
}
