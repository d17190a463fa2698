//! Four-eyes approvals in the team database (migration 005): a resend that [`super::policy`] holds back is
//! requested, approved or rejected by another member (approver or admin), and run exactly once by its
//! requester. The database binds the plan (merchant account, operation, params: its hash), checks who
//! may do what, expires requests and writes each step to the audit trail.

use super::budget::merchant_key;
use super::connect::db_error;
use super::policy::DEFAULT_TTL_HOURS;
use super::Team;
use crate::accounts::AccountView;
use crate::error::{Error, ErrorCode, Result};
use serde_json::{Map, Value};

/// A resend's plan, as the approval binds it.
pub struct Plan<'a> {
    pub operation: &'a str,
    pub params: &'a Map<String, Value>,
    /// Why it needs an approval ([`super::policy::approval_reasons`]); empty: it needs none.
    pub reasons: Vec<String>,
    /// The approval being run (`approvals run ID`), if any.
    pub approval_id: Option<i64>,
}

/// The approval this plan may run under: the one asked for (which must be the requester's, approved,
/// unexpired and of exactly this plan), or an approved one of exactly this plan. Without one, the plan is
/// requested and the action refused with `approval.awaiting` (its id in the params). Nothing is marked
/// run yet ([`mark_run`] does, once the budget is reserved).
pub async fn approval_for(team: &Team, view: &AccountView, plan: &Plan<'_>) -> Result<i64> {
    let merchant = merchant_key(view);
    let params = Value::Object(plan.params.clone());
    let found: Option<i64> = team
        .client()
        .query_one(
            "SELECT callback_desk.find_approval($1, $2, $3, $4)",
            &[&plan.approval_id, &merchant, &plan.operation, &params],
        )
        .await
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
    Err(Error::new(ErrorCode::ApprovalAwaiting).with("approval_id", id))
}

/// Marks the approval run, exactly once, just before the request leaves.
pub async fn mark_run(team: &Team, id: i64, view: &AccountView, plan: &Plan<'_>) -> Result<()> {
    let params = Value::Object(plan.params.clone());
    team.client()
        .execute(
            "SELECT callback_desk.run_approval($1, $2, $3, $4)",
            &[&id, &merchant_key(view), &plan.operation, &params],
        )
        .await
        .map_err(|e| db_error(e).with("approval_id", id))?;
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
    Ok((row.get(0), row.get(1), params))
}

/// Every request, newest first: `id`, `status` (`pending`, `approved`, `rejected`, `executed`, or
/// `expired` for a pending or approved one past its time), `requested_by`, and what was asked.
pub async fn list(team: &Team) -> Result<Vec<Value>> {
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
                 'executed_at_ms', (extract(epoch FROM executed_at) * 1000)::bigint)
               FROM callback_desk.approvals ORDER BY id DESC",
            &[],
        )
        .await
        .map_err(db_error)?;
    Ok(rows.iter().map(|r| r.get::<_, Value>(0)).collect())
}
