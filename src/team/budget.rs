//! Shared rate budgets: in a team workspace, a call to a merchant account is reserved in the team database
//! (`callback_desk.rate_calls`, migration 003) before the installation's own reservation, so the members
//! together never exceed the provider's limit.
//!
//! One transaction holds the budget's advisory lock while it reads the merchant's recent calls and what
//! the members learned from the provider's limit answers (`callback_desk.rate_learned`, migration 010),
//! decides with the same rule as solo use ([`crate::limits::earliest_allowed_n`]) and records the calls
//! ([`super::admit`] calls it for every action of a member). What an installation learns from a limit
//! answer is shared with [`share_learned`], so a back-off one member met holds every member back.

use super::connect::db_error;
use super::Team;
use crate::accounts::AccountView;
use crate::error::Result;
use crate::limits::{day_of, day_start_ms, earliest_allowed_n, Budget, Learned, LimitSettings, Reservation, MINUTE_MS};
use tokio_postgres::types::{ToSql, Type};

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
    // The lock, then what it guards: sent together, run in that order (one round trip; typed parameters
    // need no statement prepared first).
    let (merchant, bucket) = (&merchant, &bucket);
    let key = [(merchant as &(dyn ToSql + Sync), Type::TEXT), (bucket, Type::TEXT)];
    let read = [(merchant as &(dyn ToSql + Sync), Type::TEXT), (bucket, Type::TEXT), (&from, Type::INT8)];
    let (_, rows, learned) = tokio::try_join!(
        tx.query_typed("SELECT callback_desk.lock_budget($1, $2)", &key),
        tx.query_typed(
            "SELECT at_ms FROM callback_desk.rate_calls WHERE merchant = $1 AND bucket = $2 AND at_ms >= $3
             ORDER BY at_ms",
            &read,
        ),
        tx.query_typed(
            "SELECT per_minute, per_day, blocked_until_ms FROM callback_desk.rate_learned
             WHERE merchant = $1 AND bucket = $2",
            &key,
        )
    )
    .map_err(db_error)?;
    let calls: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    let (budget, blocked_until) = match learned.first() {
        Some(row) => shared_budget(budget, row.get(0), row.get(1), row.get(2)),
        None => (budget, 0),
    };
    let at =
        earliest_allowed_n(&calls, budget, blocked_until, now, settings.margin_ms, settings.day_offset_secs, count);
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

/// The budget in force once what the members learned is applied (the stricter number wins), and the
/// moment no call may go before.
fn shared_budget(
    mut budget: Budget,
    per_minute: Option<i32>,
    per_day: Option<i32>,
    blocked_until_ms: i64,
) -> (Budget, i64) {
    let stricter = |mine: Option<u32>, shared: Option<i32>| match (mine, shared.map(|n| n.max(0) as u32)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    budget.per_minute = stricter(budget.per_minute, per_minute);
    budget.per_day = stricter(budget.per_day, per_day);
    (budget, blocked_until_ms)
}

/// Shares what this installation learned about a merchant's bucket from a provider's limit answer. A
/// failure is logged, not returned: the call it follows has been made and recorded either way.
pub async fn share_learned(team: &Team, view: &AccountView, bucket: &str, learned: &Learned) {
    let merchant = view.merchant().hex();
    let clamp = |n: Option<u32>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let (per_minute, per_day) = (clamp(learned.per_minute), clamp(learned.per_day));
    let shared = team
        .client()
        .query_typed(
            "SELECT callback_desk.learn_budget($1, $2, $3, $4, $5)",
            &[
                (&merchant, Type::TEXT),
                (&bucket, Type::TEXT),
                (&per_minute, Type::INT4),
                (&per_day, Type::INT4),
                (&learned.blocked_until_ms, Type::INT8),
            ],
        )
        .await;
    if let Err(e) = shared {
        tracing::warn!(error = %db_error(e), bucket, "could not share a learned budget with the team");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stricter_of_the_installations_and_the_teams_numbers_is_in_force() {
        let base = Budget { per_minute: Some(60), per_day: None };
        assert_eq!(shared_budget(base, Some(10), None, 7), (Budget { per_minute: Some(10), per_day: None }, 7));
        assert_eq!(shared_budget(base, Some(90), Some(25), 0), (Budget { per_minute: Some(60), per_day: Some(25) }, 0));
        let open = Budget { per_minute: None, per_day: Some(20) };
        assert_eq!(shared_budget(open, None, Some(30), 0), (open, 0));
    }
}
