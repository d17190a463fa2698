//! Rate budgets per merchant account: how often Callback Desk may call each provider, so that a bulk job
//! (or a busy afternoon of single actions) never sends a call over a known limit.
//!
//! Each provider declares its budgets in its own folder
//! ([`Provider::budget`](crate::providers::Provider::budget), a [`BudgetRule`] per operation): the bucket
//! calls count in (e.g. every CYBAVO call of a wallet, CCPayment's resends), the documented (or default)
//! calls per minute and per provider day with any number agreed with the provider applied, whether a
//! number the provider names in a rate-limit answer is adopted as is or only when stricter, and the first
//! back-off after a rate-limit answer. The provider reference (§0) documents the numbers.
//!
//! Minutes are sliding 60 s windows (stricter than calendar minutes), widened by a safety margin
//! ([`LimitSettings::margin_ms`]) for network latency and clock differences. Days are the provider's
//! calendar days: UTC shifted by [`LimitSettings::day_offset_secs`] (CCPayment does not document its
//! time zone; UTC is the default).
//!
//! Every call's time is stored per merchant ([`Merchant`]: every account of one wallet, app or client
//! shares it) and bucket in SQLite (`rate_calls`), and what was learned from errors (an adopted per-minute
//! number, a back-off) in `rate_state`, so closing and reopening the app, or deleting an account and adding
//! it again, resets nothing. The scheduling itself is the pure function [`earliest_allowed`] over a list of call
//! times, driven by the caller's clock, so tests prove with a fake clock that no schedule exceeds a budget.

use crate::db::{storage_error, write_transaction, Db};
use crate::error::{Error, ErrorCode, Result};
pub use crate::providers::merchant::Merchant;

/// What a provider declares of its budgets (see `crate::providers::budget`).
pub use crate::providers::{Budget, BudgetRule};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use std::collections::VecDeque;

/// One minute, the span of every per-minute budget.
pub const MINUTE_MS: i64 = 60_000;
/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// Call times older than this are deleted (no budget looks further back).
const KEEP_MS: i64 = 3 * DAY_MS;

/// The budget of one merchant account for one operation: the merchant (whose calls it counts, the same
/// for every account of the merchant) and its provider's rule (`None`: the operation is not limited,
/// e.g. Avista's token call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BudgetKey {
    pub merchant: Merchant,
    pub rule: Option<BudgetRule>,
}

impl BudgetKey {
    pub fn new(merchant: Merchant, rule: Option<BudgetRule>) -> Self {
        BudgetKey { merchant, rule }
    }

    /// The key of `operation` of a stored account, from its public fields (no secrets needed).
    pub fn of_view(view: &crate::accounts::AccountView, operation: &str) -> Self {
        BudgetKey { merchant: view.merchant(), rule: view.provider.get().budget(&view.fields, operation) }
    }
}

/// Tunables; [`LimitSettings::default`] is what the app uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitSettings {
    /// Offset of the providers' day from UTC, in seconds (e.g. 8 * 3600 for UTC+8). Daily budgets reset
    /// at that midnight.
    pub day_offset_secs: i64,
    /// Added to every window and to each midnight: network latency and clock differences never make two
    /// calls look closer to the provider than the budget allows.
    pub margin_ms: i64,
    /// First back-off after a rate-limit answer, unless the provider's rule says otherwise (one window).
    pub backoff_base_ms: i64,
    /// Longest back-off.
    pub backoff_cap_ms: i64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            day_offset_secs: 0,
            margin_ms: 1_000,
            backoff_base_ms: MINUTE_MS,
            backoff_cap_ms: 15 * MINUTE_MS,
        }
    }
}

/// The provider day of a moment (days since the epoch, shifted by the offset).
pub fn day_of(ms: i64, day_offset_secs: i64) -> i64 {
    ms.div_euclid(1000).saturating_add(day_offset_secs).div_euclid(86_400)
}

/// The first millisecond of a provider day.
pub fn day_start_ms(day: i64, day_offset_secs: i64) -> i64 {
    day.saturating_mul(86_400).saturating_sub(day_offset_secs).saturating_mul(1000)
}

/// The pure scheduling core: the earliest moment at or after `max(now, blocked_until)` at which one more
/// call keeps every budget, given the times of earlier calls (`calls`, any order).
///
/// A sliding window allows `per_minute` calls in any span of `MINUTE_MS + margin_ms`; a day allows
/// `per_day` calls with the same provider day; after a full day the next call waits until `margin_ms`
/// past the provider's midnight.
pub fn earliest_allowed(
    calls: &[i64],
    budget: Budget,
    blocked_until: i64,
    now: i64,
    margin_ms: i64,
    day_offset_secs: i64,
) -> i64 {
    earliest_allowed_n(calls, budget, blocked_until, now, margin_ms, day_offset_secs, 1)
}

/// The earliest moment at or after `max(now, blocked_until)` at which `n` more calls, all sent at that
/// moment, keep every budget; `i64::MAX` when no moment ever allows them (a zero budget, or more calls
/// than a minute or a day allows). With `n = 1` this is [`earliest_allowed`].
pub fn earliest_allowed_n(
    calls: &[i64],
    budget: Budget,
    blocked_until: i64,
    now: i64,
    margin_ms: i64,
    day_offset_secs: i64,
    n: usize,
) -> i64 {
    let span = MINUTE_MS + margin_ms.max(0);
    let mut t = now.max(blocked_until);
    let fits = |max: Option<u32>| max.is_none_or(|m| n <= m as usize);
    if n == 0 {
        return t;
    }
    if !fits(budget.per_minute) || !fits(budget.per_day) {
        return i64::MAX;
    }
    loop {
        let mut moved = false;
        if let Some(max) = budget.per_minute {
            let mut window: Vec<i64> = calls.iter().copied().filter(|&c| c > t.saturating_sub(span)).collect();
            if window.len() + n > max as usize {
                window.sort_unstable();
                // Dropping the oldest (len + n - max) calls out of the window makes room for n.
                let next = window[window.len() + n - max as usize - 1].saturating_add(span);
                if next > t {
                    t = next;
                    moved = true;
                }
            }
        }
        if let Some(max) = budget.per_day {
            let day = day_of(t, day_offset_secs);
            let used = calls.iter().filter(|&&c| day_of(c, day_offset_secs) == day).count();
            if used + n > max as usize {
                let next = day_start_ms(day.saturating_add(1), day_offset_secs).saturating_add(margin_ms.max(0));
                if next <= t {
                    return i64::MAX; // the end of time: no later day to wait for
                }
                t = next;
                moved = true;
            }
        }
        if !moved {
            return t;
        }
    }
}

/// The send times of `n` more calls made as early as allowed from `now` (the plan's estimate).
pub fn simulate(
    history: &[i64],
    budget: Budget,
    blocked_until: i64,
    now: i64,
    n: usize,
    margin_ms: i64,
    day_offset_secs: i64,
) -> Vec<i64> {
    let keep = if budget.per_day.is_some() { DAY_MS + 2 * MINUTE_MS } else { MINUTE_MS + margin_ms.max(0) };
    let mut recent: VecDeque<i64> = {
        let mut h = history.to_vec();
        h.sort_unstable();
        h.into()
    };
    let mut out = Vec::with_capacity(n);
    let mut t = now;
    let mut buf: Vec<i64> = Vec::new();
    for _ in 0..n {
        while recent.front().is_some_and(|&c| c < t.saturating_sub(keep)) {
            recent.pop_front();
        }
        buf.clear();
        buf.extend(recent.iter().copied());
        let at = earliest_allowed(&buf, budget, blocked_until, t, margin_ms, day_offset_secs);
        if at == i64::MAX {
            break;
        }
        out.push(at);
        recent.push_back(at);
        t = at;
    }
    out
}

/// What was learned about a bucket from the provider's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Learned {
    /// A per-minute number the provider named (CYBAVO: adopted as is; others: only when lower).
    pub per_minute: Option<u32>,
    /// A per-day number the provider named (only when lower than the documented one).
    pub per_day: Option<u32>,
    /// No call before this moment (back-off, or a daily limit until the provider's midnight).
    pub blocked_until_ms: i64,
    /// Consecutive rate-limit answers (resets on a success).
    pub backoff_level: u32,
}

/// The state of one bucket, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketStatus {
    pub bucket: String,
    pub budget: Budget,
    pub learned: Learned,
    pub calls_last_minute: u32,
    pub calls_today: u32,
    pub remaining_today: Option<u32>,
    pub next_allowed_at_ms: i64,
}

/// Rate budgets over the app's database.
pub struct Limits {
    db: Db,
    settings: LimitSettings,
}

impl Limits {
    pub fn new(db: Db) -> Limits {
        Limits::with_settings(db, LimitSettings::default())
    }

    pub fn with_settings(db: Db, settings: LimitSettings) -> Limits {
        Limits { db, settings }
    }

    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    fn learned(&self, key: BudgetKey, bucket: &str) -> Result<Learned> {
        learned_in(&self.db.conn(), key, bucket)
    }

    /// The budget in force for a bucket: the base one with what was learned applied.
    fn effective(&self, rule: BudgetRule, learned: &Learned) -> Budget {
        let mut b = rule.budget;
        if let Some(n) = learned.per_minute {
            b.per_minute = Some(n);
        }
        if let Some(n) = learned.per_day {
            b.per_day = Some(b.per_day.map_or(n, |d| d.min(n)));
        }
        b
    }

    /// Call times of a bucket that any budget can still see at `now`.
    fn recent_calls(&self, key: BudgetKey, bucket: &str, budget: Budget, now: i64) -> Result<Vec<i64>> {
        self.recent_calls_in(&self.db.conn(), key, bucket, budget, now)
    }

    fn recent_calls_in(
        &self,
        conn: &Connection,
        key: BudgetKey,
        bucket: &str,
        budget: Budget,
        now: i64,
    ) -> Result<Vec<i64>> {
        let span = MINUTE_MS + self.settings.margin_ms.max(0);
        let mut from = now.saturating_sub(span);
        if budget.per_day.is_some() {
            from = from.min(day_start_ms(day_of(now, self.settings.day_offset_secs), self.settings.day_offset_secs));
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT at_ms FROM rate_calls WHERE merchant = ?1 AND bucket = ?2 AND at_ms >= ?3 ORDER BY at_ms",
            )
            .map_err(storage_error)?;
        let rows = stmt
            .query_map(params![key.merchant.0, bucket, from], |r| r.get::<_, i64>(0))
            .map_err(storage_error)?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .map_err(storage_error);
        rows
    }

    /// The budget in force for `operation` of this account (`None`: not limited).
    pub fn budget(&self, key: BudgetKey) -> Result<Option<Budget>> {
        let Some(rule) = key.rule else { return Ok(None) };
        let bucket = rule.bucket;
        let learned = self.learned(key, bucket)?;
        Ok(Some(self.effective(rule, &learned)))
    }

    /// The earliest moment (Unix ms, never before `now`) at which one call of `operation` keeps every
    /// budget of this account. `i64::MAX` when a budget is zero.
    pub fn next_allowed_at(&self, key: BudgetKey, now: i64) -> Result<i64> {
        let Some(rule) = key.rule else { return Ok(now) };
        let bucket = rule.bucket;
        let learned = self.learned(key, bucket)?;
        let budget = self.effective(rule, &learned);
        let calls = self.recent_calls(key, bucket, budget, now)?;
        Ok(earliest_allowed(
            &calls,
            budget,
            learned.blocked_until_ms,
            now,
            self.settings.margin_ms,
            self.settings.day_offset_secs,
        ))
    }

    /// Calls of `operation` still allowed today (the provider's day), `None` when there is no daily budget.
    pub fn remaining_today(&self, key: BudgetKey, now: i64) -> Result<Option<u32>> {
        let Some(rule) = key.rule else { return Ok(None) };
        let bucket = rule.bucket;
        let learned = self.learned(key, bucket)?;
        let budget = self.effective(rule, &learned);
        let Some(per_day) = budget.per_day else { return Ok(None) };
        let off = self.settings.day_offset_secs;
        let today = day_of(now, off);
        let used =
            self.recent_calls(key, bucket, budget, now)?.into_iter().filter(|&c| day_of(c, off) == today).count();
        if learned.blocked_until_ms > now && day_of(learned.blocked_until_ms, off) > today {
            return Ok(Some(0));
        }
        Ok(Some(per_day.saturating_sub(used as u32)))
    }

    /// Reserves `count` calls of `operation` at `now` when every budget of the account allows them now,
    /// and records them; otherwise records nothing and says when they could go. Reading the bucket and
    /// recording the calls happen in one write transaction (`BEGIN IMMEDIATE`), so processes sharing the
    /// data folder (the app, the CLI, several bulk runners) never both take the last slot of a budget.
    /// Call it before the request leaves; a reserved call counts even if it then fails to leave.
    pub fn reserve(&self, key: BudgetKey, now: i64, count: usize) -> Result<Reservation> {
        let Some(rule) = key.rule else { return Ok(Reservation::Granted) };
        let bucket = rule.bucket;
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        let learned = learned_in(&tx, key, bucket)?;
        let budget = self.effective(rule, &learned);
        let calls = self.recent_calls_in(&tx, key, bucket, budget, now)?;
        let s = &self.settings;
        let at =
            earliest_allowed_n(&calls, budget, learned.blocked_until_ms, now, s.margin_ms, s.day_offset_secs, count);
        if at > now {
            return Ok(Reservation::WaitUntil(at));
        }
        insert_calls(&tx, key, bucket, now, count)?;
        tx.commit().map_err(storage_error)?;
        Ok(Reservation::Granted)
    }

    /// Records `count` calls of `operation` sent at `at_ms`, whatever the budget says (the provider's
    /// own answers and tests; requests about to leave go through [`Limits::reserve`]).
    pub fn record_calls(&self, key: BudgetKey, at_ms: i64, count: usize) -> Result<()> {
        let Some(rule) = key.rule else { return Ok(()) };
        let bucket = rule.bucket;
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        insert_calls(&tx, key, bucket, at_ms, count)?;
        tx.commit().map_err(storage_error)
    }

    /// Records one call of `operation` sent at `at_ms`.
    pub fn record_call(&self, key: BudgetKey, at_ms: i64) -> Result<()> {
        self.record_calls(key, at_ms, 1)
    }

    /// Learns from a provider error: a rate-limit answer adopts the number it names (CYBAVO always;
    /// the others only when lower than the documented budget) and blocks the bucket for the wait its
    /// `Retry-After` asked for (`retry_after_seconds`), else backs off exponentially (capped); a
    /// daily-limit answer blocks the bucket until the provider's next midnight. Other errors change nothing.
    pub fn observe_error(&self, key: BudgetKey, error: &Error, now: i64) -> Result<()> {
        let Some(rule) = key.rule else { return Ok(()) };
        let bucket = rule.bucket;
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        let mut l = learned_in(&tx, key, bucket)?;
        let s = &self.settings;
        let named = error.params.get("limit").and_then(Value::as_i64).filter(|&n| n > 0).map(|n| n as u32);
        let per = error.params.get("per").and_then(Value::as_str);
        let base = rule.budget;
        match error.code {
            ErrorCode::ProviderRateLimited => {
                if let Some(n) = named {
                    if per == Some("day") {
                        l.per_day = Some(l.per_day.map_or(n, |d| d.min(n)));
                    } else if rule.adopt_named || base.per_minute.is_none_or(|b| n < b) {
                        // The provider's own number for this account (CYBAVO), else only a stricter one.
                        l.per_minute = Some(n);
                    }
                }
                l.backoff_level = l.backoff_level.saturating_add(1);
                // The provider's own `Retry-After` is the wait when it gave one; otherwise back off
                // exponentially from the rule's first wait.
                let asked = error.params.get("retry_after_seconds").and_then(Value::as_i64).filter(|s| *s >= 0);
                let wait = match asked {
                    Some(secs) => secs.saturating_mul(1000),
                    None => {
                        let first = rule.backoff_base_ms.unwrap_or(s.backoff_base_ms);
                        let exp = l.backoff_level.saturating_sub(1).min(20);
                        first.saturating_mul(1i64 << exp).min(s.backoff_cap_ms)
                    }
                } + s.margin_ms.max(0);
                l.blocked_until_ms = l.blocked_until_ms.max(now.saturating_add(wait));
            }
            ErrorCode::ProviderDailyLimit => {
                if let Some(n) = named {
                    if base.per_day.is_none_or(|b| n < b) {
                        l.per_day = Some(n);
                    }
                }
                let next = day_start_ms(day_of(now, s.day_offset_secs) + 1, s.day_offset_secs) + s.margin_ms.max(0);
                l.blocked_until_ms = l.blocked_until_ms.max(next);
            }
            _ => return Ok(()),
        }
        tracing::warn!(merchant = %key.merchant.hex(), bucket, code = %error.code, blocked_until_ms = l.blocked_until_ms,
            per_minute = ?l.per_minute, "provider limit reached; budget adjusted");
        save_learned_in(&tx, key, bucket, &l, now)?;
        tx.commit().map_err(storage_error)
    }

    /// A call answered without a limit error: the back-off starts over.
    pub fn observe_ok(&self, key: BudgetKey, now: i64) -> Result<()> {
        let Some(rule) = key.rule else { return Ok(()) };
        let bucket = rule.bucket;
        if self.learned(key, bucket)?.backoff_level == 0 {
            return Ok(());
        }
        let mut conn = self.db.conn();
        let tx = write_transaction(&mut conn)?;
        let mut l = learned_in(&tx, key, bucket)?;
        l.backoff_level = 0;
        save_learned_in(&tx, key, bucket, &l, now)?;
        tx.commit().map_err(storage_error)
    }

    /// Learns from an action's outcome: `error` is its error, if it failed. Returns what is now known of
    /// the bucket when the answer was a limit answer (it taught something), `None` otherwise.
    pub fn observe(&self, key: BudgetKey, error: Option<&Error>, now: i64) -> Result<Option<Learned>> {
        match (error, key.rule) {
            (Some(e), Some(rule))
                if matches!(e.code, ErrorCode::ProviderRateLimited | ErrorCode::ProviderDailyLimit) =>
            {
                self.observe_error(key, e, now)?;
                self.learned(key, rule.bucket).map(Some)
            }
            _ => self.observe_ok(key, now).map(|()| None),
        }
    }

    /// The send times of `n` calls of `operation` made as early as the budgets allow from `now`.
    pub fn simulate(&self, key: BudgetKey, now: i64, n: usize) -> Result<Vec<i64>> {
        let Some(rule) = key.rule else { return Ok(vec![now; n]) };
        let bucket = rule.bucket;
        let learned = self.learned(key, bucket)?;
        let budget = self.effective(rule, &learned);
        let calls = self.recent_calls(key, bucket, budget, now)?;
        Ok(simulate(
            &calls,
            budget,
            learned.blocked_until_ms,
            now,
            n,
            self.settings.margin_ms,
            self.settings.day_offset_secs,
        ))
    }

    /// Everything about one bucket at `now`, for display.
    pub fn status(&self, key: BudgetKey, now: i64) -> Result<Option<BucketStatus>> {
        let Some(rule) = key.rule else { return Ok(None) };
        let bucket = rule.bucket;
        let learned = self.learned(key, bucket)?;
        let budget = self.effective(rule, &learned);
        let calls = self.recent_calls(key, bucket, budget, now)?;
        let span = MINUTE_MS + self.settings.margin_ms.max(0);
        let off = self.settings.day_offset_secs;
        let today = calls.iter().filter(|&&c| day_of(c, off) == day_of(now, off)).count() as u32;
        Ok(Some(BucketStatus {
            bucket: bucket.to_owned(),
            budget,
            learned,
            calls_last_minute: calls.iter().filter(|&&c| c > now.saturating_sub(span)).count() as u32,
            calls_today: today,
            remaining_today: self.remaining_today(key, now)?,
            next_allowed_at_ms: self.next_allowed_at(key, now)?,
        }))
    }
}

/// Whether calls may leave now ([`Limits::reserve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The calls are recorded: send them.
    Granted,
    /// Nothing was recorded: not before this moment (Unix ms; `i64::MAX`: no moment allows them).
    WaitUntil(i64),
}

impl Reservation {
    /// `budget.wait` (or `budget.exhausted` when no moment allows the calls) for a caller that does not
    /// wait itself: it says when the request may go, and that nothing was sent.
    pub fn refusal(at: i64, now: i64) -> Error {
        if at == i64::MAX {
            return Error::new(ErrorCode::BudgetExhausted);
        }
        let wait_seconds = (at.saturating_sub(now).max(0) + 999) / 1000;
        Error::new(ErrorCode::BudgetWait).with("next_allowed_at_ms", at).with("wait_seconds", wait_seconds)
    }
}

/// The rate budget of one stored account as the gate of a run ([`crate::providers::SendGate`]): the
/// calls the run plans are reserved up front ([`BudgetGate::reserve`]); a request beyond them (the retry
/// after a refreshed Avista token) reserves its own slot or is refused.
pub struct BudgetGate<'a> {
    limits: &'a Limits,
    merchant: Merchant,
    /// The rule of each operation of the account (a run may also send its token call).
    rule_of: &'a (dyn Fn(&str) -> Option<BudgetRule> + Sync),
    clock: &'a dyn crate::clock::Clock,
    /// The operation whose calls were reserved up front, and how many of them are left.
    operation: String,
    prepaid: std::sync::atomic::AtomicUsize,
}

impl<'a> BudgetGate<'a> {
    /// Reserves `count` calls of `operation` now, or refuses with `budget.wait` / `budget.exhausted`
    /// (nothing recorded, nothing to send). `rule_of` gives the budget rule of an operation of the account.
    pub fn reserve(
        limits: &'a Limits,
        merchant: Merchant,
        rule_of: &'a (dyn Fn(&str) -> Option<BudgetRule> + Sync),
        operation: &str,
        clock: &'a dyn crate::clock::Clock,
        count: usize,
    ) -> Result<BudgetGate<'a>> {
        let now = clock.now_ms();
        let key = BudgetKey::new(merchant, rule_of(operation));
        match limits.reserve(key, now, count)? {
            Reservation::Granted => {}
            Reservation::WaitUntil(at) => return Err(Reservation::refusal(at, now)),
        }
        let prepaid = if key.rule.is_some() { count } else { 0 };
        Ok(BudgetGate { limits, merchant, rule_of, clock, operation: operation.to_owned(), prepaid: prepaid.into() })
    }
}

impl crate::providers::SendGate for BudgetGate<'_> {
    fn admit(&self, operation: &str) -> Result<()> {
        use std::sync::atomic::Ordering;
        let key = BudgetKey::new(self.merchant, (self.rule_of)(operation));
        if key.rule.is_none() {
            return Ok(());
        }
        if operation == self.operation
            && self.prepaid.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
        {
            return Ok(());
        }
        let now = self.clock.now_ms();
        match self.limits.reserve(key, now, 1)? {
            Reservation::Granted => Ok(()),
            Reservation::WaitUntil(at) => Err(Reservation::refusal(at, now)),
        }
    }
}

fn learned_in(conn: &Connection, key: BudgetKey, bucket: &str) -> Result<Learned> {
    let row = conn
        .prepare_cached(
            "SELECT per_minute, per_day, blocked_until_ms, backoff_level FROM rate_state
             WHERE merchant = ?1 AND bucket = ?2",
        )
        .and_then(|mut s| {
            s.query_row(params![key.merchant.0, bucket], |r| {
                Ok(Learned {
                    per_minute: r.get::<_, Option<i64>>(0)?.map(|v| v.max(0) as u32),
                    per_day: r.get::<_, Option<i64>>(1)?.map(|v| v.max(0) as u32),
                    blocked_until_ms: r.get(2)?,
                    backoff_level: r.get::<_, i64>(3)?.max(0) as u32,
                })
            })
            .optional()
        })
        .map_err(storage_error)?;
    Ok(row.unwrap_or_default())
}

fn save_learned_in(conn: &Connection, key: BudgetKey, bucket: &str, l: &Learned, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO rate_state (merchant, bucket, per_minute, per_day, blocked_until_ms, backoff_level,
                                 updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (merchant, bucket) DO UPDATE SET per_minute = ?3, per_day = ?4,
            blocked_until_ms = ?5, backoff_level = ?6, updated_at_ms = ?7",
    )
    .and_then(|mut s| {
        s.execute(params![
            key.merchant.0,
            bucket,
            l.per_minute.map(i64::from),
            l.per_day.map(i64::from),
            l.blocked_until_ms,
            i64::from(l.backoff_level),
            now
        ])
    })
    .map_err(storage_error)?;
    Ok(())
}

/// Inserts `count` call times and forgets those no budget looks at any more.
fn insert_calls(conn: &Connection, key: BudgetKey, bucket: &str, at_ms: i64, count: usize) -> Result<()> {
    let mut ins = conn
        .prepare_cached("INSERT INTO rate_calls (merchant, bucket, at_ms) VALUES (?1, ?2, ?3)")
        .map_err(storage_error)?;
    for _ in 0..count {
        ins.execute(params![key.merchant.0, bucket, at_ms]).map_err(storage_error)?;
    }
    conn.prepare_cached("DELETE FROM rate_calls WHERE merchant = ?1 AND bucket = ?2 AND at_ms < ?3")
        .and_then(|mut s| s.execute(params![key.merchant.0, bucket, at_ms.saturating_sub(KEEP_MS)]))
        .map_err(storage_error)?;
    Ok(())
}

#[cfg(test)]
mod tests;
