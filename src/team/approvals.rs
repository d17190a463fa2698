//! Four-eyes approvals in the team database (migration 005): a resend that [`super::policy`] holds back is
//! requested, approved or rejected by another member (approver or admin), and run exactly once by its
//! requester. The database binds the plan (merchant account, operation, params: its hash), checks who
//! may do what, expires requests and writes each step to the audit trail.

use super::connect::db_error;
use super::policy::DEFAULT_TTL_HOURS;
use super::Team;
use crate::accounts::AccountView;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::merchant::account_fingerprint;
use crate::providers::{FieldKind, OperationDescriptor};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// A resend's plan, as the approval binds it.
pub struct Plan<'a> {
    pub operation: &'a str,
    pub params: &'a Map<String, Value>,
    /// Why it needs an approval ([`super::policy::approval_reasons`]); empty: it needs none.
    pub reasons: Vec<String>,
    /// The approval being run (`approvals run ID`), if any.
    pub approval_id: Option<i64>,
    /// The bulk job whose call this is ([`JobPlan::key`]): the job runs under one approval of its whole
    /// plan, marked executed by its first call.
    pub job: Option<&'a str>,
}

/// A bulk job's plan as one approval binds it: `params` name its calls (how many, and the SHA-256 of
/// their params in order) and summarise them for the approver; `reasons` are the whole job's
/// ([`super::policy::job_approval_reasons`]); `key` names the job in the team database, so that only
/// this job's calls run under the approval.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    pub key: String,
    pub params: Map<String, Value>,
    pub reasons: Vec<String>,
}

impl JobPlan {
    /// The plan of this installation's job `job_id` (made at `created_at_ms`) of `calls`.
    pub fn of(
        job_id: i64,
        created_at_ms: i64,
        environment: crate::accounts::Environment,
        op: &OperationDescriptor,
        calls: &[&Map<String, Value>],
        now_ms: i64,
    ) -> JobPlan {
        let mut digest = Sha256::new();
        for call in calls {
            digest.update(Value::Object((*call).clone()).to_string().as_bytes());
            digest.update(b"\n");
        }
        let job = json!({
            "calls": calls.len(),
            "calls_sha256": hex::encode(digest.finalize()),
            "summary": summary(op, calls),
        });
        let (from_ms, to_ms) = period(op, calls);
        let mut job = match job {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            job.insert("from_ms".into(), from.into());
            job.insert("to_ms".into(), to.into());
        }
        JobPlan {
            key: format!("job {job_id} made at {created_at_ms}"),
            params: Map::from_iter([("job".to_owned(), Value::Object(job))]),
            reasons: super::policy::job_approval_reasons(environment, op, calls, now_ms),
        }
    }
}

/// The job's calls in the operation's fields, for the approver: every list's items together, each other
/// field's value when every call that gives it gives the same, else its values as a list (times are in
/// [`period`]).
fn summary(op: &OperationDescriptor, calls: &[&Map<String, Value>]) -> Map<String, Value> {
    let mut out = Map::new();
    for f in &op.fields {
        let values: Vec<&Value> = calls.iter().filter_map(|c| c.get(&f.name)).filter(|v| !v.is_null()).collect();
        let Some(first) = values.first() else { continue };
        match f.kind {
            FieldKind::UnixSeconds | FieldKind::UnixMillis => {}
            FieldKind::IntegerList | FieldKind::TextList => {
                let items = values.iter().flat_map(|v| v.as_array().cloned().unwrap_or_else(|| vec![(*v).clone()]));
                out.insert(f.name.clone(), Value::Array(items.collect()));
            }
            _ if values.iter().all(|v| v == first) => {
                out.insert(f.name.clone(), (*first).clone());
            }
            // One value per call (CYBAVO's serials, one a call): the values, as a list.
            _ => {
                out.insert(f.name.clone(), Value::Array(values.into_iter().cloned().collect()));
            }
        }
    }
    out
}

/// The earliest and the latest time (Unix ms) the job's calls name, if any.
fn period(op: &OperationDescriptor, calls: &[&Map<String, Value>]) -> (Option<i64>, Option<i64>) {
    let times = op.fields.iter().filter_map(|f| match f.kind {
        FieldKind::UnixSeconds => Some((f, 1000)),
        FieldKind::UnixMillis => Some((f, 1)),
        _ => None,
    });
    let all: Vec<i64> = times
        .flat_map(|(f, scale)| {
            calls.iter().filter_map(move |c| c.get(&f.name).and_then(as_i64).map(|n| n.saturating_mul(scale)))
        })
        .collect();
    (all.iter().min().copied(), all.iter().max().copied())
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The merchant account as an approval binds it (every public field: a changed one voids the approval), hex.
fn account_key(view: &AccountView) -> String {
    hex::encode(account_fingerprint(view.provider, &view.base_url, &view.fields))
}

/// The approval this plan may run under: the one asked for (which must be the requester's, approved,
/// unexpired and of exactly this plan), or an approved one of exactly this plan. Without one, the plan is
/// requested and the action refused with `approval.awaiting` (its id in the params). Nothing is marked
/// run yet ([`mark_run`] does, once the budget is reserved).
pub async fn approval_for(team: &Team, view: &AccountView, plan: &Plan<'_>) -> Result<i64> {
    let merchant = account_key(view);
    let params = Value::Object(plan.params.clone());
    let found = match plan.job {
        Some(job) => {
            team.client()
                .query_one(
                    "SELECT callback_desk.find_job_approval($1, $2, $3, $4)",
                    &[&job, &merchant, &plan.operation, &params],
                )
                .await
        }
        None => {
            team.client()
                .query_one(
                    "SELECT callback_desk.find_approval($1, $2, $3, $4)",
                    &[&plan.approval_id, &merchant, &plan.operation, &params],
                )
                .await
        }
    };
    let found: Option<i64> = found
        .map_err(|e| match plan.approval_id {
            Some(id) => db_error(e).with("approval_id", id),
            None => db_error(e),
        })?
        .get(0);
    if let Some(id) = found {
        return Ok(id);
    }
    let ttl = format!("{DEFAULT_TTL_HOURS} hours");
    let id: i64 = team
        .client()
        .query_one(
            "SELECT callback_desk.request_approval($1, $2, $3, $4, $5, $6, $7, $8, $9::text::interval)",
            &[
                &merchant,
                &view.id,
                &view.label,
                &view.provider.as_str(),
                &view.environment.as_str(),
                &plan.operation,
                &params,
                &plan.reasons,
                &ttl,
            ],
        )
        .await
        .map_err(db_error)?
        .get(0);
    let code = if plan.job.is_some() { ErrorCode::ApprovalAwaitingJob } else { ErrorCode::ApprovalAwaiting };
    Err(Error::new(code).with("approval_id", id))
}

/// Marks the approval run, exactly once, just before the request leaves (a job's: by its first call, for
/// that job; its later calls run under it).
pub async fn mark_run(team: &Team, id: i64, view: &AccountView, plan: &Plan<'_>) -> Result<()> {
    let params = Value::Object(plan.params.clone());
    let merchant = account_key(view);
    let marked = match plan.job {
        Some(job) => {
            team.client()
                .execute(
                    "SELECT callback_desk.run_job_approval($1, $2, $3, $4, $5)",
                    &[&id, &job, &merchant, &plan.operation, &params],
                )
                .await
        }
        None => {
            team.client()
                .execute(
                    "SELECT callback_desk.run_approval($1, $2, $3, $4)",
                    &[&id, &merchant, &plan.operation, &params],
                )
                .await
        }
    };
    marked.map_err(|e| db_error(e).with("approval_id", id))?;
    Ok(())
}

/// Approves another member's pending request (approvers and admins).
pub async fn approve(team: &Team, id: i64) -> Result<()> {
    decide(team, id, true, None).await
}

/// Rejects another member's pending request, saying why (approvers and admins).
pub async fn reject(team: &Team, id: i64, reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::missing_field("reason"));
    }
    decide(team, id, false, Some(reason)).await
}

async fn decide(team: &Team, id: i64, approve: bool, reason: Option<&str>) -> Result<()> {
    team.client()
        .execute("SELECT callback_desk.decide_approval($1, $2, $3)", &[&id, &approve, &reason])
        .await
        .map_err(|e| db_error(e).with("approval_id", id))?;
    Ok(())
}

/// What the requester's installation needs to run an approval: its own account id, the operation and
/// the params approved. Another member's approval is refused here (`approval.not_yours`): its account id
/// means nothing in this installation.
pub async fn plan_of(team: &Team, id: i64) -> Result<(i64, String, Map<String, Value>)> {
    let row = team
        .client()
        .query_opt(
            "SELECT local_account, operation, params, requested_by = callback_desk.current_member()
               FROM callback_desk.approvals WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| Error::new(ErrorCode::ApprovalNotFound).with("approval_id", id))?;
    if !row.get::<_, Option<bool>>(3).unwrap_or(false) {
        return Err(Error::new(ErrorCode::ApprovalNotYours).with("approval_id", id));
    }
    let params = match row.get::<_, Value>(2) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if params.contains_key("job") {
        // A bulk job's approval runs as its job resumes, not as one call.
        return Err(Error::new(ErrorCode::ApprovalForAJob).with("approval_id", id));
    }
    Ok((row.get(0), row.get(1), params))
}

/// Every request, newest first: `id`, `status` (`pending`, `approved`, `rejected`, `executed`, or
/// `expired` for a pending or approved one past its time), `requested_by`, what was asked, and
/// `account_changed`: for this member's own pending or approved requests, whether the account asked about
/// (among `accounts`, this installation's) was edited or removed since, so that the approval no longer covers
/// it (another member's account is not known here: false).
pub async fn list(team: &Team, accounts: &[AccountView]) -> Result<Vec<Value>> {
    let rows = team
        .client()
        .query(
            "SELECT jsonb_build_object(
                 'id', id,
                 'status', CASE WHEN status IN ('pending', 'approved') AND expires_at <= now() THEN 'expired'
                                ELSE status END,
                 'requested_by', requested_by, 'account_label', account_label, 'provider', provider,
                 'environment', environment, 'operation', operation, 'params', params, 'reasons', reasons,
                 'plan_hash', encode(plan_hash, 'hex'),
                 'requested_at_ms', (extract(epoch FROM requested_at) * 1000)::bigint,
                 'expires_at_ms', (extract(epoch FROM expires_at) * 1000)::bigint,
                 'decided_by', decided_by, 'reason', reason,
                 'executed_at_ms', (extract(epoch FROM executed_at) * 1000)::bigint,
                 'merchant', merchant, 'local_account', local_account)
               FROM callback_desk.approvals ORDER BY id DESC",
            &[],
        )
        .await
        .map_err(db_error)?;
    Ok(rows.iter().map(|r| with_account_changed(r.get(0), team.member(), accounts)).collect())
}

/// A listed request with `account_changed` in place of the account it binds (see [`list`]).
fn with_account_changed(item: Value, me: &str, accounts: &[AccountView]) -> Value {
    let Value::Object(mut item) = item else { return item };
    let merchant = item.remove("merchant");
    let local = item.remove("local_account").and_then(|v| v.as_i64());
    let mine = item.get("requested_by").and_then(Value::as_str) == Some(me);
    let open = matches!(item.get("status").and_then(Value::as_str), Some("pending" | "approved"));
    let still_bound = accounts
        .iter()
        .find(|a| Some(a.id) == local)
        .is_some_and(|a| merchant.as_ref().and_then(Value::as_str) == Some(account_key(a).as_str()));
    item.insert("account_changed".into(), Value::Bool(mine && open && !still_bound));
    Value::Object(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Environment;
    use crate::providers::{form_field, operation, HttpMethod, OperationKind};

    #[test]
    fn a_jobs_plan_binds_every_call_and_says_what_they_cover() {
        let op = operation(
            "test",
            "resend",
            HttpMethod::Post,
            OperationKind::Resend,
            vec![
                form_field("test", "notification_id", FieldKind::Integer, false),
                form_field("test", "from", FieldKind::UnixSeconds, false),
                form_field("test", "kind", FieldKind::Text, false),
            ],
        );
        let call = |id: i64, from: i64| json!({"notification_id": id, "from": from, "kind": "deposit"});
        let calls: Vec<Map<String, Value>> =
            [call(7, 100), call(8, 300), call(9, 200)].into_iter().map(|v| v.as_object().unwrap().clone()).collect();
        let refs: Vec<&Map<String, Value>> = calls.iter().collect();
        let plan = JobPlan::of(4, 1_000, Environment::Sandbox, &op, &refs, 0);
        let job = &plan.params["job"];
        assert_eq!(job["calls"], 3);
        assert_eq!(job["summary"], json!({"notification_id": [7, 8, 9], "kind": "deposit"}));
        assert_eq!((job["from_ms"].as_i64(), job["to_ms"].as_i64()), (Some(100_000), Some(300_000)));
        assert_eq!(plan.reasons, ["time_window"]);
        // Any changed call, or the same calls in another job, is another plan.
        let mut changed = calls.clone();
        changed[1].insert("kind".into(), json!("withdrawal"));
        let changed: Vec<&Map<String, Value>> = changed.iter().collect();
        assert_ne!(JobPlan::of(4, 1_000, Environment::Sandbox, &op, &changed, 0).params, plan.params);
        assert_ne!(JobPlan::of(5, 1_000, Environment::Sandbox, &op, &refs, 0).key, plan.key);
    }
}
