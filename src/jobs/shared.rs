//! A bulk job on a shared account of a team workspace: registered in the team database when it first
//! runs, leased there for as long as it runs (one member's installation at a time, the lease renewed with
//! the heartbeat), its call in flight recorded there before the call leaves and its progress after each
//! call, so every member with a role on the account sees it and a member whose app stopped can be taken
//! over by another ([`Jobs::for_team_job`]) without any call sent twice. The team database's side is
//! `crate::team::jobs`; jobs on an installation's own accounts never come here.

use super::plan::Plan;
use super::{JobState, Jobs};
use crate::db::storage_error;
use crate::error::{Error, ErrorCode, Result};
use crate::team::jobs::{self as team_jobs, Progress, TeamJob};
use crate::team::{Team, TeamConfig};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;
use std::sync::Arc;

/// This runner's hold on a team job: the connection, the team job's id, the runner's name and the lease.
pub(super) struct TeamRun {
    team: Arc<Team>,
    pub(super) id: i64,
    instance: String,
    lease_ms: i64,
}

/// Renews a team job's lease at a third of its length while the job runs; stops when dropped.
pub(super) struct TeamHeartbeat(tokio::task::JoinHandle<()>);

impl Drop for TeamHeartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl TeamRun {
    pub(super) fn heartbeat(&self) -> TeamHeartbeat {
        let (team, id, instance, lease_ms) = (self.team.clone(), self.id, self.instance.clone(), self.lease_ms);
        TeamHeartbeat(tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis((lease_ms / 3).max(50) as u64));
            tick.tick().await;
            loop {
                tick.tick().await;
                match team_jobs::renew(&team, id, &instance, lease_ms).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(team_job = id, "the team job's lease is no longer this runner's"),
                    Err(e) => tracing::warn!(team_job = id, error = %e, "could not renew the team job's lease"),
                }
            }
        }))
    }
}

impl Jobs {
    /// When job `id` runs on a shared account of the workspace this data folder joined: connects to the team
    /// database, registers the job there the first time, takes its lease for this runner (`team.job_leased`
    /// naming the member who holds it) and brings the two records in line: the one that went further wins
    /// (another installation's run, whose call in flight the database counted unknown; or this one's).
    /// `None` for any other job.
    pub(super) async fn join_team(&self, id: i64, plan: &Plan) -> Result<Option<TeamRun>> {
        let vault = self.actions.accounts.vault();
        let Some(team_account_id) = self.actions.accounts.get(plan.account_id)?.team_account_id else {
            return Ok(None);
        };
        if TeamConfig::load(vault.db())?.is_none() {
            return Ok(None);
        }
        let team = Team::open(vault).await?;
        let known: Option<i64> = self
            .db
            .conn()
            .query_row("SELECT team_job_id FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .map_err(storage_error)?;
        let team_id = match known {
            Some(t) => t,
            None => {
                let json = serde_json::to_value(plan).map_err(storage_error)?;
                let t =
                    team_jobs::create(&team, team_account_id, &plan.operation, &json, plan.calls.len() as i64).await?;
                self.db
                    .conn()
                    .execute("UPDATE jobs SET team_job_id = ?2 WHERE id = ?1", params![id, t])
                    .map_err(storage_error)?;
                t
            }
        };
        let run = TeamRun {
            team: Arc::new(team),
            id: team_id,
            instance: self.owner.clone(),
            lease_ms: team_jobs::lease_ms(),
        };
        let taken = team_jobs::take(&run.team, run.id, &run.instance, run.lease_ms).await?;
        let local = self.get(id)?;
        if taken.next_index > local.next_index as i64 {
            // Another installation ran it further: its counts are the job's (the calls it made are not in
            // this installation's results).
            self.db
                .conn()
                .execute(
                    "UPDATE jobs SET next_index = ?2, ok = ?3, failed = ?4, unknown = ?5, throttled = ?6,
                        in_flight = NULL, updated_at_ms = ?7 WHERE id = ?1",
                    params![
                        id,
                        taken.next_index,
                        taken.ok,
                        taken.failed,
                        taken.unknown,
                        taken.throttled,
                        self.clock.now_ms()
                    ],
                )
                .map_err(storage_error)?;
        } else {
            self.record_in_team(&run, id, JobState::Running).await?;
        }
        Ok(Some(run))
    }

    /// Records job `id`'s progress in the team database, as the local job stands, in `state` (`running`
    /// renews the lease; any other state releases it).
    pub(super) async fn record_in_team(&self, run: &TeamRun, id: i64, state: JobState) -> Result<()> {
        let job = self.get(id)?;
        let in_flight: Option<i64> = self
            .db
            .conn()
            .query_row("SELECT in_flight FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .map_err(storage_error)?;
        let n = |v: u64| v as i64;
        let progress = Progress {
            state: state.as_str(),
            next_index: n(job.next_index),
            in_flight,
            ok: n(job.ok),
            failed: n(job.failed),
            unknown: n(job.unknown),
            throttled: n(job.throttled),
        };
        team_jobs::record(&run.team, run.id, &run.instance, &progress, run.lease_ms).await
    }

    /// Records call `index` of job `id` in flight in the team database, before it leaves.
    pub(super) async fn in_flight_in_team(&self, run: &TeamRun, id: i64, index: u64) -> Result<()> {
        let job = self.get(id)?;
        let n = |v: u64| v as i64;
        let progress = Progress {
            state: JobState::Running.as_str(),
            next_index: n(job.next_index),
            in_flight: Some(index as i64),
            ok: n(job.ok),
            failed: n(job.failed),
            unknown: n(job.unknown),
            throttled: n(job.throttled),
        };
        team_jobs::record(&run.team, run.id, &run.instance, &progress, run.lease_ms).await
    }

    /// Cancels job `id`, which nobody runs, as [`Jobs::cancel_stopped`] does, and in the team database too
    /// when it is a team job, so that no member goes on with it by mistake: refused with `team.job_leased`
    /// when another member's installation runs it (the job is left paused, saying so); an unreachable team
    /// database leaves the team's record as it was (its lease, if any, runs out by itself) and cancels here.
    pub async fn cancel_stopped_everywhere(&self, id: i64) -> Result<super::JobView> {
        // This installation's lease first: another runner here is refused (`job.already_running`).
        let lease = self.claim(id)?;
        let plan = self.plan_of(id)?;
        let team = match self.join_team(id, &plan).await {
            Ok(team) => team,
            Err(e) if e.code == crate::error::ErrorCode::TeamOffline => {
                tracing::warn!(job = id, "team database offline: the job is cancelled here only");
                None
            }
            Err(e) => {
                self.set_state(id, JobState::Paused, Some(&e))?;
                return Err(e);
            }
        };
        if self.get(id)?.state != JobState::Done {
            self.set_state(id, JobState::Cancelled, None)?;
        }
        if let Some(run) = &team {
            self.record_in_team(run, id, self.get(id)?.state).await?;
        }
        drop(lease);
        self.get(id)
    }

    /// This installation's job for team job `team_job_id` (`bulk resume --team-job-id`): the one that ran
    /// it here, or a new one with its plan on this installation's copy of the shared account (another
    /// member's job taken over). Running it takes the team's lease ([`Jobs::run`]).
    pub async fn for_team_job(&self, team_job_id: i64) -> Result<i64> {
        let known: Option<i64> = self
            .db
            .conn()
            .query_row("SELECT id FROM jobs WHERE team_job_id = ?1", [team_job_id], |r| r.get(0))
            .optional()
            .map_err(storage_error)?;
        if let Some(id) = known {
            return Ok(id);
        }
        let accounts = &self.actions.accounts;
        let team = Team::open(accounts.vault()).await?;
        let (team_account_id, plan) = team_jobs::plan_of(&team, team_job_id).await?;
        let mut local = self.local_accounts()?.get(&team_account_id).copied();
        if local.is_none() {
            crate::team::shared::refresh_all(&team, accounts, self.clock.now_ms()).await?;
            local = self.local_accounts()?.get(&team_account_id).copied();
        }
        let account_id = local.ok_or_else(|| Error::invalid_field("team_job_id", "not_found"))?;
        let mut plan: Plan = serde_json::from_value(plan).map_err(storage_error)?;
        plan.account_id = account_id;
        let id = self.create(&plan)?;
        self.db
            .conn()
            .execute("UPDATE jobs SET team_job_id = ?2 WHERE id = ?1", params![id, team_job_id])
            .map_err(storage_error)?;
        Ok(id)
    }

    /// The team's jobs on the shared accounts this member has a role on, newest first (`bulk list --team`,
    /// the app's bulk jobs screen).
    pub async fn team_list(&self) -> Result<Vec<TeamJob>> {
        let team = Team::open(self.actions.accounts.vault()).await?;
        team_jobs::list(&team, &self.local_accounts()?, &self.local_team_jobs()?).await
    }

    /// This installation's job for team job `team_job_id`, to run it here (the app's Take over, `bulk resume
    /// --team-job-id`): this installation's own stopped run of it, or another member's whose app stopped.
    /// Refused with `team.job_leased` naming the runner while their lease is live, `team.job_cancelled` when a
    /// member cancelled it (a cancel holds for the whole team), `input.invalid` (`not_found`) when it is done or
    /// not seen; else [`Jobs::for_team_job`], whose run takes the lease and counts the call the runner had in
    /// flight unknown.
    pub async fn for_team_job_to_take_over(&self, team_job_id: i64) -> Result<i64> {
        let job = self.team_list().await?.into_iter().find(|j| j.id == team_job_id);
        let me = TeamConfig::load(self.actions.accounts.vault().db())?.map(|c| c.member);
        match job {
            // Its lease is this installation's own when its run here stopped with the database unreachable.
            Some(j) if j.takeable || (j.leased && j.runner.is_some() && j.runner == me) => {
                self.for_team_job(team_job_id).await
            }
            Some(j) if j.leased => Err(team_jobs::leased_by(j.runner.as_deref().unwrap_or_default())),
            Some(j) if j.state == "cancelled" => Err(Error::new(ErrorCode::TeamJobCancelled)),
            _ => Err(Error::invalid_field("team_job_id", "not_found")),
        }
    }

    /// Team job id → this installation's job for it.
    fn local_team_jobs(&self) -> Result<HashMap<i64, i64>> {
        let conn = self.db.conn();
        let mut s = conn
            .prepare_cached("SELECT team_job_id, id FROM jobs WHERE team_job_id IS NOT NULL")
            .map_err(storage_error)?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(storage_error)?;
        rows.collect::<rusqlite::Result<_>>().map_err(storage_error)
    }

    /// Team account id → this installation's id of its copy.
    fn local_accounts(&self) -> Result<HashMap<i64, i64>> {
        let conn = self.db.conn();
        let mut s = conn
            .prepare_cached("SELECT team_account_id, id FROM accounts WHERE team_account_id IS NOT NULL")
            .map_err(storage_error)?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(storage_error)?;
        rows.collect::<rusqlite::Result<_>>().map_err(storage_error)
    }
}
