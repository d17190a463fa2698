//! Bulk jobs on shared accounts, leased in the team database (`sql/012_team_jobs.sql`): one member's
//! installation runs a job and holds its lease, renewed while it runs; the call in flight and the progress
//! after each call are recorded there, so every member with a role on the account sees them; a job whose
//! runner is gone (its lease expired) is taken over by another member, its call in flight counted unknown.
//! The runner's side is `src/jobs/shared.rs`; this file is the team database's side only.

use super::connect::db_error;
use super::Team;
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// How long a lease lasts without being renewed, unless `CALLBACK_DESK_TEAM_JOB_LEASE_MS` says otherwise
/// (tests shorten it). A runner renews it at a third of that.
pub const LEASE_MS: i64 = 60_000;

/// The lease's length in force (see [`LEASE_MS`]).
pub fn lease_ms() -> i64 {
    std::env::var("CALLBACK_DESK_TEAM_JOB_LEASE_MS")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|ms| *ms >= 100)
        .unwrap_or(LEASE_MS)
}

/// Where a team job stands, as its lease holder records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// `running` (renews the lease), or `paused`, `cancelled`, `done`, `interrupted` (releases it).
    pub state: &'a str,
    pub next_index: i64,
    pub in_flight: Option<i64>,
    pub ok: i64,
    pub failed: i64,
    pub unknown: i64,
    pub throttled: i64,
}

/// A team job as the team database holds it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct TeamJob {
    #[ts(type = "number")]
    pub id: i64,
    /// The shared account's id in the team database.
    #[ts(type = "number")]
    pub team_account_id: i64,
    /// The shared account's id in this installation (`null` when it has no copy yet).
    #[ts(type = "number | null")]
    pub account_id: Option<i64>,
    pub account: String,
    pub provider: String,
    pub operation: String,
    /// `running`, `paused`, `cancelled`, `done` or `interrupted`.
    pub state: String,
    pub created_by: String,
    /// The member running it (lease live), or who ran it last.
    pub runner: Option<String>,
    /// Whether the runner's lease still protects the job.
    pub leased: bool,
    /// Whether another member may take it over now: neither done nor cancelled, and no lease live (its
    /// runner's app stopped, or paused it), by the database's clock.
    pub takeable: bool,
    /// This installation's job for it (`null` when it never ran here): its own Jobs list shows that one.
    #[ts(type = "number | null")]
    pub local_job_id: Option<i64>,
    #[ts(type = "number")]
    pub total: i64,
    /// Calls finished.
    #[ts(type = "number")]
    pub done: i64,
    #[ts(type = "number | null")]
    pub in_flight: Option<i64>,
    #[ts(type = "number")]
    pub ok: i64,
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub unknown: i64,
    #[ts(type = "number")]
    pub throttled: i64,
    /// RFC 3339, the server's clock.
    pub updated_at: String,
}

/// The job as [`take`] left it: where the runner goes on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub next_index: i64,
    pub ok: i64,
    pub failed: i64,
    pub unknown: i64,
    pub throttled: i64,
}

/// Registers a job on shared account `team_account_id` (operators of the account); returns its id.
pub async fn create(team: &Team, team_account_id: i64, operation: &str, plan: &Value, total: i64) -> Result<i64> {
    let total = i32::try_from(total).map_err(|_| Error::internal("a team job of more than 2^31 calls"))?;
    Ok(team
        .client()
        .query_one("SELECT callback_desk.create_job($1, $2, $3, $4)", &[&team_account_id, &operation, plan, &total])
        .await
        .map_err(db_error)?
        .get(0))
}

/// The plan of team job `id` and its shared account (what a member taking it over runs).
pub async fn plan_of(team: &Team, id: i64) -> Result<(i64, Value)> {
    let row = team
        .client()
        .query_opt("SELECT account_id, plan FROM callback_desk.jobs WHERE id = $1", &[&id])
        .await
        .map_err(db_error)?
        .ok_or_else(|| Error::invalid_field("team_job_id", "not_found"))?;
    Ok((row.get(0), row.get(1)))
}

/// Takes the lease of team job `id` for this runner (`instance`, one process's; the installation is the
/// member's): `team.job_leased` naming the runner when another holds a live lease. Taken over from
/// another installation, the call it had in flight is counted unknown (by the database, in the same
/// statement). Returns where the job stands.
pub async fn take(team: &Team, id: i64, instance: &str, lease_ms: i64) -> Result<Taken> {
    let row = team
        .client()
        .query_one(
            "SELECT next_index, ok, failed, unknown, throttled FROM callback_desk.take_job($1, $2, $3, $4)",
            &[&id, &installation(team), &instance, &lease_i32(lease_ms)],
        )
        .await
        .map_err(db_error)?;
    let n = |i: usize| i64::from(row.get::<_, i32>(i));
    Ok(Taken { next_index: n(0), ok: n(1), failed: n(2), unknown: n(3), throttled: n(4) })
}

/// Records where team job `id` stands (the lease holder only: `team.job_leased` or `team.job_cancelled`
/// otherwise); `running` renews the lease for `lease_ms`, any other state releases it.
pub async fn record(team: &Team, id: i64, instance: &str, p: &Progress<'_>, lease_ms: i64) -> Result<()> {
    let i = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    team.client()
        .execute(
            "SELECT callback_desk.record_job($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &id,
                &instance,
                &p.state,
                &i(p.next_index),
                &p.in_flight.map(i),
                &i(p.ok),
                &i(p.failed),
                &i(p.unknown),
                &i(p.throttled),
                &lease_i32(lease_ms),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Renews the lease of team job `id` while it runs; false when it is no longer this runner's.
pub async fn renew(team: &Team, id: i64, instance: &str, lease_ms: i64) -> Result<bool> {
    Ok(team
        .client()
        .query_one("SELECT callback_desk.renew_job($1, $2, $3)", &[&id, &instance, &lease_i32(lease_ms)])
        .await
        .map_err(db_error)?
        .get(0))
}

/// The team's jobs this member may see (on the shared accounts they have a role on), newest first; each
/// with this installation's id of its account (`local_ids`: team account id → local id) and of its own job
/// for it (`local_jobs`: team job id → local job id).
pub async fn list(
    team: &Team,
    local_ids: &std::collections::HashMap<i64, i64>,
    local_jobs: &std::collections::HashMap<i64, i64>,
) -> Result<Vec<TeamJob>> {
    let rows = team
        .client()
        .query(
            "SELECT j.id, j.account_id, coalesce(a.label, ''), coalesce(a.provider, ''), j.operation, j.state, j.created_by, j.runner,
                    coalesce(j.lease_until > now(), false), j.total, j.next_index, j.in_flight, j.ok, j.failed,
                    j.unknown, j.throttled,
                    j.state NOT IN ('done', 'cancelled') AND NOT coalesce(j.lease_until > now(), false),
                    to_char(j.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
               FROM callback_desk.jobs j LEFT JOIN callback_desk.accounts a ON a.id = j.account_id
              ORDER BY j.id DESC",
            &[],
        )
        .await
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .map(|r| {
            let n = |i: usize| i64::from(r.get::<_, i32>(i));
            let (id, team_account_id): (i64, i64) = (r.get(0), r.get(1));
            TeamJob {
                id,
                team_account_id,
                account_id: local_ids.get(&team_account_id).copied(),
                account: r.get(2),
                provider: r.get(3),
                operation: r.get(4),
                state: r.get(5),
                created_by: r.get(6),
                runner: r.get(7),
                leased: r.get(8),
                takeable: r.get(16),
                local_job_id: local_jobs.get(&id).copied(),
                total: n(9),
                done: n(10),
                in_flight: r.get::<_, Option<i32>>(11).map(i64::from),
                ok: n(12),
                failed: n(13),
                unknown: n(14),
                throttled: n(15),
                updated_at: r.get(17),
            }
        })
        .collect())
}

/// This installation as a runner's installation: member / the moment it joined (as in audit origins).
fn installation(team: &Team) -> String {
    format!("{}/{}", team.member(), team.config().joined_at_ms)
}

fn lease_i32(ms: i64) -> i32 {
    i32::try_from(ms).unwrap_or(i32::MAX)
}

/// The refusal of a job another member runs (from the database's SQLSTATE 55P03, `job_leased`).
pub fn leased_by(member: &str) -> Error {
    Error::new(ErrorCode::TeamJobLeased).with("member", member)
}
