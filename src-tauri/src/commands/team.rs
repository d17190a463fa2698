//! The team workspace in the window (Settings › Team and the Approvals screen): where this installation
//! stands, the members, invitations (admins) and joining by invitation code, and four-eyes approvals. Thin
//! over `callback_desk::team`; no password reaches the window: the invitation code is the one thing shown,
//! once, because the admin must pass it on.

use crate::state::AppState;
use callback_desk::accounts::AccountView;
use callback_desk::actions::{ActionRequest, ActionResult};
use callback_desk::history::HistoryFilter;
use callback_desk::scope::ScopeParam;
use callback_desk::secret::Secret;
use callback_desk::team::members::{self, Role};
use callback_desk::team::policy::AccountPolicy;
use callback_desk::team::rules::{self, AccountRules};
use callback_desk::team::step::WorkspaceStep;
use callback_desk::team::tls::TeamTls;
use callback_desk::team::trail::{self, TrailFilter, TrailRow};
use callback_desk::team::{approvals, shared, Team, TeamConfig};
use callback_desk::Error;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// Where this installation stands: solo (`workspace` null) or a member of a team workspace.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TeamStatus {
    pub workspace: Option<TeamWorkspace>,
}

/// The team workspace this installation joined.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TeamWorkspace {
    /// This installation's member name.
    pub member: String,
    /// Their workspace role (`viewer`, `operator`, `approver`, `admin`); null while the database is offline.
    pub role: Option<String>,
    /// The team database's host (or socket folder) and database name.
    pub host: String,
    pub database: String,
    /// Whether the team database answered just now.
    pub reachable: bool,
    /// Why it did not (`team.offline`, `team.login_refused`, …).
    #[ts(type = "import(\"./Error\").Error | null")]
    pub problem: Option<Error>,
    /// Their role on each shared account (the cards offer Edit, Delete and Share where it is `admin`); empty
    /// while the database is offline. (The core exports the type; named here by path, as `problem` is.)
    #[ts(type = "Array<import(\"./MyAccountRole\").MyAccountRole>")]
    pub account_roles: Vec<rules::MyAccountRole>,
}

/// One member of the workspace.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TeamMember {
    pub name: String,
    pub role: String,
}

/// One approval request, as `approvals list` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ApprovalItem {
    #[ts(type = "number")]
    pub id: i64,
    /// `pending`, `approved`, `rejected`, `executed` or `expired`.
    pub status: String,
    pub requested_by: String,
    pub account_label: String,
    pub provider: String,
    pub environment: String,
    pub operation: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    pub reasons: Vec<String>,
    #[ts(type = "number")]
    pub requested_at_ms: i64,
    #[ts(type = "number")]
    pub expires_at_ms: i64,
    pub decided_by: Option<String>,
    /// A rejection's reason.
    pub reason: Option<String>,
    #[ts(type = "number | null")]
    pub executed_at_ms: Option<i64>,
    /// This member's own pending or approved request about an account edited (or removed) since: the
    /// approval no longer covers it and cannot run.
    #[serde(default)]
    pub account_changed: bool,
}

/// The approvals this member may see, and which of them wait for them.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ApprovalsView {
    pub me: String,
    /// Whether this member approves or rejects others' requests (approver or admin).
    pub can_decide: bool,
    pub items: Vec<ApprovalItem>,
    /// How many pending requests of other members this member may decide.
    pub waiting_for_me: u32,
}

impl ApprovalsView {
    pub fn of(me: String, role: Option<Role>, list: Vec<Value>) -> ApprovalsView {
        let can_decide = role.is_some_and(|r| r >= Role::Approver);
        let items: Vec<ApprovalItem> = list.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect();
        let waiting_for_me = if can_decide {
            items.iter().filter(|a| a.status == "pending" && a.requested_by != me).count() as u32
        } else {
            0
        };
        ApprovalsView { me, can_decide, items, waiting_for_me }
    }
}

pub(crate) async fn vault(state: &AppState) -> Result<std::sync::Arc<callback_desk::vault::Vault>, Error> {
    Ok(state.accounts().await?.vault().clone())
}

/// The workspace role of `member` among `list`.
fn role_of(list: &[members::MemberView], member: &str) -> Option<Role> {
    list.iter().find(|m| m.name == member).map(|m| m.role)
}

/// Solo, or the workspace with this member's role when the team database answers.
#[tauri::command]
pub async fn team_status(state: tauri::State<'_, AppState>) -> Result<TeamStatus, Error> {
    let vault = vault(&state).await?;
    let Some(config) = TeamConfig::load(vault.db())? else { return Ok(TeamStatus { workspace: None }) };
    let answer = match Team::open(&vault).await {
        Ok(team) => match members::list(&team).await {
            Ok(list) => rules::my_roles(&team).await.map(|roles| (list, roles)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (role, account_roles, problem) = match answer {
        Ok((list, roles)) => (role_of(&list, &config.member), roles, None),
        Err(e) => (None, Vec::new(), Some(e)),
    };
    Ok(TeamStatus {
        workspace: Some(TeamWorkspace {
            member: config.member.clone(),
            role: role.map(|r| r.as_str().to_owned()),
            host: config.endpoint.host.clone(),
            database: config.endpoint.dbname.clone(),
            reachable: problem.is_none(),
            problem,
            account_roles,
        }),
    })
}

/// Every current member and their workspace role.
#[tauri::command]
pub async fn team_members(state: tauri::State<'_, AppState>) -> Result<Vec<TeamMember>, Error> {
    let team = Team::open(&*vault(&state).await?).await?;
    Ok(members::list(&team)
        .await?
        .into_iter()
        .map(|m| TeamMember { name: m.name, role: m.role.as_str().to_owned() })
        .collect())
}

/// Creates a member (admins only) and answers their invitation code: shown once, for the admin to pass on.
#[tauri::command]
pub async fn team_invite(state: tauri::State<'_, AppState>, member: String, role: String) -> Result<String, Error> {
    let role = Role::parse(&role)?;
    let team = Team::open(&*vault(&state).await?).await?;
    members::invite(&team, member.trim(), role).await
}

/// Gives a member their sealed copies of a shared account's secrets (the account's admins).
#[tauri::command]
pub async fn team_share(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    member: String,
) -> Result<shared::ShareResult, Error> {
    let accounts = state.accounts().await?;
    let mut team = Team::open(accounts.vault()).await?;
    shared::share(&mut team, &accounts, account_id, member.trim()).await
}

/// Who holds a share of a shared account, and of which secrets (the account's admins): the share dialog's
/// list.
#[tauri::command]
pub async fn team_shares(
    state: tauri::State<'_, AppState>,
    account_id: i64,
) -> Result<Vec<shared::AccountShare>, Error> {
    let accounts = state.accounts().await?;
    let team = Team::open(accounts.vault()).await?;
    shared::shares(&team, &accounts, account_id).await
}

/// Takes a member's share of a shared account back (the account's admins): their sealed copies go, and the
/// answer names the secrets they held, to rotate at the provider.
#[tauri::command]
pub async fn team_unshare(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    member: String,
) -> Result<shared::RemoveResult, Error> {
    let accounts = state.accounts().await?;
    let team = Team::open(accounts.vault()).await?;
    shared::unshare(&team, &accounts, account_id, member.trim()).await
}

/// Removes a member (admins): their sealed copies go, their login ends, and the answer names the shared
/// accounts whose credentials they could have copied, to rotate at the provider.
#[tauri::command]
pub async fn team_remove(state: tauri::State<'_, AppState>, member: String) -> Result<shared::RemoveResult, Error> {
    let accounts = state.accounts().await?;
    let team = Team::open(accounts.vault()).await?;
    shared::remove_member(&team, &accounts, member.trim()).await
}

/// A shared account's team rules (its approval policy, the members' roles there), as this member may see
/// them; the account's id is this installation's.
#[tauri::command]
pub async fn team_account_rules(state: tauri::State<'_, AppState>, account_id: i64) -> Result<AccountRules, Error> {
    let accounts = state.accounts().await?;
    let view = accounts.get(account_id)?;
    rules::team_id_of(&view)?;
    let team = Team::open(accounts.vault()).await?;
    rules::of(&team, &view).await
}

/// Sets a shared account's approval policy (the account's admins, checked by the database), as `team
/// policy`; answers the rules as they now are.
#[tauri::command]
pub async fn team_set_account_policy(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    every_resend: bool,
    waive: Vec<String>,
) -> Result<AccountRules, Error> {
    let policy = AccountPolicy::checked(every_resend, waive)?;
    let accounts = state.accounts().await?;
    let view = accounts.get(account_id)?;
    let team_id = rules::team_id_of(&view)?;
    let team = Team::open(accounts.vault()).await?;
    policy.set(&team, team_id).await?;
    rules::of(&team, &view).await
}

/// Gives a member a role on a shared account (`workspace`: back to their workspace role), as `team role`
/// (the account's admins, checked by the database); answers the rules as they now are.
#[tauri::command]
pub async fn team_set_account_role(
    state: tauri::State<'_, AppState>,
    account_id: i64,
    member: String,
    role: String,
) -> Result<AccountRules, Error> {
    let role = match role.trim() {
        "workspace" => None,
        other => Some(Role::parse(other)?),
    };
    let accounts = state.accounts().await?;
    let view = accounts.get(account_id)?;
    let team_id = rules::team_id_of(&view)?;
    let team = Team::open(accounts.vault()).await?;
    members::set_account_role(&team, team_id, member.trim(), role).await?;
    rules::of(&team, &view).await
}

/// One row of the team's trail with what it covered read back: an action's params (as History's rows have
/// them), a step of the workspace's kind and whom it was about.
#[derive(Debug, Clone, Serialize)]
pub struct TrailRowView {
    #[serde(flatten)]
    pub row: TrailRow,
    pub scope_params: Option<Vec<ScopeParam>>,
    pub step: Option<WorkspaceStep>,
}

/// A page of the team's trail.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TrailPageView {
    #[ts(
        type = "Array<import(\"./TrailRow\").TrailRow & { scope_params: Array<import(\"./ScopeParam\").ScopeParam> | null, step: import(\"./WorkspaceStep\").WorkspaceStep | null }>"
    )]
    pub rows: Vec<TrailRowView>,
    /// Pass as `before_id` for the next (older) page; null after the last.
    #[ts(type = "number | null")]
    pub next_before_id: Option<i64>,
}

/// A page of the team's trail (every member's actions this member may see), newest first, with History's
/// filters (the account by its id in this installation) and a member, as `history list --team`.
#[tauri::command]
pub async fn team_trail_page(
    state: tauri::State<'_, AppState>,
    filter: HistoryFilter,
    member: Option<String>,
    before_id: Option<i64>,
    limit: u32,
) -> Result<TrailPageView, Error> {
    let accounts = state.accounts().await?;
    let filter = TrailFilter::from_history(&filter, member, &accounts)?;
    let team = Team::open(accounts.vault()).await?;
    let page = trail::page(&team, &filter, before_id, i64::from(limit)).await?;
    let rows = page
        .rows
        .into_iter()
        .map(|row| TrailRowView {
            scope_params: callback_desk::scope::read(&row.provider, &row.operation, &row.scope),
            step: WorkspaceStep::read(&row.kind, &row.scope),
            row,
        })
        .collect();
    Ok(TrailPageView { rows, next_before_id: page.next_before_id })
}

/// A client certificate for joining, as PEM text (pasted, or read from a file the user picked in the window);
/// the key goes to the vault and is never sent back to the window.
#[derive(Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TeamJoinTls {
    pub client_cert: String,
    pub client_key: String,
    /// The authority that signed the server's certificate; empty: the system's trusted roots.
    pub ca_cert: String,
}

impl TeamJoinTls {
    fn checked(self) -> Result<TeamTls, Error> {
        let given = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        let key = given(&self.client_key).map(Secret::new);
        TeamTls::from_pem(given(&self.client_cert).as_deref(), key, given(&self.ca_cert).as_deref())
    }
}

/// Makes this installation the invited member, with a client certificate when the team uses them.
#[tauri::command]
pub async fn team_join(
    state: tauri::State<'_, AppState>,
    invite: String,
    tls: Option<TeamJoinTls>,
) -> Result<TeamStatus, Error> {
    let vault = vault(&state).await?;
    let tls = tls.map(TeamJoinTls::checked).transpose()?.unwrap_or_default();
    members::join(&vault, state.clock.as_ref(), &invite, &tls).await?;
    team_status(state).await
}

/// The approvals this member may see (newest first) and how many wait for them.
#[tauri::command]
pub async fn approvals_list(state: tauri::State<'_, AppState>) -> Result<ApprovalsView, Error> {
    let team = Team::open(&*vault(&state).await?).await?;
    approvals_view(&team, &state.accounts().await?.list()?).await
}

/// The approvals `team`'s member may see; `accounts` (this installation's) tell which of their own requests
/// no longer cover an account edited since.
pub(crate) async fn approvals_view(team: &Team, accounts: &[AccountView]) -> Result<ApprovalsView, Error> {
    let role = role_of(&members::list(team).await?, team.member());
    Ok(ApprovalsView::of(team.member().to_owned(), role, approvals::list(team, accounts).await?))
}

/// Approves another member's pending request (approvers and admins).
#[tauri::command]
pub async fn approve_request(state: tauri::State<'_, AppState>, id: i64) -> Result<(), Error> {
    let team = Team::open(&*vault(&state).await?).await?;
    approvals::approve(&team, id).await
}

/// Rejects another member's pending request; the reason is required.
#[tauri::command]
pub async fn reject_request(state: tauri::State<'_, AppState>, id: i64, reason: String) -> Result<(), Error> {
    let team = Team::open(&*vault(&state).await?).await?;
    approvals::reject(&team, id, &reason).await
}

/// Runs this member's own approved request, once, as Resend runs an action.
#[tauri::command]
pub async fn run_approved(state: tauri::State<'_, AppState>, id: i64) -> Result<ActionResult, Error> {
    let team = Team::open(&*vault(&state).await?).await?;
    let (account_id, operation, params) = approvals::plan_of(&team, id).await?;
    drop(team);
    let request = ActionRequest { account_id, operation, params };
    let root = super::actions::sandbox_root_for(&state, account_id).await?;
    let actions = state.actions().await?;
    let transport = state.transport().await?;
    actions.run_under(&request, Some(id), root.as_deref(), transport.as_ref(), None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(id: i64, status: &str, by: &str) -> Value {
        json!({"id": id, "status": status, "requested_by": by, "account_label": "Prod", "provider": "ccpayment",
               "environment": "production", "operation": "resend", "params": {}, "reasons": ["production"],
               "requested_at_ms": 1, "expires_at_ms": 2, "decided_by": null, "reason": null, "executed_at_ms": null})
    }

    #[test]
    fn only_others_pending_requests_wait_for_an_approver() {
        let list = vec![
            item(4, "pending", "bob"),
            item(3, "pending", "alice"),
            item(2, "approved", "bob"),
            item(1, "expired", "bob"),
        ];
        let view = ApprovalsView::of("alice".into(), Some(Role::Approver), list.clone());
        assert_eq!((view.items.len(), view.waiting_for_me, view.can_decide), (4, 1, true));
        let operator = ApprovalsView::of("alice".into(), Some(Role::Operator), list);
        assert_eq!((operator.waiting_for_me, operator.can_decide), (0, false));
    }
}
