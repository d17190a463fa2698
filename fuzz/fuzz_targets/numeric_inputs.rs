//! The numbers and times the command line and the window's commands take: bulk plans (`since`, `until`,
//! the numeric fields each provider splits on, the plan cap), the history filter's time bounds, the signing
//! time of `preview --at`, and the rate-budget scheduler.
//!
//! Properties besides "no panic" (overflow checks are on): a plan either has at most the cap's calls, or is
//! refused with an error naming a field or `input.plan_too_large` (never `internal`), and is decided without
//! building its calls first (the time a run takes is bounded by the cap); a time outside 1970–9999 is always
//! refused; the scheduler never answers a moment before `now`.
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::jobs::{self, MAX_PLAN_CALLS};
use callback_desk::limits::{earliest_allowed_n, Budget};
use callback_desk::providers::{self, BuildCtx};
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

/// Reads the input as a stream of numbers; runs out into zeros.
struct Numbers<'a>(&'a [u8]);

impl Numbers<'_> {
    fn i64(&mut self) -> i64 {
        let mut b = [0u8; 8];
        let n = self.0.len().min(8);
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        // Small values and the edges are the interesting ones: the first byte picks a shape.
        let raw = i64::from_le_bytes(b);
        match b[0] % 8 {
            0 => raw,
            1 => i64::MIN + (raw & 0xff),
            2 => i64::MAX - (raw & 0xff),
            3 => 1_760_000_000 + (raw % 100_000_000),
            4 => 1_760_000_000_000 + (raw % 100_000_000_000),
            5 => raw % 10_000,
            6 => 253_402_300_799 + (raw % 10),
            _ => -(raw & 0xffff),
        }
    }

    fn byte(&mut self) -> u8 {
        let b = self.0.first().copied().unwrap_or(0);
        self.0 = self.0.get(1..).unwrap_or(&[]);
        b
    }
}

fn params(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn check_plan_error(e: &callback_desk::Error) {
    f::check_error(e);
    assert!(
        matches!(e.code, ErrorCode::InputInvalid | ErrorCode::InputMissing | ErrorCode::InputPlanTooLarge | ErrorCode::InputWindowTooLarge),
        "{e}"
    );
}

fuzz_target!(|data: &[u8]| {
    let mut n = Numbers(data);
    let (since, until, a, b) = (n.i64(), n.i64(), n.i64(), n.i64());
    let cap = 1 + (n.i64().unsigned_abs() as usize % MAX_PLAN_CALLS);
    let since = (n.byte() % 4 != 0).then_some(since);

    // Bulk plans of every provider's bulk operations.
    let cases = [
        ("ccpayment-v1", "resend-webhooks", params(json!({"start_timestamp": a, "end_timestamp": b}))),
        ("ccpayment-v2", "resend-webhooks", params(json!({"startTimestamp": a, "webhookResult": "Failed"}))),
        ("ceffu", "resend-webhooks", params(json!({"webhookId": "w", "resendFromDateTime": a}))),
        ("cybavo", "resend-withdrawal-callbacks", params(json!({"notification_id": a}))),
        ("cybavo", "resend-deposit-callbacks", params(json!({"serials": [a, b, a]}))),
        ("cybavo", "list-callbacks", params(json!({"from_time": a, "to_time": b, "type": 1}))),
        ("cybavo", "query-callbacks", params(json!({"ids": [a, b]}))),
        ("avista", "resend-webhook", params(json!({"transaction_identifiers": [a.to_string(), b.to_string()]}))),
    ];
    for (key, op, p) in &cases {
        let account = f::account(key);
        match jobs::split(account, op, p, since, until, cap) {
            Ok(s) => {
                assert!(s.calls.len() <= cap, "{} calls over the cap {cap}", s.calls.len());
                assert!((0..=253_402_300_799).contains(&until), "until {until} accepted");
                assert!(since.is_none_or(|s| (0..=until).contains(&s)), "since {since:?} accepted");
                // Each call either builds at any signing time, or is refused as input.
                if let Some(call) = s.calls.first() {
                    if let Ok(calls) = providers::plan_calls(account, op, call) {
                        for c in calls.iter().take(2) {
                            if let Err(e) = providers::build_request(account, op, c, &BuildCtx::at(b)) {
                                f::check_error(&e);
                            }
                        }
                    }
                }
            }
            Err(e) => check_plan_error(&e),
        }
    }
    match jobs::windows(since.unwrap_or(a), until, 3_600, cap) {
        Ok(w) => assert!(!w.is_empty() && w.len() <= cap),
        Err(e) => check_plan_error(&e),
    }
    assert_eq!(jobs::unix_seconds("since", a).is_ok(), (0..=253_402_300_799).contains(&a));

    // `preview --at`: any signing time builds or is refused as input, for every single operation.
    for key in ["cybavo", "ceffu", "avista", "ccpayment-v1", "ccpayment-v2"] {
        let account = f::account(key);
        let op = &f::operations(account)[usize::from(n.byte()) % f::operations(account).len()];
        let p = params(json!({"notification_id": a, "ids": [b], "from_time": a, "to_time": b, "type": 1,
            "start_timestamp": a, "end_timestamp": b, "startTimestamp": a, "endTimestamp": b,
            "webhookId": "w", "eventType": "1", "resendFromDateTime": a, "transaction_identifier": "x",
            "txid": "t", "vout_index": b, "order_id": "o"}));
        if let Err(e) = providers::build_request(account, op, &p, &BuildCtx::at(since.unwrap_or(b))) {
            f::check_error(&e);
        }
    }

    // The rate-budget scheduler over arbitrary call times.
    let budget = Budget {
        per_minute: (n.byte() % 3 != 0).then_some(u32::from(n.byte())),
        per_day: (n.byte() % 2 == 0).then_some(u32::from(n.byte()) * 4),
    };
    let calls: Vec<i64> = (0..usize::from(n.byte() % 64)).map(|_| n.i64()).collect();
    let count = usize::from(n.byte() % 8);
    let now = n.i64();
    let at = earliest_allowed_n(&calls, budget, b, now, a.rem_euclid(10_000), until.rem_euclid(86_400) - 43_200, count);
    assert!(at >= now, "{at} before {now}");
});
