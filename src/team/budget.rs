//! Shared rate budgets: in a team workspace, a call to a merchant account is reserved in the team database
//! (`callback_desk.rate_calls`, migration 003) before the installation's own reservation, so the members
//! together never exceed the provider's limit.
//!
//! One transaction holds the budget's advisory lock while it reads the merchant's recent calls, decides
//! with the same rule as solo use ([`crate::limits::earliest_allowed_n`]) and records the calls
//! ([`super::admit`] calls it for every action of a member).

use super::connect::db_error;
use super::Team;
use crate::accounts::AccountView;
use crate::error::Result;
use crate::limits::{day_of, day_start_ms, earliest_allowed_n, Budget, LimitSettings, Reservation, MINUTE_MS};
use sha2::{Digest, Sha256};
use tokio_postgres::types::{ToSql, Type};

/// The merchant account a budget belongs to, the same in every member's installation: members' copies of
/// one account (same provider, address and public fields) share it. Hex SHA-256 of those, the fields in
/// key order.
pub fn merchant_key(view: &AccountView) -> String {
    let fields: std::collections::BTreeMap<&String, &serde_json::Value> = view.fields.iter().collect();
    let identity = serde_json::json!([view.provider.as_str(), view.base_url, fields]);
    hex::encode(Sha256::digest(identity.to_string().as_bytes()))
}

/// Reserves `count` calls of `bucket` for the merchant at `now` in the team database, or says when they
/// could go (nothing recorded).
pub async fn reserve(
    team: &mut Team,
    merchant: &str,
    bucket: &str,
    budget: Budget,
    settings: &LimitSettings,
    now: i64,
    count: usize,
) -> Result<Reservation> {
    let tx = team.client.transaction().await.map_err(db_error)?;
    let mut from = now.saturating_sub(MINUTE_MS + settings.margin_ms.max(0));
    if budget.per_day.is_some() {
        from = from.min(day_start_ms(day_of(now, settings.day_offset_secs), settings.day_offset_secs));
    }
    // The lock, then the calls it guards: sent together, run in that order (one round trip; typed
    // parameters need no statement prepared first).
    let (merchant, bucket) = (&merchant, &bucket);
    let lock = [(merchant as &(dyn ToSql + Sync), Type::TEXT), (bucket, Type::TEXT)];
    let read = [(merchant as &(dyn ToSql + Sync), Type::TEXT), (bucket, Type::TEXT), (&from, Type::INT8)];
    let (_, rows) = tokio::try_join!(
        tx.query_typed("SELECT callback_desk.lock_budget($1, $2)", &lock),
        tx.query_typed(
            "SELECT at_ms FROM callback_desk.rate_calls WHERE merchant = $1 AND bucket = $2 AND at_ms >= $3
             ORDER BY at_ms",
            &read,
        )
    )
    .map_err(db_error)?;
    let calls: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    let at = earliest_allowed_n(&calls, budget, 0, now, settings.margin_ms, settings.day_offset_secs, count);
    if at > now {
        return Ok(Reservation::WaitUntil(at));
    }
    let n = i32::try_from(count).unwrap_or(i32::MAX);
    let record =
        [(merchant as &(dyn ToSql + Sync), Type::TEXT), (bucket, Type::TEXT), (&now, Type::INT8), (&n, Type::INT4)];
    tx.query_typed("SELECT callback_desk.record_budget_calls($1, $2, $3, $4)", &record).await.map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(Reservation::Granted)
}
