//! What a provider declares of its rate budgets: the bucket its calls count in and the numbers of that
//! bucket. `crate::limits` keeps the calls and enforces them (and re-exports these types).

use serde::Serialize;

/// How a bucket of a provider's budget works, as the provider's folder declares it
/// ([`Provider::budget`](super::Provider::budget)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct BudgetRule {
    /// The bucket calls count in: calls of one account and bucket share the budget (e.g. `wallet` for
    /// every CYBAVO call of a wallet, `resend` for CCPayment's resends).
    pub bucket: &'static str,
    /// The documented (or default) budget, with the number agreed with the provider applied.
    pub budget: Budget,
    /// A per-minute number the provider names in a rate-limit answer is adopted as is (CYBAVO's own
    /// number for the wallet); otherwise only when it is stricter than `budget`.
    pub adopt_named: bool,
    /// The first back-off after a rate-limit answer; `None`: one window (`LimitSettings::backoff_base_ms`
    /// in `crate::limits`).
    pub backoff_base_ms: Option<i64>,
}

impl BudgetRule {
    /// A bucket with this budget, adopting only stricter numbers, backing off one window.
    pub const fn new(bucket: &'static str, per_minute: Option<u32>, per_day: Option<u32>) -> BudgetRule {
        BudgetRule { bucket, budget: Budget { per_minute, per_day }, adopt_named: false, backoff_base_ms: None }
    }

    /// The per-minute number agreed with the provider replaces the default one.
    pub const fn agreed(mut self, per_minute: Option<u32>) -> BudgetRule {
        if let Some(n) = per_minute {
            self.budget.per_minute = Some(n);
        }
        self
    }
}

/// The numbers of one bucket at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Budget {
    /// Calls per sliding minute.
    pub per_minute: Option<u32>,
    /// Calls per provider day.
    pub per_day: Option<u32>,
}
