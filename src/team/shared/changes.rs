//! Admins of a shared account change it: edit it (`accounts edit`, the app's account form) and delete it
//! (`accounts remove`, the app's Delete), in the team database; every member's copy follows at its next
//! refresh. Anyone else gets `team.shared_account_admin_only` and nothing changes.

use super::{my_copies, public_key, refresh, shares_of, team_accounts, TeamAccount};
use crate::accounts::{
    secret_fields, secrets_required_for_new_host, validate_input, AccountBasis, AccountInput, AccountView, Accounts,
    Environment,
};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::team::connect::db_error;
use crate::team::rules::team_id_of;
use crate::team::{Team, TeamConfig};
use serde_json::Value;

/// Edits an account as the app and `accounts edit` do: a shared account's copy in the team database
/// (admins of the account; see [`edit`]), any other account in this installation; with a `basis`, only
/// while the account is still as the editor showed it ([`AccountBasis`]).
pub async fn update_account(
    accounts: &Accounts,
    local_id: i64,
    input: &AccountInput,
    basis: Option<&AccountBasis>,
    now: i64,
) -> Result<AccountView> {
    if !is_team_copy(accounts, local_id)? {
        return accounts.update(local_id, input, basis);
    }
    let mut team = Team::open(accounts.vault()).await?;
    edit(&mut team, accounts, local_id, input, basis, now).await
}

/// Edits shared account `local_id` (this installation's copy; admins of the account): its fields change in the
/// team database, and every member holding copies of its secrets gets new ones, sealed to their key, in the same
/// statement: secrets entered replace those this admin holds, the others are sealed again as they are (so the
/// copies name the new address), as read with the account locked for the edit (so another admin's rotation or
/// taking back of a share meanwhile stays). Every member's copy follows at its next refresh. The rules of an edit
/// are those of an account of one's own (`Accounts::update`): the provider stays, and a new host or environment
/// needs every secret entered again. Nothing changes anywhere when the member is not an admin of the account
/// (`team.shared_account_admin_only`), the input is not valid, or another admin changed the account since `basis`
/// was read (`accounts.changed_elsewhere`; this installation's copy is then refreshed, so the form opened again
/// shows their change).
pub async fn edit(
    team: &mut Team,
    accounts: &Accounts,
    local_id: i64,
    input: &AccountInput,
    basis: Option<&AccountBasis>,
    now: i64,
) -> Result<AccountView> {
    let view = accounts.get(local_id)?;
    let team_id = team_id_of(&view)?;
    require_account_admin(team, team_id, &view).await?;
    // The editor showed this installation's copy: it must still be so here (a refresh since brought another
    // admin's change), and the team database then compares the copy, exactly as stored, with the account.
    let copy = AccountBasis::of(&view);
    if let Some(basis) = basis {
        basis.check(&copy)?;
    }
    let basis = basis.map(|_| serde_json::to_value(&copy)).transpose().map_err(|e| Error::internal(e.to_string()))?;
    let me = team.member().to_owned();
    let vault = accounts.vault();
    // The keyring is asked first: a prompt to unlock it must not keep the account locked for other admins.
    vault.ensure_ready()?;
    // The account's row is locked before anything is read that is sealed again (this admin's copies of the
    // secrets, who holds copies), until the edit is committed: another admin's rotation or taking back of a
    // share lands before the reading or after the edit, never between them to be undone by it.
    let tx = team.client.transaction().await.map_err(db_error)?;
    if let Err(e) = tx.execute("SELECT callback_desk.lock_account_for_edit($1)", &[&team_id]).await {
        return Err(if account_not_found(&e) { Error::invalid_field("account_id", "not_found") } else { db_error(e) });
    }
    let current = team_accounts(&tx, Some(team_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid_field("account_id", "not_found"))?;
    if current.provider != input.provider.as_str() {
        return Err(Error::invalid_field("provider", "cannot_change"));
    }
    let mine = current.open(vault, &my_copies(&tx, &me, team_id).await?)?;
    let stored = |name: &str| mine.iter().find(|(n, _)| n == name).map(|(_, s)| Secret::new(s.expose()));
    let (base_url, public) = validate_input(input, &mut |name| stored(name))?;
    let shares = shares_of(&tx, team_id).await?;
    let mut held: Vec<String> =
        shares.iter().flat_map(|s| s.secrets.iter().cloned()).chain(mine.iter().map(|(n, _)| n.clone())).collect();
    held.sort();
    held.dedup();
    let environment = Environment::parse(&current.environment).unwrap_or(Environment::Custom);
    secrets_required_for_new_host(environment, &current.base_url, &held, input, &base_url)?;
    let allowed = secret_fields(input.provider);
    let mut rotated = Vec::new();
    for name in input.secrets.keys() {
        if input.entered_secret(name).is_none() {
            continue;
        }
        if !allowed.contains(name) {
            return Err(Error::invalid_field(name, "unknown_field"));
        }
        rotated.push(name.clone());
    }
    let mut secrets: Vec<(String, Secret)> = Vec::new();
    for name in &allowed {
        if let Some(value) = input.entered_secret(name).or_else(|| stored(name)) {
            crate::logging::register_secret(&value);
            secrets.push((name.clone(), value));
        }
    }
    // A secret other members hold and this admin neither holds nor entered would be lost to them.
    if let Some(lost) = held.iter().find(|n| !secrets.iter().any(|(s, _)| s == *n)) {
        return Err(Error::missing_field(lost));
    }
    let next = TeamAccount {
        id: team_id,
        provider: current.provider.clone(),
        label: input.label.trim().to_owned(),
        environment: input.environment.as_str().to_owned(),
        base_url,
        fields: public,
        notes: input.notes.trim().to_owned(),
    };
    let mut holders: Vec<String> = shares.into_iter().map(|s| s.member).collect();
    if !secrets.is_empty() && !holders.contains(&me) {
        holders.push(me);
    }
    let (mut members, mut names, mut sealed) = (Vec::new(), Vec::new(), Vec::new());
    for member in &holders {
        let key = public_key(&tx, member).await?;
        for (name, value) in &secrets {
            members.push(member.clone());
            names.push(name.clone());
            sealed.push(next.seal(&key, name, value)?);
        }
    }
    let edited = tx
        .execute(
            "SELECT callback_desk.update_account($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &team_id,
                &next.label,
                &next.environment,
                &next.base_url,
                &Value::Object(next.fields.clone()),
                &next.notes,
                &rotated,
                &members,
                &names,
                &sealed,
                &basis,
            ],
        )
        .await;
    if let Err(e) = edited {
        drop(tx);
        return Err(match e.as_db_error().filter(|db| db.hint() == Some("account_changed")) {
            Some(db) => {
                // So the form opened again shows the account as it is (said even when this refresh fails).
                if let Err(e) = refresh(team, vault, Some(team_id), now).await {
                    tracing::warn!(code = %e.code, "the shared account's copy was not refreshed");
                }
                Error::new(ErrorCode::AccountsChangedElsewhere).with("label", db.detail().unwrap_or_default())
            }
            None => db_error(e),
        });
    }
    tx.commit().await.map_err(db_error)?;
    tracing::info!(
        team_account_id = team_id,
        members = holders.len(),
        rotated = rotated.len(),
        "shared account edited"
    );
    refresh(team, vault, Some(team_id), now).await?;
    accounts.get(local_id)
}

/// Refuses what [`delete_account`] would refuse a shared account's copy, before anything is done (the app
/// checks when Delete is pressed, then waits a few seconds for an undo before deleting).
pub async fn check_can_delete(accounts: &Accounts, local_id: i64) -> Result<()> {
    if !is_team_copy(accounts, local_id)? {
        return accounts.get(local_id).map(|_| ());
    }
    let view = accounts.get(local_id)?;
    let team = Team::open(accounts.vault()).await?;
    require_account_admin(&team, team_id_of(&view)?, &view).await
}

/// Deletes an account as the app and `accounts remove` do: a shared account from the team database (admins
/// of the account; see [`delete`]), any other from this installation.
pub async fn delete_account(accounts: &Accounts, local_id: i64) -> Result<()> {
    if !is_team_copy(accounts, local_id)? {
        return accounts.delete(local_id);
    }
    let team = Team::open(accounts.vault()).await?;
    delete(&team, accounts, local_id).await
}

/// Deletes shared account `local_id` (this installation's copy; admins of the account) from the team
/// database, with every member's sealed copies and per-account roles (the audit rows about it stay), then
/// this installation's copy; the other members' copies go at their next refresh. A member who is not an
/// admin of the account gets `team.shared_account_admin_only` and nothing is deleted.
pub async fn delete(team: &Team, accounts: &Accounts, local_id: i64) -> Result<()> {
    let view = accounts.get(local_id)?;
    let team_id = team_id_of(&view)?;
    require_account_admin(team, team_id, &view).await?;
    match team.client().execute("SELECT callback_desk.delete_account($1)", &[&team_id]).await {
        Ok(_) => {}
        // Another admin deleted it first.
        Err(e) if account_not_found(&e) => {}
        Err(e) => return Err(db_error(e)),
    }
    tracing::info!(team_account_id = team_id, "shared account deleted");
    accounts.delete(local_id)
}

/// Refuses unless this member is an admin of shared account `team_id`: `team.shared_account_admin_only`,
/// naming the account (`view`, this installation's copy).
async fn require_account_admin(team: &Team, team_id: i64, view: &AccountView) -> Result<()> {
    match team.client().query_one("SELECT callback_desk.require_role($1, 'admin')", &[&team_id]).await.map_err(db_error)
    {
        Ok(_) => Ok(()),
        Err(e) if e.code == ErrorCode::TeamPermissionDenied => Err(Error::new(ErrorCode::TeamSharedAccountAdminOnly)
            .with("account_id", view.id)
            .with("label", view.label.as_str())
            .detail(e.detail.unwrap_or_default())),
        Err(e) => Err(e),
    }
}

/// Whether account `local_id` is this installation's copy of a shared account of the workspace it is in.
fn is_team_copy(accounts: &Accounts, local_id: i64) -> Result<bool> {
    Ok(accounts.get(local_id)?.team_account_id.is_some() && TeamConfig::load(accounts.vault().db())?.is_some())
}

/// The team database refused because the shared account is not there (any more).
fn account_not_found(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().and_then(|d| d.hint()) == Some("account_not_found")
}
