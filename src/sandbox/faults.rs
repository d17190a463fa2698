//! Fault injection: what a fault does ([`FaultKind`]), which API it hits and how many times ([`Fault`]),
//! and the queue requests take their faults from.

use super::apis::ApiKey;
use crate::simulator::lock;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

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

/// A fault for the next `count` requests to the API `provider` (its key: `"cybavo"`, `"ccpayment-v1"`…;
/// `None`: to any API) whose path contains `path` (`None`: any path; e.g. Avista's `resend-webhook`, so
/// that the token request before it is left alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub provider: Option<ApiKey>,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Fault {
    /// A fault for the API named `api`. Panics when no simulator serves it (a mistake in the caller).
    pub fn new(api: &str, kind: FaultKind) -> Self {
        let key = ApiKey::parse(api).unwrap_or_else(|| panic!("no simulated API is named {api:?}"));
        Fault { provider: Some(key), kind, count: 1, path: None }
    }

    pub fn any(kind: FaultKind) -> Self {
        Fault { provider: None, kind, count: 1, path: None }
    }

    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Only for requests whose path contains `part`.
    pub fn on_path(mut self, part: &str) -> Self {
        self.path = Some(part.to_owned());
        self
    }
}

/// The queued faults.
#[derive(Default)]
pub(super) struct FaultQueue(Mutex<Vec<Fault>>);

impl FaultQueue {
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.0).extend(faults.into_iter().filter(|f| f.count > 0));
    }

    pub fn list(&self) -> Vec<Fault> {
        lock(&self.0).clone()
    }

    pub fn clear(&self) {
        lock(&self.0).clear();
    }

    /// The kinds of every fault that applies to one request to `api` at `path`, each fault's count taken
    /// down by one.
    pub fn take(&self, api: ApiKey, path: &str) -> Vec<FaultKind> {
        let mut faults = lock(&self.0);
        let mut taken = Vec::new();
        for f in faults.iter_mut() {
            let here = f.path.as_deref().is_none_or(|p| path.contains(p));
            if f.count > 0 && here && f.provider.is_none_or(|p| p == api) {
                f.count -= 1;
                taken.push(f.kind.clone());
            }
        }
        faults.retain(|f| f.count > 0);
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fault meant for Avista's resend leaves the token request before it alone.
    #[test]
    fn a_fault_on_a_path_is_taken_only_by_requests_to_that_path() {
        let q = FaultQueue::default();
        q.push([Fault::new("avista", FaultKind::Status { status: 504 }).times(2).on_path("resend-webhook")]);
        let avista = ApiKey::parse("avista").unwrap();
        assert!(q.take(avista, "/api/auth/token").is_empty());
        assert_eq!(q.take(avista, "/api/resend-webhook/PAG-1"), vec![FaultKind::Status { status: 504 }]);
        assert!(q.take(ApiKey::parse("cybavo").unwrap(), "/api/resend-webhook/PAG-1").is_empty());
        assert_eq!(q.take(avista, "/api/resend-webhook/PAG-2").len(), 1);
        assert!(q.list().is_empty(), "both uses taken");
    }
}
