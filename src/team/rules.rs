//! One shared account's team rules as its screen shows them (the app's "Team rules…"): its approval policy,
//! the reasons the four-eyes rule can hold back a resend on it, this member's role there, and the members'
//! roles on it. Read under the database's usual rules (row-level security): an admin of the account sees
//! every member's role there, anyone else their own. Changing them is `AccountPolicy::set` and
//! `members::set_account_role`, as on the command line.

use super::connect::db_error;
use super::members::Role;
use super::policy::{AccountPolicy, RULE_REASONS};
use super::Team;
use crate::accounts::{AccountView, Environment};
use crate::error::{Error, Result};
use crate::providers::{ConfirmRule, FieldKind, OperationKind, ProviderDescriptor};
use serde::Serialize;
use ts_rs::TS;

/// One member's roles as far as one account goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountMemberRole {
    pub name: String,
    /// Their workspace role.
    pub workspace_role: Role,
    /// Their role on this account, when an admin of it set one (it stands in for the workspace role there).
    pub account_role: Option<Role>,
}

/// A shared account's rules, as this member may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountRules {
    /// The account's id in the team database.
    #[ts(type = "number")]
    pub team_account_id: i64,
    pub policy: AccountPolicy,
    /// Why the rule can hold back a resend on this account (reason keys, in the rule's order).
    pub reasons: Vec<String>,
    /// This member's name.
    pub me: String,
    /// This member's role on the account.
    pub my_role: Option<Role>,
    /// Whether this member may change the rules (an admin of the account).
    pub can_edit: bool,
    /// Every current member with their roles here, for the account's admins; this member alone otherwise.
    pub members: Vec<AccountMemberRole>,
}

/// This member's role on one shared account (its own, or their workspace role where none is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct MyAccountRole {
    /// The account's id in the team database.
    #[ts(type = "number")]
    pub team_account_id: i64,
    pub role: Role,
}

/// The reasons the rule ([`super::policy::approval_reasons`]) can give for a resend on an account of this
/// provider in this environment: production, and what the provider's resends can hold (a broad value, a
/// time window, a list of ids, their own confirmation rules).
pub fn possible_reasons(descriptor: &ProviderDescriptor, environment: Environment) -> Vec<String> {
    let mut found: Vec<&str> = Vec::new();
    if environment == Environment::Production {
        found.push("production");
    }
    let resends = descriptor.operations.iter().filter(|o| o.kind == OperationKind::Resend);
    for op in resends.clone() {
        for f in &op.fields {
            if f.broad.is_some() {
                found.push("broad_value");
            }
            match f.kind {
                FieldKind::UnixSeconds | FieldKind::UnixMillis => found.push("time_window"),
                FieldKind::IntegerList | FieldKind::TextList => found.push("many_ids"),
                _ => {}
            }
        }
    }
    let mut reasons: Vec<String> = RULE_REASONS.iter().filter(|r| found.contains(r)).map(|r| (*r).to_owned()).collect();
    for rule in resends.flat_map(|o| &o.confirm) {
        let (ConfirmRule::Always { reason }
        | ConfirmRule::Filled { reason, .. }
        | ConfirmRule::OlderThan { reason, .. }) = rule;
        if !reasons.contains(reason) {
            reasons.push(reason.clone());
        }
    }
    reasons
}

/// The local account's id in the team database (`input.invalid` on `account_id` for an account of this
/// installation's own).
pub fn team_id_of(view: &AccountView) -> Result<i64> {
    view.team_account_id.ok_or_else(|| Error::invalid_field("account_id", "team_not_shared"))
}

/// This member's role on every shared account, as the database decides it (`role_on`), in one query: the
/// app's cards offer Edit, Delete and Share only where it is `admin`.
pub async fn my_roles(team: &Team) -> Result<Vec<MyAccountRole>> {
    let rows = team
        .client()
        .query("SELECT id, callback_desk.role_on(id) FROM callback_desk.accounts ORDER BY id", &[])
        .await
        .map_err(db_error)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        if let Some(role) = r.get::<_, Option<String>>(1) {
            out.push(MyAccountRole { team_account_id: r.get(0), role: Role::parse(&role)? });
        }
    }
    Ok(out)
}

/// The rules of the shared account `view` (this installation's copy of it).
pub async fn of(team: &Team, view: &AccountView) -> Result<AccountRules> {
    let team_account_id = team_id_of(view)?;
    let policy = AccountPolicy::of(team, team_account_id).await?;
    let mine: Option<String> = team
        .client()
        .query_one("SELECT callback_desk.role_on($1)", &[&team_account_id])
        .await
        .map_err(db_error)?
        .get(0);
    let my_role = mine.as_deref().map(Role::parse).transpose()?;
    let can_edit = my_role == Some(Role::Admin);
    let rows = team
        .client()
        .query(
            "SELECT m.name, m.role, ar.role FROM callback_desk.members m
               LEFT JOIN callback_desk.account_roles ar ON ar.member = m.name AND ar.account_id = $1
              WHERE m.removed_at IS NULL ORDER BY m.name",
            &[&team_account_id],
        )
        .await
        .map_err(db_error)?;
    let mut members = Vec::with_capacity(rows.len());
    for r in &rows {
        let name: String = r.get(0);
        // Others' roles on the account are an admin's to see (row-level security hides them from the rest).
        if !can_edit && name != team.member() {
            continue;
        }
        members.push(AccountMemberRole {
            name,
            workspace_role: Role::parse(r.get::<_, &str>(1))?,
            account_role: r.get::<_, Option<&str>>(2).map(Role::parse).transpose()?,
        });
    }
    let descriptor = crate::providers::descriptor(view.provider);
    Ok(AccountRules {
        team_account_id,
        policy,
        me: team.member().to_owned(),
        reasons: possible_reasons(&descriptor, view.environment),
        my_role,
        can_edit,
        members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_production_account_can_be_held_for_production_and_what_its_provider_s_resends_can_hold() {
        let all = crate::providers::registered();
        for d in all {
            let prod = possible_reasons(d, Environment::Production);
            let sandbox = possible_reasons(d, Environment::Sandbox);
            assert_eq!(prod.first().map(String::as_str), Some("production"), "{:?}", d.id);
            assert_eq!(&prod[1..], &sandbox[..], "{:?}", d.id);
            assert!(prod.iter().all(|r| AccountPolicy::is_reason(r)), "{:?}: {prod:?}", d.id);
        }
        let cybavo = all.iter().find(|d| d.id.as_str() == "cybavo").expect("cybavo");
        assert!(possible_reasons(cybavo, Environment::Sandbox).contains(&"broad_value".to_owned()));
    }
}
