//! The checks every provider's bulk split makes ([`ProviderAccount::split`](super::ProviderAccount::split)):
//! times in Unix seconds between 1970 and 9999, time windows counted before any is built, and the error of
//! a plan with too many calls. Jobs plan with them too (`crate::jobs` re-exports them).

use crate::error::{Error, ErrorCode, Result};

/// The longest a plan may take under the account's budgets, in provider days: a request that needs more
/// calls than that is refused (`input.plan_too_large`) before any call is built.
pub const MAX_PLAN_DAYS: u32 = 90;

/// `[since, until]` (Unix seconds) as windows of at most `max` seconds; consecutive windows share their
/// boundary second and the last one may be shorter. `since == until` is one window. Refused with
/// `input.plan_too_large` when there would be more than `max_calls` windows (counted before any is built).
pub fn windows(since: i64, until: i64, max: i64, max_calls: usize) -> Result<Vec<(i64, i64)>> {
    if since > until {
        return Err(Error::invalid_field("until", "before_since").with("since", since).with("until", until));
    }
    if max <= 0 {
        return Err(Error::internal("window size must be positive"));
    }
    let count = ((i128::from(until) - i128::from(since)) + i128::from(max) - 1) / i128::from(max);
    let count = usize::try_from(count.max(1)).unwrap_or(usize::MAX);
    if count > max_calls {
        return Err(plan_too_large(count, max_calls));
    }
    let mut out = Vec::with_capacity(count);
    let mut start = since;
    loop {
        let end = start.saturating_add(max).min(until);
        out.push((start, end));
        if end >= until {
            return Ok(out);
        }
        start = end;
    }
}

/// `input.plan_too_large`: the request needs `calls` calls where a plan may have at most `max_calls`.
pub fn plan_too_large(calls: usize, max_calls: usize) -> Error {
    Error::new(ErrorCode::InputPlanTooLarge)
        .with("calls", calls)
        .with("max_calls", max_calls)
        .with("days", MAX_PLAN_DAYS)
}

/// A point in time given in Unix seconds, checked to lie between 1970 and the year 9999 (so any
/// arithmetic on it stays in range); `field` names it in the error.
pub fn unix_seconds(field: &str, value: i64) -> Result<i64> {
    if (0..=LATEST_UNIX_SECONDS).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_field(field, "time_out_of_range").with("value", value))
    }
}

/// 9999-12-31T23:59:59Z.
const LATEST_UNIX_SECONDS: i64 = 253_402_300_799;

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_PLAN_CALLS: usize = 100_000;

    #[test]
    fn windows_split_with_an_uneven_last_window() {
        assert_eq!(windows(0, 7_200, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_600), (3_600, 7_200)]);
        assert_eq!(windows(0, 7_201, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_600), (3_600, 7_200), (7_200, 7_201)]);
        assert_eq!(windows(100, 100, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(100, 100)]);
        assert_eq!(windows(0, 3_599, 3_600, MAX_PLAN_CALLS).unwrap(), vec![(0, 3_599)]);
        let e = windows(10, 9, 3_600, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!((e.code, e.params["reason"].as_str()), (ErrorCode::InputInvalid, Some("before_since")));
        // A day and a quarter: 30 windows, all within CCPayment's hour, covering every second.
        let w = windows(1_700_000_000, 1_700_000_000 + 30 * 3_600 - 1_800, 3_600, MAX_PLAN_CALLS).unwrap();
        assert_eq!(w.len(), 30);
        assert!(w.iter().all(|(s, e)| e - s <= 3_600 && s <= e));
        assert!(w.windows(2).all(|p| p[0].1 == p[1].0));
        assert_eq!(w.last().unwrap().1 - w.last().unwrap().0, 1_800);
    }
}
