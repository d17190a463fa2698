//! Planning a bulk job: what staff ask for ([`PlanRequest`]) split into the exact params of each call
//! ([`split`]), times checked and the number of calls capped before any call is built, and the estimate
//! under the account's budgets ([`Jobs::plan`]).

use super::Jobs;
use crate::error::{Error, ErrorCode, Result};
use crate::limits::{day_of, BudgetKey};
use crate::providers::bulk::plan_too_large;
use crate::providers::{self, Account, BuildCtx, Split};

pub use crate::providers::bulk::{unix_seconds, windows, MAX_PLAN_DAYS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use ts_rs::TS;

/// The most calls of one plan, whatever the budgets allow.
pub const MAX_PLAN_CALLS: usize = 100_000;

/// What staff ask for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PlanRequest {
    #[ts(type = "number")]
    pub account_id: i64,
    pub operation: String,
    /// The operation's own fields (copied into every call) plus the bulk lists described in the module
    /// documentation (`serials`, `transaction_identifiers`, `eventTypes`, `ids`).
    #[serde(default)]
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    /// Unix seconds.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    /// Unix seconds; `None` = now.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub until: Option<i64>,
    /// The exact params of each call, instead of splitting `params`, `since` and `until` (which are then
    /// not used): the failed calls of a job tried again, or one resend waiting for the budget. Each is
    /// checked as it would be sent, and their number is capped like any plan's.
    #[serde(default)]
    #[ts(type = "Array<Record<string, unknown>> | null")]
    pub calls: Option<Vec<Map<String, Value>>>,
}

/// One call of a plan: the exact params it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PlannedCall {
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
}

/// A bulk job before it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Plan {
    #[ts(type = "number")]
    pub account_id: i64,
    pub operation: String,
    pub calls: Vec<PlannedCall>,
    /// Seconds from now until the last call may go out under the account's budgets (a lower bound: the
    /// calls' own durations come on top).
    #[ts(type = "number")]
    pub estimated_seconds: i64,
    /// Provider days the calls span (e.g. 30 CCPayment v1 windows at 25/day: 2).
    pub days: u32,
    /// What the plan cannot say in numbers (a translation key, `bulk.note.*`), e.g. that a CYBAVO
    /// "resend all" reports its size afterwards.
    pub note: Option<String>,
}

/// Splits a bulk request into the params of each call (see the module documentation). `until` is
/// already resolved (Unix seconds).
/// At most `max_calls` calls: a bigger request is refused with `input.plan_too_large` before its calls
/// are built, and times outside 1970–9999 are refused up front ([`unix_seconds`]).
pub fn split(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    since: Option<i64>,
    until: i64,
    max_calls: usize,
) -> Result<Split> {
    providers::operation_descriptor(account, operation)?;
    let until = unix_seconds("until", until)?;
    let since = since.map(|s| unix_seconds("since", s)).transpose()?;
    if let Some(s) = since {
        if s > until {
            return Err(Error::invalid_field("until", "before_since").with("since", s).with("until", until));
        }
    }
    let request = providers::BulkRequest { params, since, until, max_calls };
    let split = match account.inner().split(operation, &request) {
        Some(split) => split?,
        None => Split { calls: providers::plan_calls(account, operation, params)?, note: None },
    };
    if split.calls.len() > max_calls {
        return Err(plan_too_large(split.calls.len(), max_calls));
    }
    Ok(split)
}

/// Calls given one by one ([`PlanRequest::calls`]): at least one, at most `max_calls`, of an operation
/// the account has.
fn given_calls(account: &Account, operation: &str, calls: &[Map<String, Value>], max_calls: usize) -> Result<Split> {
    providers::operation_descriptor(account, operation)?;
    if calls.is_empty() {
        return Err(Error::new(ErrorCode::InputMissing).with("field", "calls"));
    }
    if calls.len() > max_calls {
        return Err(plan_too_large(calls.len(), max_calls));
    }
    Ok(Split { calls: calls.to_vec(), note: None })
}

/// Where a planning account's sandbox would be (planning sends nothing).
const PLANNING_ROOT: &str = "http://127.0.0.1:9";

impl Jobs {
    /// Plans a bulk request for a stored account: the calls (each validated as it would be sent) and
    /// the estimate under the account's budgets now.
    pub fn plan(&self, req: &PlanRequest) -> Result<Plan> {
        let (view, account) = self.actions.accounts.signing_account(req.account_id, Some(PLANNING_ROOT))?;
        let now = self.clock.now_ms();
        let until = req.until.unwrap_or_else(|| now.div_euclid(1000));
        let key = BudgetKey::of_view(&view, &req.operation);
        let max_calls = self.max_calls(key)?;
        let s = match &req.calls {
            Some(calls) => given_calls(&account, &req.operation, calls, max_calls)?,
            None => split(&account, &req.operation, &req.params, req.since, until, max_calls)?,
        };
        for c in &s.calls {
            for p in providers::plan_calls(&account, &req.operation, c)? {
                providers::build_request(&account, &req.operation, &p, &BuildCtx::at(now))?;
            }
        }
        let (estimated_seconds, days) = self.estimate(key, now, s.calls.len())?;
        Ok(Plan {
            account_id: req.account_id,
            operation: req.operation.clone(),
            calls: s.calls.into_iter().map(|params| PlannedCall { params }).collect(),
            estimated_seconds,
            days,
            note: s.note,
        })
    }

    /// The most calls a plan of `operation` may have: what the account's budget allows in
    /// [`MAX_PLAN_DAYS`] provider days, and never more than [`MAX_PLAN_CALLS`].
    fn max_calls(&self, key: BudgetKey) -> Result<usize> {
        let days = u64::from(MAX_PLAN_DAYS);
        let by_budget = match self.limits.budget(key)? {
            None => u64::MAX,
            Some(b) => {
                let per_day = b.per_day.map_or(u64::MAX, |d| u64::from(d) * days);
                let per_minute = b.per_minute.map_or(u64::MAX, |m| u64::from(m) * 1_440 * days);
                per_day.min(per_minute)
            }
        };
        Ok(usize::try_from(by_budget).unwrap_or(usize::MAX).min(MAX_PLAN_CALLS))
    }

    /// Seconds until the last of `n` calls may go out, and the provider days they span.
    pub(super) fn estimate(&self, key: BudgetKey, now: i64, n: usize) -> Result<(i64, u32)> {
        if n == 0 {
            return Ok((0, 0));
        }
        let times = self.limits.simulate(key, now, n)?;
        if times.len() < n {
            return Err(Error::new(ErrorCode::BudgetExhausted));
        }
        let off = self.limits.settings().day_offset_secs;
        let days: BTreeSet<i64> = times.iter().map(|&t| day_of(t, off)).collect();
        let last = times.last().copied().unwrap_or(now);
        Ok(((last - now + 999).div_euclid(1000).max(0), days.len() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(j: Value) -> Account {
        Account::from_map(j.as_object().unwrap()).unwrap()
    }

    fn ccp(version: &str) -> Account {
        account(json!({"provider":"ccpayment","base_url":"http://127.0.0.1:1/ccpayment/","api_version":version,
                       "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"}))
    }

    fn cybavo() -> Account {
        account(
            json!({"provider":"cybavo","base_url":"http://127.0.0.1:1","wallet_id":7,"api_code":"c","api_secret":"s"}),
        )
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn ccpayment_windows_use_each_versions_field_names() {
        let p = obj(json!({"webhook_result": "All Result"}));
        let s = split(&ccp("v1"), "resend-webhooks", &p, Some(1_000), 8_000, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.len(), 2);
        assert_eq!(
            Value::Object(s.calls[1].clone()),
            json!({"start_timestamp": 4_600, "end_timestamp": 8_000, "webhook_result": "All Result"})
        );
        assert_eq!(s.calls[0].keys().collect::<Vec<_>>(), ["start_timestamp", "end_timestamp", "webhook_result"]);
        let s = split(&ccp("v2"), "resend-webhooks", &Map::new(), Some(1_000), 1_500, MAX_PLAN_CALLS).unwrap();
        assert_eq!(Value::Object(s.calls[0].clone()), json!({"startTimestamp": 1_000, "endTimestamp": 1_500}));
        let e = split(&ccp("v1"), "resend-webhooks", &Map::new(), Some(9_000), 8_000, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.params["reason"], "before_since");
        let e = split(&ccp("v1"), "resend-webhooks", &Map::new(), None, 8_000, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputMissing);
    }

    #[test]
    fn extreme_times_are_refused_and_plans_are_capped_before_they_are_built() {
        let field = |e: &Error| (e.code, e.params.get("field").cloned(), e.params.get("reason").cloned());
        // The whole i64 range: refused at once, naming the field (before: a loop growing to 24 GB).
        let e =
            split(&ccp("v1"), "resend-webhooks", &Map::new(), Some(i64::MIN), i64::MAX, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e), (ErrorCode::InputInvalid, Some(json!("until")), Some(json!("time_out_of_range"))));
        let e = split(&ccp("v2"), "resend-webhooks", &Map::new(), Some(-1), 10, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("since")));
        let p = obj(json!({"start_timestamp": i64::MIN}));
        let e = split(&ccp("v1"), "resend-webhooks", &p, None, 10, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("start_timestamp")));
        let p = obj(json!({"webhookId": "w", "resendFromDateTime": i64::MAX}));
        let e = split(
            &account(json!({"provider": "ceffu", "base_url": "https://open-api.ceffu.com", "api_key": "k",
            "private_key": include_str!("../../tests/fixtures/ceffu_test_key.pem")})),
            "resend-webhooks",
            &p,
            None,
            10,
            MAX_PLAN_CALLS,
        )
        .unwrap_err();
        assert_eq!(field(&e).1, Some(json!("resendFromDateTime")));
        let e = split(&cybavo(), "list-callbacks", &Map::new(), Some(0), i64::MAX, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(field(&e).1, Some(json!("until")));
        // 1970 to 9999 in hour windows is counted, not built, and refused with the numbers.
        let e = windows(0, 253_402_300_799, 3_600, 2_250).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputPlanTooLarge);
        assert_eq!((e.params["calls"].as_u64(), e.params["max_calls"].as_u64()), (Some(70_389_528), Some(2_250)));
        assert_eq!(windows(0, 2_250 * 3_600, 3_600, 2_250).unwrap().len(), 2_250);
        // Lists are capped too.
        let ids: Vec<i64> = (1..=11).collect();
        let e =
            split(&cybavo(), "resend-withdrawal-callbacks", &obj(json!({ "serials": ids })), None, 0, 10).unwrap_err();
        assert_eq!((e.code, e.params["calls"].as_u64()), (ErrorCode::InputPlanTooLarge, Some(11)));
    }

    #[test]
    fn ceffu_cybavo_and_avista_lists() {
        let ceffu = account(json!({"provider":"ceffu","base_url":"http://127.0.0.1:1","api_key":"k",
            "private_key": crate::providers::ceffu::sandbox::demo_private_key_base64()}));
        let s = split(
            &ceffu,
            "resend-webhooks",
            &obj(json!({"webhookId": "17"})),
            Some(1_700_000_000),
            1_700_000_100,
            MAX_PLAN_CALLS,
        )
        .unwrap();
        assert_eq!(s.calls.len(), 4);
        assert_eq!(
            Value::Object(s.calls[3].clone()),
            json!({"webhookId": "17", "eventType": "4", "resendFromDateTime": 1_700_000_000_000i64})
        );
        let p = obj(json!({"webhookId": "17", "eventTypes": ["2", "4", "2"]}));
        assert_eq!(split(&ceffu, "resend-webhooks", &p, Some(1), 2, MAX_PLAN_CALLS).unwrap().calls.len(), 2);

        let s = split(&cybavo(), "resend-withdrawal-callbacks", &Map::new(), None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"notification_id": 0}))]);
        assert_eq!(s.note.as_deref(), Some("bulk.note.cybavo_all"));
        let p = obj(json!({"serials": [5, 6, 5]}));
        let s = split(&cybavo(), "resend-deposit-callbacks", &p, None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"notification_id": 5})), obj(json!({"notification_id": 6}))]);
        let ids: Vec<i64> = (1..=250).collect();
        let s = split(&cybavo(), "query-callbacks", &obj(json!({ "ids": ids })), None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.iter().map(|c| c["ids"].as_array().unwrap().len()).collect::<Vec<_>>(), [100, 100, 50]);
        let s = split(&cybavo(), "list-callbacks", &Map::new(), Some(10), 20, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls, vec![obj(json!({"from_time": 10, "to_time": 20}))]);

        let cert = include_str!("../../tests/fixtures/avista_test_cert.pem");
        let avista = account(json!({"provider":"avista","base_url":"http://127.0.0.1:1","client_id":"c",
                                    "client_secret":"s","client_cert_pem":cert}));
        let p = obj(json!({"transaction_identifiers": "A-1, A-2 A-3", "url": "https://example.org/h"}));
        let s = split(&avista, "resend-webhook", &p, None, 0, MAX_PLAN_CALLS).unwrap();
        assert_eq!(s.calls.len(), 3);
        assert_eq!(
            Value::Object(s.calls[2].clone()),
            json!({"transaction_identifier": "A-3", "url": "https://example.org/h"})
        );
        let e = split(&avista, "no-such-op", &Map::new(), None, 0, MAX_PLAN_CALLS).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputUnknownOperation);
    }
}
