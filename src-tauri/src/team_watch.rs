//! Watches the team workspace while the app runs: tells the window how many requests wait for this member
//! (`approvals-changed`, the Approvals entry's badge), notifies when another member decides one of this
//! member's requests while the window is not in front (notify.rs shows it), and keeps this installation's
//! copies of the shared accounts up to date (`accounts-changed` when one was added or changed, or this member's
//! role on one changed: the cards offer what the role allows), and says when
//! the team's bulk jobs on shared accounts changed (`team-jobs-changed`).

use crate::state::AppState;
use callback_desk::team::rules::{self, MyAccountRole};
use callback_desk::team::{Team, TeamConfig};
use std::collections::HashMap;
use std::time::Duration;
use tauri::{Emitter, Runtime};

/// The event with the number of requests waiting for this member.
pub const APPROVALS_CHANGED_EVENT: &str = "approvals-changed";

/// The event that a shared account was shared with this member, changed, or this member's role on it changed:
/// the screens read the accounts (and the roles) again.
pub const ACCOUNTS_CHANGED_EVENT: &str = "accounts-changed";

/// The event that the team's jobs on shared accounts changed (one started, moved on, stopped): the bulk
/// jobs lists read them again.
pub const TEAM_JOBS_CHANGED_EVENT: &str = "team-jobs-changed";

/// How often the team database is asked.
const EVERY: Duration = Duration::from_secs(10);

/// A decision on one of this member's requests, seen since the last look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub approved: bool,
    pub by: String,
    pub account: String,
    pub reason: Option<String>,
}

/// The decisions among `items` on `me`'s requests that were pending at the last look or made since (a request
/// asked and decided between two looks is news too); `seen` is updated. The caller ignores the first look's.
pub fn new_decisions(
    seen: &mut HashMap<i64, String>,
    me: &str,
    items: &[crate::commands::team::ApprovalItem],
) -> Vec<Decision> {
    let mut out = Vec::new();
    for a in items.iter().filter(|a| a.requested_by == me) {
        let was_pending = seen.get(&a.id).is_none_or(|s| s == "pending");
        if was_pending && (a.status == "approved" || a.status == "rejected") {
            out.push(Decision {
                id: a.id,
                approved: a.status == "approved",
                by: a.decided_by.clone().unwrap_or_default(),
                account: a.account_label.clone(),
                reason: a.reason.clone(),
            });
        }
        seen.insert(a.id, a.status.clone());
    }
    out
}

/// What the last look saw: the decisions' states (None before the first look) and this member's roles.
#[derive(Default)]
struct Seen {
    decisions: Option<HashMap<i64, String>>,
    roles: Option<Vec<MyAccountRole>>,
}

/// Runs for the life of the app (started after the first paint): a look every [`EVERY`] while in a workspace.
pub async fn run<R: Runtime>(app: tauri::AppHandle<R>, state: AppState) {
    let mut seen = Seen::default();
    let mut jobs_seen = String::new();
    loop {
        if let Err(e) = look_at_jobs(&app, &state, &mut jobs_seen).await {
            tracing::debug!(code = %e.code, "team jobs not looked at");
        }
        if let Err(e) = look(&app, &state, &mut seen).await {
            tracing::debug!(code = %e.code, "approvals not looked at");
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Tells the window when the team's jobs changed since the last look (`seen`: what they were).
async fn look_at_jobs<R: Runtime>(
    app: &tauri::AppHandle<R>,
    state: &AppState,
    seen: &mut String,
) -> Result<(), callback_desk::Error> {
    if TeamConfig::load(crate::commands::team::vault(state).await?.db())?.is_none() {
        return Ok(());
    }
    let now = serde_json::to_string(&state.jobs().await?.team_list().await?).unwrap_or_default();
    if *seen != now {
        *seen = now;
        let _ = app.emit(TEAM_JOBS_CHANGED_EVENT, ());
    }
    Ok(())
}

async fn look<R: Runtime>(
    app: &tauri::AppHandle<R>,
    state: &AppState,
    seen: &mut Seen,
) -> Result<(), callback_desk::Error> {
    let vault = crate::commands::team::vault(state).await?;
    if TeamConfig::load(vault.db())?.is_none() {
        return Ok(());
    }
    let team = Team::open(&vault).await?;
    let accounts = state.accounts().await?;
    let refreshed = match callback_desk::team::shared::refresh_all(&team, &accounts, state.clock.now_ms()).await {
        Ok(n) => n > 0,
        Err(e) => {
            tracing::warn!(code = %e.code, "the shared accounts were not refreshed");
            false
        }
    };
    let roles_changed = match rules::my_roles(&team).await {
        Ok(roles) => {
            let changed = seen.roles.as_ref().is_some_and(|before| *before != roles);
            seen.roles = Some(roles);
            changed
        }
        Err(e) => {
            tracing::warn!(code = %e.code, "this member's roles were not read");
            false
        }
    };
    if refreshed || roles_changed {
        let _ = app.emit(ACCOUNTS_CHANGED_EVENT, ());
    }
    let view = crate::commands::team::approvals_view(&team, &accounts.list()?).await?;
    let _ = app.emit(APPROVALS_CHANGED_EVENT, view.waiting_for_me);
    // The first look only learns what is there: decisions made before the app started are no news.
    let first = seen.decisions.is_none();
    let seen = seen.decisions.get_or_insert_with(HashMap::new);
    let decisions = new_decisions(seen, &view.me, &view.items);
    if !first {
        for d in decisions {
            crate::notify::approval_decided(app, &d);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::team::ApprovalItem;

    fn item(id: i64, status: &str, by: &str) -> ApprovalItem {
        ApprovalItem {
            id,
            status: status.into(),
            requested_by: by.into(),
            account_label: "Prod".into(),
            provider: "ccpayment".into(),
            environment: "production".into(),
            operation: "resend".into(),
            params: Default::default(),
            reasons: vec![],
            requested_at_ms: 0,
            expires_at_ms: 0,
            decided_by: Some("carol".into()),
            reason: None,
            executed_at_ms: None,
            account_changed: false,
        }
    }

    #[test]
    fn a_decision_on_my_request_is_news_once() {
        let mut seen = HashMap::new();
        let first = [item(1, "pending", "bob"), item(2, "pending", "dan"), item(4, "rejected", "bob")];
        // The first look only learns (its decisions are ignored by the caller).
        new_decisions(&mut seen, "bob", &first);
        // #1 decided; #2 is another member's; #3 was asked and approved between two looks; #4 was known decided.
        let now = [
            item(1, "approved", "bob"),
            item(2, "rejected", "dan"),
            item(3, "approved", "bob"),
            item(4, "rejected", "bob"),
        ];
        let d = new_decisions(&mut seen, "bob", &now);
        assert_eq!(d.iter().map(|d| (d.id, d.approved)).collect::<Vec<_>>(), vec![(1, true), (3, true)]);
        assert!(new_decisions(&mut seen, "bob", &now).is_empty());
    }
}
