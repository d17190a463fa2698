//! The built-in receiver's inbox: what each simulated provider delivered to the sandbox's own webhook
//! endpoint ([`RECEIVER_PATH`](crate::simulator::RECEIVER_PATH)`/<api key>`), as the merchant's server would
//! have received it, with whether the provider's signature on it verifies.

use super::apis::{self, ApiKey};
use crate::providers::ProviderId;
use crate::simulator::{lock, SignatureCheck};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::Notify;
use ts_rs::TS;

/// The most entries the inbox keeps (the oldest go first).
pub const INBOX_CAPACITY: usize = 500;

/// One delivery the built-in receiver took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct InboxEntry {
    /// Increasing within a sandbox run.
    #[ts(type = "number")]
    pub id: u64,
    /// When it arrived, on the sandbox clock (Unix milliseconds).
    #[ts(type = "number")]
    pub received_at_ms: i64,
    /// The simulated API that delivered it (`cybavo`, `ccpayment-v1`, …).
    #[ts(type = "string")]
    pub api: ApiKey,
    /// Its provider.
    pub provider: ProviderId,
    /// The URL it was delivered to.
    pub url: String,
    /// Every header, in the order received.
    pub headers: Vec<(String, String)>,
    /// The raw body (as text; bytes that are not UTF-8 are replaced).
    pub body: String,
    pub signature: SignatureCheck,
}

impl InboxEntry {
    /// The entry as the window may see it: credential and signature headers masked (the badge says
    /// whether the signature verifies), secret body fields masked and registered secrets scrubbed.
    pub fn redacted(&self) -> InboxEntry {
        let (redactor, scrubber) = (crate::providers::redactor(), crate::logging::Scrubber::now());
        InboxEntry {
            url: scrubber.scrub(&self.url).into_owned(),
            headers: redactor.headers(&scrubber, &self.headers),
            body: redactor.body_bytes(&scrubber, self.body.as_bytes()),
            ..self.clone()
        }
    }
}

/// The built-in receiver's URL for one simulated API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ReceiverUrl {
    #[ts(type = "string")]
    pub api: ApiKey,
    pub provider: ProviderId,
    pub url: String,
}

/// The inbox as the window gets it (the app's `sandbox_inbox` command).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SandboxInbox {
    /// Whether the window offers the screen: a sandbox account exists or the sandbox runs.
    pub available: bool,
    /// Whether the sandbox runs now (in the app it starts at the first use of a sandbox account).
    pub running: bool,
    /// The receiver's URL for each simulated API (empty while the sandbox is not running).
    pub receivers: Vec<ReceiverUrl>,
    /// What the receiver took, newest first, each [`redacted`](InboxEntry::redacted): whether the
    /// signature verifies is in `signature`.
    pub entries: Vec<InboxEntry>,
}

/// The entries, oldest first, at most [`INBOX_CAPACITY`].
#[derive(Default)]
pub(super) struct Inbox {
    entries: Mutex<(u64, VecDeque<InboxEntry>)>,
    /// Woken at each new entry.
    pub signal: Notify,
}

/// A delivery as the receiver got it, before it is checked.
pub(super) struct Received {
    pub api: ApiKey,
    pub at_ms: i64,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Inbox {
    pub fn record(&self, received: Received, signature: SignatureCheck) -> InboxEntry {
        let provider = ProviderId::parse(apis::provider_of(received.api)).expect("a registered provider serves it");
        let mut guard = lock(&self.entries);
        let (next_id, list) = &mut *guard;
        *next_id += 1;
        let entry = InboxEntry {
            id: *next_id,
            received_at_ms: received.at_ms,
            api: received.api,
            provider,
            url: received.url,
            headers: received.headers,
            body: String::from_utf8_lossy(&received.body).into_owned(),
            signature,
        };
        if list.len() >= INBOX_CAPACITY {
            list.pop_front();
        }
        list.push_back(entry.clone());
        drop(guard);
        self.signal.notify_waiters();
        entry
    }

    /// Newest first.
    pub fn newest_first(&self) -> Vec<InboxEntry> {
        lock(&self.entries).1.iter().rev().cloned().collect()
    }

    pub fn len(&self) -> usize {
        lock(&self.entries).1.len()
    }

    pub fn clear(&self) {
        lock(&self.entries).1.clear();
    }
}
