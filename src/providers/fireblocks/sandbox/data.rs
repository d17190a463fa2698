//! The simulated workspace: transactions, the v2 webhook's notifications with their delivery attempts,
//! and the jobs resending failed notifications, seeded from the sandbox's seed and clock.

use super::demo;
use crate::simulator::SeedRng;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub external_tx_id: String,
    pub status: &'static str,
    pub asset: &'static str,
    pub amount: String,
    pub created_at: i64,
    pub tx_hash: String,
}

impl Transaction {
    /// As `GET /transactions/{txId}` answers (`TransactionResponse`, the fields the app shows).
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "externalTxId": self.external_tx_id,
            "status": self.status,
            "subStatus": "",
            "assetId": self.asset,
            "operation": "TRANSFER",
            "amountInfo": {"amount": self.amount, "requestedAmount": self.amount},
            "createdAt": self.created_at,
            "lastUpdated": self.created_at + 90_000,
            "txHash": self.tx_hash,
            "source": {"type": "VAULT_ACCOUNT", "id": "0"},
            "destination": {"type": "EXTERNAL_WALLET", "id": "ext-1"},
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub sent_time: i64,
    pub duration: i64,
    pub response_code: Option<u16>,
    pub failure_reason: Option<&'static str>,
}

impl Attempt {
    pub fn json(&self) -> Value {
        let mut v = json!({"sentTime": self.sent_time, "duration": self.duration});
        if let Some(c) = self.response_code {
            v["responseCode"] = c.into();
        }
        if let Some(r) = self.failure_reason {
            v["failureReason"] = r.into();
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub status: &'static str,
    pub event_type: &'static str,
    pub resource_id: String,
    pub attempts: Vec<Attempt>,
}

impl Notification {
    /// As a page of `GET /webhooks/{id}/notifications` lists it (`Notification`).
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "status": self.status,
            "eventType": self.event_type,
            "resourceId": self.resource_id,
        })
    }
}

/// A job resending failed notifications: how many it covers, which, and how far it is.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub notifications: Vec<String>,
    /// Deliveries finished (delivered or not).
    pub delivered: usize,
    /// Times its state was asked for.
    pub looks: usize,
}

impl Job {
    /// Its state at this look: QUEUED at the first look, then IN_PROGRESS while deliveries remain,
    /// reporting at most half of them done at the second look, COMPLETED once all are done.
    pub fn look(&mut self) -> Value {
        self.looks += 1;
        let total = self.notifications.len();
        let shown = match self.looks {
            1 => 0,
            2 => self.delivered.min(total / 2),
            _ => self.delivered,
        };
        let status = match (self.looks, shown == total) {
            (1, _) => "QUEUED",
            (_, false) => "IN_PROGRESS",
            (_, true) => "COMPLETED",
        };
        json!({"jobId": self.id, "status": status, "processed": shown, "total": total})
    }
}

/// The seeded workspace.
#[derive(Debug, Default)]
pub struct Workspace {
    pub transactions: Vec<Transaction>,
    pub notifications: Vec<Notification>,
    pub jobs: Vec<Job>,
}

/// A UUID-shaped id from the seeded generator.
pub fn uuid(rng: &mut SeedRng) -> String {
    let h = rng.hex(32);
    format!("{}-{}-4{}-a{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..])
}

const ASSETS: [&str; 4] = ["USDT_ERC20", "BTC", "ETH", "USDC"];
const TX_STATUSES: [&str; 5] = ["COMPLETED", "COMPLETED", "CONFIRMING", "FAILED", "COMPLETED"];

impl Workspace {
    /// Twelve transactions of the last 30 days (the first two are the documented examples' ids), each
    /// with a `transaction.created` and a `transaction.status.updated` notification. Notifications of the
    /// last 24 hours: some failed (a 500 from the merchant's server, or a timeout), one on hold, the
    /// rest delivered; older ones failed or delivered.
    pub fn seeded(seed: u64, now_ms: i64) -> Workspace {
        let mut rng = SeedRng::new(seed, 7);
        let mut w = Workspace::default();
        for i in 0..12usize {
            let (id, external) = match i {
                0 => (demo::TX_ID.to_owned(), demo::EXTERNAL_TX_ID.to_owned()),
                1 => (uuid(&mut rng), demo::SPECIAL_EXTERNAL_TX_ID.to_owned()),
                _ => (uuid(&mut rng), format!("INV-2024-{:04}", i + 1)),
            };
            // Half within the last 20 hours, half older (up to 30 days).
            let age_ms = if i % 2 == 0 { 3_600_000 + rng.below(19 * 3_600_000) as i64 } else { 86_400_000 * (2 + rng.below(27) as i64) };
            let created_at = now_ms - age_ms;
            let tx = Transaction {
                id: id.clone(),
                external_tx_id: external,
                status: TX_STATUSES[rng.below(TX_STATUSES.len() as u64) as usize],
                asset: ASSETS[rng.below(ASSETS.len() as u64) as usize],
                amount: format!("{}.{:02}", rng.below(5_000) + 1, rng.below(100)),
                created_at,
                tx_hash: format!("0x{}", rng.hex(64)),
            };
            for (k, event) in ["transaction.created", "transaction.status.updated"].into_iter().enumerate() {
                let at = created_at + (k as i64) * 90_000;
                let roll = rng.below(6);
                let (status, attempts) = match roll {
                    0 | 1 => ("FAILED", vec![
                        Attempt { sent_time: at + 1_000, duration: 1_200, response_code: Some(500), failure_reason: None },
                        Attempt { sent_time: at + 61_000, duration: 10_000, response_code: None, failure_reason: Some("TIMED_OUT") },
                    ]),
                    2 if i % 4 == 2 => ("ON_HOLD", Vec::new()),
                    _ => ("COMPLETED", vec![Attempt { sent_time: at + 1_000, duration: 180 + rng.below(200) as i64, response_code: Some(200), failure_reason: None }]),
                };
                let updated_at = attempts.last().map_or(at, |a| a.sent_time + a.duration);
                w.notifications.push(Notification {
                    id: uuid(&mut rng),
                    created_at: at,
                    updated_at,
                    status,
                    event_type: event,
                    resource_id: id.clone(),
                    attempts,
                });
            }
            w.transactions.push(tx);
        }
        // The demo transaction's status update failed within the last day, whatever the rolls gave.
        if let Some(n) = w.notifications.iter_mut().find(|n| n.resource_id == demo::TX_ID && n.event_type == "transaction.status.updated") {
            n.status = "FAILED";
            n.attempts = vec![Attempt { sent_time: n.created_at + 1_000, duration: 10_000, response_code: None, failure_reason: Some("TIMED_OUT") }];
        }
        w
    }

    pub fn transaction(&self, id: &str) -> Option<&Transaction> {
        self.transactions.iter().find(|t| t.id == id)
    }

    /// The body Fireblocks delivers for a notification (webhooks v2).
    pub fn payload(&self, n: &Notification, now_ms: i64) -> Value {
        json!({
            "id": n.id,
            "eventType": n.event_type,
            "eventVersion": 1,
            "resourceId": n.resource_id,
            "data": self.transaction(&n.resource_id).map(Transaction::json),
            "createdAt": now_ms,
            "workspaceId": demo::WORKSPACE_ID,
        })
    }
}
