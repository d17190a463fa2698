use super::*;
use crate::error::ErrorCode;
use rand::{Rng, SeedableRng};

/// A merchant of the tests, told apart by `n`.
fn merchant(n: u8) -> Merchant {
    Merchant([n; 32])
}

const T0: i64 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

fn settings(margin: i64, offset: i64) -> LimitSettings {
    LimitSettings { margin_ms: margin, day_offset_secs: offset, ..LimitSettings::default() }
}

/// Independent check of a finished schedule: every sliding window and every provider day.
fn assert_within(calls: &[i64], budget: Budget, span: i64, offset: i64) {
    let mut sorted = calls.to_vec();
    sorted.sort_unstable();
    let mut first_in_window = 0;
    let mut per_day: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
    for (i, &t) in sorted.iter().enumerate() {
        while sorted[first_in_window] <= t - span {
            first_in_window += 1;
        }
        if let Some(max) = budget.per_minute {
            let n = i + 1 - first_in_window;
            assert!(n <= max as usize, "{n} calls within {span} ms ending at {t} (max {max})");
        }
        let n = per_day.entry(day_of(t, offset)).or_default();
        *n += 1;
        if let Some(max) = budget.per_day {
            assert!(*n <= max, "{n} calls on day {} (max {max})", day_of(t, offset));
        }
    }
}

#[test]
fn earliest_allowed_sliding_minute_and_day() {
    let b = Budget { per_minute: Some(2), per_day: Some(3) };
    assert_eq!(earliest_allowed(&[], b, 0, T0, 0, 0), T0);
    assert_eq!(earliest_allowed(&[T0], b, 0, T0, 0, 0), T0);
    assert_eq!(earliest_allowed(&[T0, T0 + 10], b, 0, T0 + 10, 0, 0), T0 + MINUTE_MS);
    assert_eq!(earliest_allowed(&[T0, T0 + 10], b, 0, T0 + 10, 500, 0), T0 + MINUTE_MS + 500);
    // The day is full: the next call waits for the provider's midnight (plus margin).
    let day = day_of(T0, 0);
    let next_midnight = day_start_ms(day + 1, 0);
    assert_eq!(earliest_allowed(&[T0, T0 + 1, T0 + 70_000], b, 0, T0 + 70_000, 0, 0), next_midnight);
    assert_eq!(earliest_allowed(&[T0, T0 + 1, T0 + 70_000], b, 0, T0 + 70_000, 7, 0), next_midnight + 7);
    // A back-off moves the start.
    assert_eq!(earliest_allowed(&[], b, T0 + 5, T0, 0, 0), T0 + 5);
    assert_eq!(earliest_allowed(&[], Budget { per_minute: Some(0), per_day: None }, 0, T0, 0, 0), i64::MAX);
}

#[test]
fn provider_day_uses_the_offset() {
    // 22:13 UTC is 06:13 the next day at UTC+8.
    assert_eq!(day_of(T0, 8 * 3600), day_of(T0, 0) + 1);
    let d = day_of(T0, 8 * 3600);
    assert_eq!(day_of(day_start_ms(d, 8 * 3600), 8 * 3600), d);
    assert_eq!(day_of(day_start_ms(d, 8 * 3600) - 1, 8 * 3600), d - 1);
    assert_eq!(day_of(-1, 0), -1);
}

#[test]
fn thirty_ccpayment_windows_take_two_days() {
    let b = Budget { per_minute: Some(1), per_day: Some(25) };
    // Starting at the provider's midnight: 25 today, 5 tomorrow.
    let midnight = day_start_ms(day_of(T0, 0) + 1, 0);
    let times = simulate(&[], b, 0, midnight, 30, 0, 0);
    assert_eq!(times.len(), 30);
    assert_eq!(times[24], midnight + 24 * MINUTE_MS);
    assert_eq!(times[25], midnight + DAY_MS);
    let days: std::collections::BTreeSet<i64> = times.iter().map(|&t| day_of(t, 0)).collect();
    assert_eq!(days.len(), 2);
    assert_within(&times, b, MINUTE_MS, 0);
}

#[test]
fn randomized_schedules_never_exceed_a_budget() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for (budget, margin, offset) in [
        (Budget { per_minute: Some(1), per_day: Some(25) }, 1_000, 0),
        (Budget { per_minute: Some(1), per_day: Some(25) }, 0, 8 * 3600),
        (Budget { per_minute: Some(60), per_day: None }, 1_000, 0),
        (Budget { per_minute: Some(30), per_day: None }, 0, 0),
        (Budget { per_minute: Some(7), per_day: Some(50) }, 250, -5 * 3600),
    ] {
        let span = MINUTE_MS + margin;
        let mut calls: Vec<i64> = Vec::new();
        let mut now = T0;
        let mut blocked = 0;
        for _ in 0..4_000 {
            // The caller wakes at random moments: bursts, minutes, or hours later.
            now += match rng.gen_range(0..10) {
                0..=5 => rng.gen_range(0..2_000),
                6..=8 => rng.gen_range(0..90_000),
                _ => rng.gen_range(0..6 * 3_600_000),
            };
            if rng.gen_ratio(1, 200) {
                blocked = now + rng.gen_range(0..600_000);
            }
            let at = earliest_allowed(&calls, budget, blocked, now, margin, offset);
            assert!(at >= now && at >= blocked);
            // It may send later than allowed, never earlier.
            now = at + if rng.gen_bool(0.3) { rng.gen_range(0..5_000) } else { 0 };
            calls.push(now);
        }
        assert_within(&calls, budget, span, offset);
        // The simulator (the plan's estimate) keeps the same budgets, from any history.
        let sim = simulate(&calls, budget, 0, now, 500, margin, offset);
        let mut all = calls.clone();
        all.extend(&sim);
        assert_within(&all, budget, span, offset);
    }
}

#[test]
fn randomized_persisted_runs_with_restarts_never_exceed_a_budget() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    for (family, budget) in [
        (Family::CcpaymentV1, Budget { per_minute: Some(1), per_day: Some(25) }),
        (Family::Avista, Budget { per_minute: Some(60), per_day: None }),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(1_000, 3 * 3600);
        let k = key(family);
        let mut limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), s.clone());
        let mut now = T0;
        let mut sent = Vec::new();
        for _ in 0..1_500 {
            if rng.gen_ratio(1, 50) {
                // The app is closed and opened again over the same data folder.
                limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), s.clone());
            }
            now += match rng.gen_range(0..10) {
                0..=6 => rng.gen_range(0..1_500),
                7..=8 => rng.gen_range(0..120_000),
                _ => rng.gen_range(0..4 * 3_600_000),
            };
            now = limits.next_allowed_at(k, now).unwrap();
            limits.record_call(k, now).unwrap();
            sent.push(now);
        }
        assert_within(&sent, budget, MINUTE_MS + 1_000, 3 * 3600);
    }
}

#[test]
fn n_calls_at_once_fit_the_window_and_the_day() {
    let b = Budget { per_minute: Some(3), per_day: Some(5) };
    assert_eq!(earliest_allowed_n(&[], b, 0, T0, 0, 0, 3), T0);
    assert_eq!(earliest_allowed_n(&[], b, 0, T0, 0, 0, 4), i64::MAX, "more than a minute allows");
    assert_eq!(earliest_allowed_n(&[], b, 0, T0, 0, 0, 0), T0);
    // Two calls in the window: one more fits now, two more when the oldest has left it.
    let calls = [T0, T0 + 10];
    assert_eq!(earliest_allowed_n(&calls, b, 0, T0 + 20, 0, 0, 1), T0 + 20);
    assert_eq!(earliest_allowed_n(&calls, b, 0, T0 + 20, 0, 0, 2), T0 + MINUTE_MS);
    assert_eq!(earliest_allowed_n(&calls, b, 0, T0 + 20, 0, 0, 3), T0 + 10 + MINUTE_MS);
    // Four calls today: two more wait for the provider's midnight.
    let calls = [T0, T0 + 1, T0 + 70_000, T0 + 70_001];
    let midnight = day_start_ms(day_of(T0, 0) + 1, 0);
    assert_eq!(earliest_allowed_n(&calls, b, 0, T0 + 200_000, 0, 0, 1), T0 + 200_000);
    assert_eq!(earliest_allowed_n(&calls, b, 0, T0 + 200_000, 0, 0, 2), midnight);
    // Randomized: sending n at the moment returned never breaks a budget.
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for budget in [b, Budget { per_minute: Some(30), per_day: None }, Budget { per_minute: Some(1), per_day: Some(25) }]
    {
        let mut sent: Vec<i64> = Vec::new();
        let mut now = T0;
        for _ in 0..2_000 {
            now += rng.gen_range(0..30_000);
            let n = rng.gen_range(1..=budget.per_minute.unwrap().min(3) as usize);
            let at = earliest_allowed_n(&sent, budget, 0, now, 250, 0, n);
            assert!(at >= now && at < i64::MAX);
            now = at;
            sent.extend(std::iter::repeat_n(at, n));
        }
        assert_within(&sent, budget, MINUTE_MS + 250, 0);
    }
}

#[test]
fn the_scheduler_stays_in_range_at_the_ends_of_time() {
    let day = Budget { per_minute: None, per_day: Some(1) };
    let minute = Budget { per_minute: Some(1), per_day: None };
    assert_eq!(earliest_allowed_n(&[i64::MAX - 5], day, 0, i64::MAX - 10, 1_000, 0, 1), i64::MAX);
    assert_eq!(earliest_allowed_n(&[i64::MAX - 5], minute, 0, i64::MAX - 10, 1_000, 0, 1), i64::MAX);
    assert_eq!(
        earliest_allowed_n(&[i64::MIN + 5], day, i64::MIN, i64::MIN + 10, 0, 50_000, 1),
        day_start_ms(day_of(i64::MIN + 10, 50_000) + 1, 50_000)
    );
    assert_eq!(simulate(&[], day, 0, i64::MAX - 10, 3, 0, 0).len(), 1);
}

#[test]
fn a_reservation_takes_the_slot_once_and_says_when_the_next_is_free() {
    let limits = Limits::with_settings(Db::open_in_memory().unwrap(), settings(1_000, 0));
    let k = key(Family::CcpaymentV1);
    assert_eq!(limits.reserve(k, T0, 1).unwrap(), Reservation::Granted);
    assert_eq!(limits.reserve(k, T0 + 5, 1).unwrap(), Reservation::WaitUntil(T0 + 61_000));
    assert_eq!(limits.remaining_today(k, T0 + 5).unwrap(), Some(24), "a refusal records nothing");
    assert_eq!(limits.reserve(k, T0 + 61_000, 2).unwrap(), Reservation::WaitUntil(i64::MAX));
    assert_eq!(limits.reserve(k, T0 + 61_000, 1).unwrap(), Reservation::Granted);
    // Not limited: always granted, nothing recorded.
    let a = BudgetKey::new(merchant(1), None);
    assert_eq!(limits.reserve(a, T0, 500).unwrap(), Reservation::Granted);
    let e = Reservation::refusal(T0 + 61_000, T0 + 5);
    assert_eq!((e.code, e.params["wait_seconds"].as_i64()), (ErrorCode::BudgetWait, Some(61)));
    assert_eq!(Reservation::refusal(i64::MAX, T0).code, ErrorCode::BudgetExhausted);
}

#[test]
fn connections_racing_for_one_slot_get_it_once() {
    // Each thread opens its own connection to the same file, as separate processes do.
    let dir = tempfile::tempdir().unwrap();
    drop(Db::open_in(dir.path()).unwrap());
    let k = key(Family::CcpaymentV1);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let granted: usize = (0..8)
        .map(|_| {
            let (dir, barrier) = (dir.path().to_owned(), barrier.clone());
            std::thread::spawn(move || {
                let limits = Limits::with_settings(Db::open_in(&dir).unwrap(), settings(1_000, 0));
                barrier.wait();
                limits.reserve(k, T0, 1).unwrap() == Reservation::Granted
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| usize::from(h.join().unwrap()))
        .sum();
    assert_eq!(granted, 1);
    let limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), settings(1_000, 0));
    assert_eq!(limits.remaining_today(k, T0).unwrap(), Some(24));
}

/// The accounts whose budgets these tests use, by the rules their providers declare.
enum Family {
    Cybavo,
    Ceffu,
    Avista,
    CcpaymentV1,
    CcpaymentV2,
}

fn rule(family: Family) -> BudgetRule {
    use crate::providers::Provider;
    let (provider, version, op): (&dyn Provider, &str, &str) = match family {
        Family::Cybavo => (&crate::providers::cybavo::Cybavo, "", "query-callbacks"),
        Family::Ceffu => (&crate::providers::ceffu::Ceffu, "", "resend-webhooks"),
        Family::Avista => (&crate::providers::avista::Avista, "", "resend-webhook"),
        Family::CcpaymentV1 => (&crate::providers::ccpayment::Ccpayment, "v1", "resend-webhooks"),
        Family::CcpaymentV2 => (&crate::providers::ccpayment::Ccpayment, "v2", "resend-webhooks"),
    };
    let public = serde_json::json!({ "api_version": version });
    provider.budget(public.as_object().unwrap(), op).expect("a limited operation")
}

fn key(family: Family) -> BudgetKey {
    BudgetKey::new(merchant(1), Some(rule(family)))
}

#[test]
fn persisted_budgets_survive_a_restart_and_reset_at_the_provider_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(0, 8 * 3600);
    let k = key(Family::CcpaymentV1);
    let mut now = day_start_ms(day_of(T0, 8 * 3600) + 1, 8 * 3600) - 30 * MINUTE_MS; // 23:30 provider time
    let mut sent = Vec::new();
    // Send as fast as allowed for three provider days, reopening the database every few calls.
    let mut reopen = 0;
    while sent.len() < 80 {
        let limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), s.clone());
        for _ in 0..(3 + reopen % 5) {
            let at = limits.next_allowed_at(k, now).unwrap();
            now = at;
            let left = limits.remaining_today(k, now).unwrap().unwrap();
            assert!(left >= 1, "allowed at {at} with nothing left today");
            limits.record_call(k, now).unwrap();
            assert_eq!(limits.remaining_today(k, now).unwrap().unwrap(), left - 1);
            sent.push(now);
        }
        reopen += 1;
    }
    assert_within(&sent, Budget { per_minute: Some(1), per_day: Some(25) }, MINUTE_MS, 8 * 3600);
    // 25 calls in the half hour before midnight, then 25 per day, each day from its first moment.
    let d0 = day_of(sent[0], 8 * 3600);
    assert_eq!(day_of(sent[24], 8 * 3600), d0);
    assert_eq!(sent[25], day_start_ms(d0 + 1, 8 * 3600));
    assert_eq!(day_of(sent[49], 8 * 3600), d0 + 1);
    assert_eq!(sent[50], day_start_ms(d0 + 2, 8 * 3600));
}

#[test]
fn a_restart_in_the_middle_of_a_minute_keeps_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(Family::Avista);
    {
        let limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), settings(1_000, 0));
        for i in 0..60 {
            assert_eq!(limits.next_allowed_at(k, T0 + i).unwrap(), T0 + i);
            limits.record_call(k, T0 + i).unwrap();
        }
        let token_call = BudgetKey::new(merchant(1), None);
        assert_eq!(limits.next_allowed_at(token_call, T0 + 60).unwrap(), T0 + 60, "token calls are free");
    }
    let limits = Limits::with_settings(Db::open_in(dir.path()).unwrap(), settings(1_000, 0));
    assert_eq!(limits.next_allowed_at(k, T0 + 100).unwrap(), T0 + MINUTE_MS + 1_000);
    assert_eq!(limits.remaining_today(k, T0).unwrap(), None);
    // Another account has its own budget.
    assert_eq!(limits.next_allowed_at(BudgetKey::new(merchant(2), Some(rule(Family::Avista))), T0).unwrap(), T0);
}

#[test]
fn cybavo_adopts_the_named_limit_and_ceffu_backs_off() {
    let db = Db::open_in_memory().unwrap();
    let limits = Limits::with_settings(db, settings(0, 0));
    let k = key(Family::Cybavo);
    assert_eq!(limits.budget(k).unwrap().unwrap().per_minute, Some(30));
    let e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute").with("limit", 12);
    limits.observe_error(k, &e, T0).unwrap();
    assert_eq!(limits.budget(k).unwrap().unwrap().per_minute, Some(12), "one wallet bucket");
    assert_eq!(limits.next_allowed_at(k, T0).unwrap(), T0 + MINUTE_MS);
    // A higher number is adopted too: it is the provider's.
    let e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute").with("limit", 100);
    limits.observe_error(k, &e, T0).unwrap();
    assert_eq!(limits.budget(k).unwrap().unwrap().per_minute, Some(100));

    let c = key(Family::Ceffu);
    let e = Error::new(ErrorCode::ProviderRateLimited);
    let mut waits = Vec::new();
    for _ in 0..8 {
        limits.observe_error(c, &e, T0).unwrap();
        waits.push(limits.next_allowed_at(c, T0).unwrap() - T0);
    }
    assert_eq!(&waits[..4], &[15_000, 30_000, 60_000, 120_000]);
    assert_eq!(waits[7], 15 * MINUTE_MS, "capped");
    limits.observe_ok(c, T0 + 20 * MINUTE_MS).unwrap();
    limits.observe_error(c, &e, T0 + 20 * MINUTE_MS).unwrap();
    assert_eq!(limits.next_allowed_at(c, T0 + 20 * MINUTE_MS).unwrap(), T0 + 20 * MINUTE_MS + 15_000);

    // A documented budget is never loosened, but a lower named one is adopted.
    let v2 = key(Family::CcpaymentV2);
    let e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute").with("limit", 30);
    limits.observe_error(v2, &e, T0).unwrap();
    assert_eq!(limits.budget(v2).unwrap().unwrap().per_minute, Some(1));
    // A daily-limit answer blocks until the provider's midnight.
    let e = Error::new(ErrorCode::ProviderDailyLimit).with("per", "day").with("limit", 10);
    limits.observe_error(v2, &e, T0).unwrap();
    assert_eq!(limits.budget(v2).unwrap().unwrap().per_day, Some(10));
    assert_eq!(limits.remaining_today(v2, T0).unwrap(), Some(0));
    assert_eq!(limits.next_allowed_at(v2, T0).unwrap(), day_start_ms(day_of(T0, 0) + 1, 0));
}

#[test]
fn a_retry_after_is_the_wait_whatever_the_back_off_would_be() {
    let limits = Limits::with_settings(Db::open_in_memory().unwrap(), settings(1_000, 0));
    let c = key(Family::Ceffu);
    // Longer than the first back-off (15 s): waited in full.
    let e = Error::new(ErrorCode::ProviderRateLimited).with("retry_after_seconds", 90);
    limits.observe_error(c, &e, T0).unwrap();
    assert_eq!(limits.next_allowed_at(c, T0).unwrap(), T0 + 90_000 + 1_000);
    // Shorter than the back-off the level would give: the provider knows best.
    let e = Error::new(ErrorCode::ProviderRateLimited).with("retry_after_seconds", 2);
    let later = T0 + 200_000;
    for _ in 0..4 {
        limits.observe_error(c, &e, later).unwrap();
    }
    assert_eq!(limits.next_allowed_at(c, later).unwrap(), later + 2_000 + 1_000);
}

#[test]
fn an_agreed_number_replaces_the_default_and_yields_to_the_providers_answer() {
    let limits = Limits::with_settings(Db::open_in_memory().unwrap(), settings(0, 0));
    let agreed = BudgetKey::new(merchant(1), Some(rule(Family::Cybavo).agreed(Some(600))));
    assert_eq!(limits.budget(agreed).unwrap().unwrap().per_minute, Some(600));
    for i in 0..600 {
        assert_eq!(limits.next_allowed_at(agreed, T0 + i).unwrap(), T0 + i);
        limits.record_call(agreed, T0 + i).unwrap();
    }
    assert_eq!(limits.next_allowed_at(agreed, T0 + 600).unwrap(), T0 + MINUTE_MS);
    // CYBAVO's own "Call too frequently (N calls/minute)" wins over what the account says.
    let e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute").with("limit", 50);
    limits.observe_error(agreed, &e, T0 + 600).unwrap();
    assert_eq!(limits.budget(agreed).unwrap().unwrap().per_minute, Some(50));
    // Ceffu: an agreed number is used as the budget, and a stricter answer is still adopted.
    let ceffu = BudgetKey::new(merchant(1), Some(rule(Family::Ceffu).agreed(Some(120))));
    assert_eq!(limits.budget(ceffu).unwrap().unwrap().per_minute, Some(120));
    let e = Error::new(ErrorCode::ProviderRateLimited).with("per", "minute").with("limit", 40);
    limits.observe_error(ceffu, &e, T0).unwrap();
    assert_eq!(limits.budget(ceffu).unwrap().unwrap().per_minute, Some(40));
}
