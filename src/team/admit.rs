//! What the team database says before an action of a workspace member leaves: a resend needs the role
//! `operator` (checked by the database, `callback_desk.require_role`), and a call that counts in a rate
//! budget is reserved in the merchant's shared budget ([`super::budget`]).
//!
//! Unreachable team database: a resend is refused (`team.offline`); a look-up goes ahead within the
//! installation's own budget, which the caller reserves next as in solo use.

use super::approvals::{approval_for, mark_run, Plan};
use super::budget::reserve;
use super::connect::db_error;
use super::policy::AccountPolicy;
use super::{Team, TeamConfig};
use crate::accounts::AccountView;
use crate::clock::Clock;
use crate::error::{ErrorCode, Result};
use crate::limits::{Budget, LimitSettings, Reservation};
use crate::vault::Vault;
use tokio_postgres::types::Type;

/// What the action needs from the team.
pub struct Needs<'a> {
    /// A resend (needs `operator`, and the team database).
    pub resend: bool,
    /// The bucket and budget in force the action's calls count in, if any.
    pub budget: Option<(&'a str, Budget)>,
    /// How many calls the action makes.
    pub calls: usize,
    /// The resend's plan, for the approvals policy.
    pub plan: Option<Plan<'a>>,
}

/// Admits the action (see the module's text); outside a workspace, always. `team` is a connection the
/// action opened already, if any (it is used instead of a new one). Returns the connection that admitted
/// it, if one was made (the action's push to the audit trail reuses it).
pub async fn admit(
    vault: &Vault,
    view: &AccountView,
    needs: Needs<'_>,
    settings: &LimitSettings,
    clock: &dyn Clock,
    team: Option<Team>,
) -> Result<Option<Team>> {
    if (!needs.resend && needs.budget.is_none()) || TeamConfig::load(vault.db())?.is_none() {
        return Ok(team);
    }
    let asked = ask(vault, view, &needs, settings, clock, team).await;
    match asked {
        Err(e) if e.code == ErrorCode::TeamOffline && !needs.resend => {
            tracing::warn!(error = %e, "team database offline: a look-up within this installation's budget");
            Ok(None)
        }
        other => other.map(Some),
    }
}

async fn ask(
    vault: &Vault,
    view: &AccountView,
    needs: &Needs<'_>,
    settings: &LimitSettings,
    clock: &dyn Clock,
    team: Option<Team>,
) -> Result<Team> {
    let mut team = match team {
        Some(team) => team,
        None => Team::open(vault).await?,
    };
    if needs.resend {
        // On a shared account, the member's role there (`account_roles`), else their workspace role. Typed:
        // no statement is prepared first (one round trip).
        team.client()
            .query_typed("SELECT callback_desk.require_role($1, 'operator')", &[(&view.team_account_id, Type::INT8)])
            .await
            .map_err(db_error)?;
    }
    // A shared account's own policy (its admins') waives reasons of the rule or holds back every resend.
    let plan = match (&needs.plan, view.team_account_id) {
        (Some(plan), Some(team_id)) => {
            let policy = AccountPolicy::of(&team, team_id).await?;
            Some(Plan { reasons: policy.apply(needs.resend, plan.reasons.clone()), ..*plan })
        }
        (Some(plan), None) => Some(Plan { reasons: plan.reasons.clone(), ..*plan }),
        (None, _) => None,
    };
    let approval = match &plan {
        Some(plan) if !plan.reasons.is_empty() || plan.approval_id.is_some() => {
            Some((approval_for(&team, view, plan).await?, plan))
        }
        _ => None,
    };
    if let Some((bucket, budget)) = needs.budget {
        let now = clock.now_ms();
        if let Reservation::WaitUntil(next) =
            reserve(&mut team, &view.merchant().hex(), bucket, budget, settings, now, needs.calls).await?
        {
            return Err(Reservation::refusal(next, now));
        }
    }
    if let Some((id, plan)) = approval {
        mark_run(&team, id, view, plan).await?;
    }
    Ok(team)
}
