//! Taking access back: a share of one account (`team unshare`) or a member (`team remove`). Each says which
//! shared accounts' credentials the member could have copied, to rotate at the provider.

use crate::accounts::Accounts;
use crate::db::storage_error;
use crate::error::{Error, ErrorCode, Result};
use crate::team::connect::db_error;
use crate::team::members::check_name;
use crate::team::rules::team_id_of;
use crate::team::Team;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One shared account whose credentials a removed member could have copied: rotate them at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RotateAccount {
    /// The account's id in this installation (`None` when this installation has no copy of it yet).
    #[ts(type = "number | null")]
    #[serde(default)]
    pub account_id: Option<i64>,
    #[ts(type = "number")]
    pub team_account_id: i64,
    pub label: String,
    pub provider: String,
    /// The secret fields the member held a copy of.
    pub secrets: Vec<String>,
}

/// What `team remove` did, and what `team unshare` did (`rotate` then names the one account, or nothing
/// when the member held no copy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RemoveResult {
    pub member: String,
    /// Every shared account the member held sealed copies of: their credentials should be rotated.
    pub rotate: Vec<RotateAccount>,
}

/// `team unshare` (admins of the account): deletes `member`'s sealed copies of shared account `local_id`'s
/// secrets. Their installation then holds none (at its next refresh: "Not shared with you"; `call` gives
/// `team.share_missing`). `rotate` names the secrets they held, which they could have copied: rotate them at
/// the provider, then edit the account with the new ones. Empty when they held no copy.
pub async fn unshare(team: &Team, accounts: &Accounts, local_id: i64, member: &str) -> Result<RemoveResult> {
    check_name(member)?;
    let view = accounts.get(local_id)?;
    let team_id = team_id_of(&view)?;
    let names: Vec<String> = team
        .client()
        .query_one("SELECT callback_desk.unshare_secrets($1, $2)", &[&team_id, &member])
        .await
        .map_err(|e| naming_member(db_error(e), member))?
        .get(0);
    tracing::info!(team_account_id = team_id, member, secrets = names.len(), "share taken back");
    let rotate = if names.is_empty() {
        Vec::new()
    } else {
        vec![RotateAccount {
            account_id: Some(local_id),
            team_account_id: team_id,
            label: view.label.clone(),
            provider: view.provider.as_str().to_owned(),
            secrets: names,
        }]
    };
    Ok(RemoveResult { member: member.to_owned(), rotate })
}

/// The database's error, naming the member when it says there is none of that name.
fn naming_member(e: Error, member: &str) -> Error {
    match e.code {
        ErrorCode::TeamMemberNotFound => e.with("member", member),
        _ => e,
    }
}

/// `team remove` (admins): deletes the member's sealed copies, disables their login role and marks them
/// removed; returns the shared accounts whose credentials they could have copied.
pub async fn remove_member(team: &Team, accounts: &Accounts, member: &str) -> Result<RemoveResult> {
    check_name(member)?;
    let rotate: Value = team
        .client()
        .query_one("SELECT callback_desk.remove_member($1)", &[&member])
        .await
        .map_err(|e| naming_member(db_error(e), member))?
        .get(0);
    let mut rotate: Vec<RotateAccount> =
        serde_json::from_value(rotate).map_err(|e| Error::internal(format!("the rotate list: {e}")))?;
    let conn = accounts.vault().db().conn();
    for r in &mut rotate {
        r.account_id = conn
            .query_row("SELECT id FROM accounts WHERE team_account_id = ?1", [r.team_account_id], |row| row.get(0))
            .optional()
            .map_err(storage_error)?;
    }
    tracing::info!(member, accounts = rotate.len(), "member removed");
    Ok(RemoveResult { member: member.to_owned(), rotate })
}
