//! Trying the failed calls of a job again: why they failed (the most frequent reason first) and a plan
//! request of exactly their params, which the window shows as a plan the user may correct before it
//! starts. Calls whose outcome is unknown are never in it: the provider may have acted on them, and
//! sending them again could deliver the same callbacks twice.

use super::{Jobs, PlanRequest};
use crate::db::storage_error;
use crate::error::Result;
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// One reason calls of a job failed: the error of the first such call, and how many calls it ended.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FailureReason {
    /// `{code, params, detail}`.
    #[ts(type = "{ code: string; params: Record<string, unknown>; detail: string | null }")]
    pub error: Value,
    #[ts(type = "number")]
    pub calls: u64,
}

/// What went wrong in a job, and how to try the failed calls again.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct JobFailures {
    #[ts(type = "number")]
    pub job_id: i64,
    /// Calls the provider refused (or that were refused before they were sent).
    #[ts(type = "number")]
    pub failed: u64,
    /// Calls whose outcome is unknown: not in `retry`.
    #[ts(type = "number")]
    pub unknown: u64,
    /// Why calls failed, the reason of most calls first.
    pub reasons: Vec<FailureReason>,
    /// A plan request of exactly the failed calls' params, in plan order; `null` when none failed.
    pub retry: Option<PlanRequest>,
}

/// Errors that say the same thing to the user: the same code about the same field and provider code.
fn reason_key(error: &Value) -> (String, String, String) {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let params = error.get("params");
    (
        text(error.get("code")),
        text(params.and_then(|p| p.get("field"))),
        text(params.and_then(|p| p.get("provider_code"))),
    )
}

impl Jobs {
    /// The failed calls of job `id`: their reasons and a plan request of their params (see the module
    /// documentation). Only calls the job has finished count.
    pub fn failures(&self, id: i64) -> Result<JobFailures> {
        let job = self.get(id)?;
        let plan = self.plan_of(id)?;
        let ends: Vec<(i64, String, Option<String>)> = {
            let conn = self.db.conn();
            let mut s = conn
                .prepare_cached("SELECT idx, outcome, error FROM job_calls WHERE job_id = ?1 AND idx < ?2 ORDER BY idx")
                .map_err(storage_error)?;
            let rows = s
                .query_map(rusqlite::params![id, job.next_index as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(storage_error)?;
            rows.collect::<rusqlite::Result<_>>().map_err(storage_error)?
        };
        let mut calls: Vec<Map<String, Value>> = Vec::new();
        let mut reasons: Vec<((String, String, String), FailureReason)> = Vec::new();
        let mut unknown = 0;
        for (idx, outcome, error) in ends {
            match outcome.as_str() {
                "failed" => {}
                "unknown" => {
                    unknown += 1;
                    continue;
                }
                _ => continue,
            }
            if let Some(call) = usize::try_from(idx).ok().and_then(|i| plan.calls.get(i)) {
                calls.push(call.params.clone());
            }
            let Some(error) = error.and_then(|t| serde_json::from_str::<Value>(&t).ok()) else { continue };
            let key = reason_key(&error);
            match reasons.iter_mut().find(|(k, _)| *k == key) {
                Some((_, r)) => r.calls += 1,
                None => reasons.push((key, FailureReason { error, calls: 1 })),
            }
        }
        // Most calls first; among equals, the reason met first.
        let mut reasons: Vec<FailureReason> = reasons.into_iter().map(|(_, r)| r).collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.calls));
        let failed = calls.len() as u64;
        let retry = (!calls.is_empty()).then(|| PlanRequest {
            account_id: plan.account_id,
            operation: plan.operation.clone(),
            params: Map::new(),
            since: None,
            until: None,
            calls: Some(calls),
        });
        Ok(JobFailures { job_id: id, failed, unknown, reasons, retry })
    }
}
