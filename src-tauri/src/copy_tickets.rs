//! One-time confirmations of "Copy with secrets": the shell issues a ticket for one exact request (account,
//! operation and params) when the window opens its confirmation, and copies only when that dialog sends
//! the ticket back with the same request, once, within [`LIFETIME_MS`]. Tickets live in memory only.

use callback_desk::actions::ActionRequest;
use callback_desk::{Error, ErrorCode};
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a ticket may be used after it was issued.
pub const LIFETIME_MS: i64 = 120_000;

/// How long a ticket is remembered after it was issued, so that a late or repeated use is told apart from
/// a made-up one.
const REMEMBERED_MS: i64 = 3_600_000;

struct Issued {
    request: Bound,
    issued_at_ms: i64,
    /// Redeemed: by a copy that succeeded or is under way.
    used: bool,
}

/// What a ticket is bound to: the account, the operation and the params in their order.
#[derive(PartialEq)]
struct Bound {
    account_id: i64,
    operation: String,
    params: String,
}

impl Bound {
    fn of(request: &ActionRequest) -> Self {
        Bound {
            account_id: request.account_id,
            operation: request.operation.clone(),
            params: serde_json::Value::Object(request.params.clone()).to_string(),
        }
    }
}

/// The tickets issued by this process.
#[derive(Default)]
pub struct CopyTickets {
    issued: Mutex<HashMap<String, Issued>>,
}

impl CopyTickets {
    /// A new random ticket (128 bits, hex) for `request`.
    pub fn issue(&self, request: &ActionRequest, now_ms: i64) -> String {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let ticket: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut issued = self.lock();
        issued.retain(|_, t| now_ms - t.issued_at_ms < REMEMBERED_MS);
        issued.insert(ticket.clone(), Issued { request: Bound::of(request), issued_at_ms: now_ms, used: false });
        ticket
    }

    /// Marks `ticket` used if it was issued for exactly `request`, less than [`LIFETIME_MS`] ago, and not
    /// used yet; otherwise says which of these it is not.
    pub fn redeem(&self, ticket: &str, request: &ActionRequest, now_ms: i64) -> Result<(), Error> {
        let mut issued = self.lock();
        let Some(t) = issued.get_mut(ticket).filter(|_| !ticket.is_empty()) else {
            return Err(Error::new(ErrorCode::CopyConfirmationMissing));
        };
        if t.used {
            return Err(Error::new(ErrorCode::CopyConfirmationUsed));
        }
        if now_ms - t.issued_at_ms >= LIFETIME_MS {
            return Err(Error::new(ErrorCode::CopyConfirmationExpired).with("minutes", LIFETIME_MS / 60_000));
        }
        if t.request != Bound::of(request) {
            return Err(Error::new(ErrorCode::CopyConfirmationMismatch));
        }
        t.used = true;
        Ok(())
    }

    /// Makes a redeemed ticket usable again after its copy failed (it may be retried until it expires).
    pub fn release(&self, ticket: &str) {
        if let Some(t) = self.lock().get_mut(ticket) {
            t.used = false;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Issued>> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(account_id: i64, operation: &str, params: serde_json::Value) -> ActionRequest {
        ActionRequest {
            account_id,
            operation: operation.into(),
            params: params.as_object().cloned().unwrap_or_default(),
        }
    }

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn a_ticket_copies_its_own_request_once_within_its_lifetime() {
        let tickets = CopyTickets::default();
        let req = request(7, "resend-withdrawal-callbacks", json!({"notification_id": 5}));
        let code = |r: Result<(), Error>| r.unwrap_err().code;

        let a = tickets.issue(&req, NOW);
        let b = tickets.issue(&req, NOW);
        assert_eq!(a.len(), 32);
        assert_ne!(a, b, "tickets are random");

        tickets.redeem(&a, &req, NOW + LIFETIME_MS - 1).unwrap();
        assert_eq!(code(tickets.redeem(&a, &req, NOW + 1)), ErrorCode::CopyConfirmationUsed);
        tickets.release(&a);
        tickets.redeem(&a, &req, NOW + 2).unwrap();

        assert_eq!(code(tickets.redeem(&b, &req, NOW + LIFETIME_MS)), ErrorCode::CopyConfirmationExpired);
        assert_eq!(code(tickets.redeem("", &req, NOW)), ErrorCode::CopyConfirmationMissing);
        assert_eq!(
            code(tickets.redeem("0123456789abcdef0123456789abcdef", &req, NOW)),
            ErrorCode::CopyConfirmationMissing
        );
    }

    #[test]
    fn a_ticket_is_bound_to_account_operation_and_params() {
        let tickets = CopyTickets::default();
        let req = request(7, "resend-withdrawal-callbacks", json!({"notification_id": 5, "x": 1}));
        let others = [
            request(8, "resend-withdrawal-callbacks", json!({"notification_id": 5, "x": 1})),
            request(7, "resend-deposit-callbacks", json!({"notification_id": 5, "x": 1})),
            request(7, "resend-withdrawal-callbacks", json!({"notification_id": 0, "x": 1})),
            request(7, "resend-withdrawal-callbacks", json!({"x": 1, "notification_id": 5})),
        ];
        let ticket = tickets.issue(&req, NOW);
        for other in &others {
            assert_eq!(tickets.redeem(&ticket, other, NOW).unwrap_err().code, ErrorCode::CopyConfirmationMismatch);
        }
        tickets.redeem(&ticket, &req, NOW).unwrap();
    }
}
