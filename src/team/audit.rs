//! The team's audit trail (`callback_desk.audit`, migration 002): appending a member's action, and
//! verifying the hash chain.
//!
//! Each row's `hash` is SHA-256 of the previous row's hash followed by the row's canonical text (every
//! column but `hash`, in table order; see `src/team/sql/002_audit.sql`). The database computes it when it
//! appends; [`verify_chain`] recomputes it here from the columns, so a change made by anyone who can bypass
//! the trigger (a superuser) shows as the first row whose hash or link no longer matches.

use super::connect::db_error;
use super::Team;
use crate::error::{Error, ErrorCode, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};
use tokio_postgres::types::{ToSql, Type};

/// The hash before the first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// One action as it goes to the trail.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// `member/installation/local id`: unique; the same origin twice is one row.
    pub origin: String,
    pub at_ms: i64,
    /// The shared account, when the action was on one.
    pub account_id: Option<i64>,
    pub account_label: String,
    pub provider: String,
    pub environment: String,
    /// What kind of row: `action` for a member's call.
    pub kind: String,
    pub operation: String,
    pub scope: String,
    pub outcome: String,
    pub http_status: Option<i32>,
    pub error_code: Option<String>,
    pub duration_ms: Option<i64>,
    /// The redacted request and the rest of the local history row.
    pub payload: Option<Value>,
}

/// Appends `entry` as the team member (or finds the row its origin already made); returns the row's id.
pub async fn append(team: &Team, entry: &AuditEntry) -> Result<i64> {
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(entry.at_ms.max(0) as u64);
    // Typed parameters: no statement is prepared first (one round trip).
    let params: [(&(dyn ToSql + Sync), Type); 14] = [
        (&entry.origin, Type::TEXT),
        (&at, Type::TIMESTAMPTZ),
        (&entry.account_id, Type::INT8),
        (&entry.account_label, Type::TEXT),
        (&entry.provider, Type::TEXT),
        (&entry.environment, Type::TEXT),
        (&entry.kind, Type::TEXT),
        (&entry.operation, Type::TEXT),
        (&entry.scope, Type::TEXT),
        (&entry.outcome, Type::TEXT),
        (&entry.http_status, Type::INT4),
        (&entry.error_code, Type::TEXT),
        (&entry.duration_ms, Type::INT8),
        (&entry.payload, Type::JSONB),
    ];
    let row = team
        .client()
        .query_typed_one(
            "SELECT callback_desk.append_audit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &params,
        )
        .await
        .map_err(db_error)?;
    Ok(row.get(0))
}

/// What [`verify_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    /// Every row links to the one before and matches its hash.
    Intact { rows: u64 },
    /// The first row whose content no longer matches its hash, or whose link to the row before is broken
    /// (a row before it was removed or changed).
    Altered { first_row: i64 },
}

/// One field of the canonical text: `N` for NULL, else `S<bytes>:<text>`.
fn canon(out: &mut String, v: Option<&str>) {
    match v {
        None => out.push('N'),
        Some(s) => {
            out.push('S');
            out.push_str(&s.len().to_string());
            out.push(':');
            out.push_str(s);
        }
    }
}

/// Recomputes the whole chain, oldest row first (admins: others do not see every row).
pub async fn verify_chain(team: &Team) -> Result<ChainState> {
    let admin: Option<String> =
        team.client().query_one("SELECT callback_desk.role_on(NULL)", &[]).await.map_err(db_error)?.get(0);
    if admin.as_deref() != Some("admin") {
        return Err(Error::new(ErrorCode::TeamPermissionDenied).with("role", "admin"));
    }
    // Ordered by the column `a.id`: a bare `id` would name the first output column, its text, and put
    // row 10 before row 2.
    let rows = team
        .client()
        .query(
            "SELECT id::text, origin, member, ((extract(epoch FROM at) * 1000000)::bigint)::text,
                    ((extract(epoch FROM received_at) * 1000000)::bigint)::text, account_id::text, account_label,
                    provider, environment, kind, operation, scope, outcome, http_status::text, error_code,
                    duration_ms::text, payload::text, prev_hash, hash
               FROM callback_desk.audit a ORDER BY a.id",
            &[],
        )
        .await
        .map_err(db_error)?;
    let mut expected_prev: Vec<u8> = GENESIS.to_vec();
    for row in &rows {
        let id: i64 = row.get::<_, String>(0).parse().map_err(|_| Error::internal("audit id"))?;
        let prev: Vec<u8> = row.get(17);
        let hash: Vec<u8> = row.get(18);
        let mut text = String::new();
        for i in 0..17 {
            canon(&mut text, row.get::<_, Option<&str>>(i));
        }
        canon(&mut text, Some(&hex::encode(&prev)));
        let mut h = Sha256::new();
        h.update(&prev);
        h.update(text.as_bytes());
        if prev != expected_prev || h.finalize().as_slice() != hash.as_slice() {
            return Ok(ChainState::Altered { first_row: id });
        }
        expected_prev = hash;
    }
    Ok(ChainState::Intact { rows: rows.len() as u64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_tells_null_from_empty_and_cannot_be_shifted() {
        let mut a = String::new();
        canon(&mut a, None);
        canon(&mut a, Some(""));
        canon(&mut a, Some("ab"));
        assert_eq!(a, "NS0:S2:ab");
        // Moving a character from one field to the next changes the text.
        let (mut x, mut y) = (String::new(), String::new());
        canon(&mut x, Some("a"));
        canon(&mut x, Some("bc"));
        canon(&mut y, Some("ab"));
        canon(&mut y, Some("c"));
        assert_ne!(x, y);
        // Lengths are in bytes, as PostgreSQL's octet_length.
        let mut u = String::new();
        canon(&mut u, Some("é"));
        assert_eq!(u, "S2:é");
    }
}
