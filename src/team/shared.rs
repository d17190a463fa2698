//! Shared merchant accounts of a team workspace (migrations 006 and 012): admins add them (`accounts add` in
//! a workspace), share them with members (`team share`), edit and delete them (`accounts edit|remove`, the
//! app's account form and Delete), take a share back (`team unshare`); removing a member (`team remove`) or
//! taking a share back says whose credentials to rotate. Editing and deleting are in `changes`, taking
//! access back in `revoke`; adding, sharing and the installation's copies here.
//!
//! One place for each fact: the team database holds a shared account's non-secret fields
//! (`callback_desk.accounts`) and, per member, that member's copies of its secrets sealed to their public
//! key (`callback_desk.sealed_secrets`; [`super::keys`]). Each installation keeps a copy of every shared
//! account in its own `accounts` table (`team_account_id` names the shared one), so history, budgets and
//! jobs work as for its own accounts, and the secrets it opened from its sealed copies in its vault (under
//! the keyring's master key, as its own accounts' secrets) so that look-ups work offline. The copy is
//! refreshed from the team database, replacing the fields and the secrets, by `accounts list` and before
//! every action on the account ([`refresh_for_call`]), and deleted when the shared account is. Only an admin
//! of the account changes it, in the team database ([`update_account`], [`delete_account`]); anyone else
//! gets `team.shared_account_admin_only` and their copy stays as the team has it.
//!
//! A sealed copy names the account it belongs to (team id, provider, environment, address): an
//! installation uses a copy only for the account it names, so an address changed in the team database
//! (by its DBA, say) opens none of the copies sealed for the old one, and no credential goes to the new
//! address.

use super::connect::db_error;
use super::members::check_name;
use super::rules::team_id_of;
use super::{keys, Team, TeamConfig};
use crate::accounts::{secret_fields, validate_input, AccountInput, AccountView, Accounts, Environment};
use crate::db::{storage_error, write_transaction};
use crate::error::{Error, ErrorCode, Result};
use crate::providers::ProviderId;
use crate::secret::Secret;
use crate::vault::Vault;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio_postgres::GenericClient;
use ts_rs::TS;

mod changes;
mod revoke;
pub use changes::{check_can_delete, delete, delete_account, edit, update_account};
pub use revoke::{remove_member, unshare, RemoveResult, RotateAccount};

/// What `team share` did: the member's sealed copies of the account's secrets, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ShareResult {
    /// The account's id in this installation.
    #[ts(type = "number")]
    pub account_id: i64,
    #[ts(type = "number")]
    pub team_account_id: i64,
    pub member: String,
    pub secrets: Vec<String>,
}

/// One member holding sealed copies of a shared account's secrets (the share dialog's list; admins of the
/// account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountShare {
    pub member: String,
    /// The secret fields they hold a copy of.
    pub secrets: Vec<String>,
    /// The admin who sealed their copies last.
    pub shared_by: String,
}

/// A shared account as the team database has it.
#[derive(PartialEq)]
struct TeamAccount {
    id: i64,
    provider: String,
    label: String,
    environment: String,
    base_url: String,
    fields: Map<String, Value>,
    notes: String,
}

/// What one sealed copy holds: a secret and the account it belongs to.
#[derive(Serialize, Deserialize)]
struct SealedSecret {
    account: i64,
    provider: String,
    environment: String,
    base_url: String,
    name: String,
    value: String,
}

impl TeamAccount {
    fn seal(&self, public_key: &[u8], name: &str, value: &Secret) -> Result<Vec<u8>> {
        let payload = zeroize::Zeroizing::new(
            serde_json::to_vec(&SealedSecret {
                account: self.id,
                provider: self.provider.clone(),
                environment: self.environment.clone(),
                base_url: self.base_url.clone(),
                name: name.to_owned(),
                value: value.expose().to_owned(),
            })
            .map_err(|e| Error::internal(e.to_string()))?,
        );
        keys::seal(public_key, &payload)
    }

    /// Opens this installation's sealed copies of the account's secrets; a copy that does not open, or
    /// names another account, address or secret, is left out.
    fn open(&self, vault: &Vault, copies: &[(String, Vec<u8>)]) -> Result<Vec<(String, Secret)>> {
        let allowed = ProviderId::parse(&self.provider).map(secret_fields).unwrap_or_default();
        let mut secrets = Vec::new();
        for (name, sealed) in copies {
            let plain = match keys::open(vault, sealed) {
                Ok(p) => p,
                Err(e) if e.code == ErrorCode::VaultSecretMissing => {
                    tracing::warn!(account = self.id, name, "a sealed copy does not open with this member's key");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let Ok(s) = serde_json::from_slice::<SealedSecret>(&plain) else { continue };
            let value = Secret::new(s.value);
            let binds = s.account == self.id
                && s.provider == self.provider
                && s.environment == self.environment
                && s.base_url == self.base_url
                && s.name == *name
                && allowed.contains(name);
            if !binds {
                tracing::warn!(account = self.id, name, "a sealed copy names another account or address: not used");
                continue;
            }
            crate::logging::register_secret(&value);
            secrets.push((s.name, value));
        }
        Ok(secrets)
    }
}

/// The shared accounts (one when `only` is given), oldest first.
async fn team_accounts(client: &impl GenericClient, only: Option<i64>) -> Result<Vec<TeamAccount>> {
    let rows = client
        .query(
            "SELECT id, provider, label, environment, base_url, fields, notes FROM callback_desk.accounts
              WHERE $1::bigint IS NULL OR id = $1 ORDER BY id",
            &[&only],
        )
        .await
        .map_err(db_error)?;
    Ok(rows
        .iter()
        .map(|r| TeamAccount {
            id: r.get(0),
            provider: r.get(1),
            label: r.get(2),
            environment: r.get(3),
            base_url: r.get(4),
            fields: match r.get::<_, Value>(5) {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            notes: r.get(6),
        })
        .collect())
}

/// This member's sealed copies of one account's secrets: (name, sealed).
async fn my_copies(client: &impl GenericClient, member: &str, account: i64) -> Result<Vec<(String, Vec<u8>)>> {
    let rows = client
        .query(
            "SELECT name, sealed FROM callback_desk.sealed_secrets WHERE account_id = $1 AND member = $2 ORDER BY name",
            &[&account, &member],
        )
        .await
        .map_err(db_error)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A member's public key: `team.member_not_found` for no such (current) member, `team.member_not_joined`
/// before their installation published one.
async fn public_key(client: &impl GenericClient, member: &str) -> Result<Vec<u8>> {
    let row = client
        .query_opt("SELECT public_key FROM callback_desk.members WHERE name = $1 AND removed_at IS NULL", &[&member])
        .await
        .map_err(db_error)?
        .ok_or_else(|| Error::new(ErrorCode::TeamMemberNotFound).with("member", member))?;
    row.get::<_, Option<Vec<u8>>>(0).ok_or_else(|| Error::new(ErrorCode::TeamMemberNotJoined).with("member", member))
}

fn share_missing(view_id: i64, label: &str) -> Error {
    Error::new(ErrorCode::TeamShareMissing).with("account_id", view_id).with("label", label)
}

/// Whether this installation's copy of the account holds exactly these fields and secrets already.
fn copy_is_current(vault: &Vault, account: &TeamAccount, secrets: &[(String, Secret)]) -> Result<bool> {
    type Row = (i64, String, String, String, String, String, String);
    let row: Option<Row> = vault
        .db()
        .conn()
        .query_row(
            "SELECT id, provider, label, environment, base_url, fields, notes FROM accounts WHERE team_account_id = ?1",
            [account.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()
        .map_err(storage_error)?;
    let Some((id, provider, label, environment, base_url, fields, notes)) = row else { return Ok(false) };
    let same_fields = (provider.as_str(), label.as_str(), environment.as_str(), base_url.as_str(), notes.as_str())
        == (
            account.provider.as_str(),
            account.label.as_str(),
            account.environment.as_str(),
            account.base_url.as_str(),
            account.notes.as_str(),
        )
        && serde_json::from_str::<Value>(&fields).ok() == Some(Value::Object(account.fields.clone()));
    let mut names: Vec<&str> = secrets.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if !same_fields || vault.names(id)? != names {
        return Ok(false);
    }
    for (name, value) in secrets {
        match vault.get(id, name) {
            Ok(Some(stored)) if stored.expose() == value.expose() => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Writes this installation's copy of a shared account: its fields, and exactly `secrets` in the vault
/// (the ones it had are replaced). Returns its local id.
fn write_copy(vault: &Vault, account: &TeamAccount, secrets: &[(String, Secret)], now: i64) -> Result<i64> {
    if !secrets.is_empty() {
        vault.ensure_ready()?;
    }
    let fields = Value::Object(account.fields.clone()).to_string();
    let mut conn = vault.db().conn();
    // Immediate: it writes after reading, and several processes of the installation may refresh at once.
    let tx = write_transaction(&mut conn)?;
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM accounts WHERE team_account_id = ?1", [account.id], |r| r.get(0))
        .optional()
        .map_err(storage_error)?;
    let id = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE accounts SET provider = ?2, label = ?3, environment = ?4, base_url = ?5, fields = ?6,
                        notes = ?7, updated_at = ?8 WHERE id = ?1",
                rusqlite::params![
                    id,
                    account.provider,
                    account.label,
                    account.environment,
                    account.base_url,
                    fields,
                    account.notes,
                    now
                ],
            )
            .map_err(storage_error)?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO accounts (provider, label, environment, base_url, fields, notes, created_at, updated_at,
                                       team_account_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                rusqlite::params![
                    account.provider,
                    account.label,
                    account.environment,
                    account.base_url,
                    fields,
                    account.notes,
                    now,
                    account.id
                ],
            )
            .map_err(storage_error)?;
            tx.last_insert_rowid()
        }
    };
    tx.execute("DELETE FROM account_secrets WHERE account_id = ?1", [id]).map_err(storage_error)?;
    for (name, value) in secrets {
        vault.put_in(&tx, id, name, value, now)?;
    }
    tx.commit().map_err(storage_error)?;
    Ok(id)
}

/// One shared account as [`refresh`] left it.
struct Refreshed {
    /// How many secrets this member could open.
    secrets: usize,
    /// Whether its copy was written (it was missing or out of date).
    written: bool,
}

/// Refreshes this installation's copies of the shared accounts (one when `only` is given) from the team
/// database; the copies of accounts it no longer has are deleted. Returns the accounts it has and how many
/// copies were deleted.
async fn refresh(team: &Team, vault: &Vault, only: Option<i64>, now: i64) -> Result<(Vec<Refreshed>, usize)> {
    let list = team_accounts(team.client(), only).await?;
    let present: Vec<i64> = list.iter().map(|a| a.id).collect();
    let removed = delete_gone_copies(vault, only, &present)?;
    let mut done = Vec::new();
    for account in list {
        if ProviderId::parse(&account.provider).is_err() || Environment::parse(&account.environment).is_none() {
            tracing::warn!(account = account.id, "a shared account of an unknown provider or environment: skipped");
            continue;
        }
        let secrets = account.open(vault, &my_copies(team.client(), team.member(), account.id).await?)?;
        let written = !copy_is_current(vault, &account, &secrets)?;
        if written {
            write_copy(vault, &account, &secrets, now)?;
        }
        done.push(Refreshed { secrets: secrets.len(), written });
    }
    Ok((done, removed))
}

/// Deletes this installation's copies of shared accounts (of `only`, when given) that are not among
/// `present`: an admin deleted them. As for an account of the installation's own, its secrets go with it
/// and its history stays (history rows keep the label). Returns how many.
fn delete_gone_copies(vault: &Vault, only: Option<i64>, present: &[i64]) -> Result<usize> {
    let conn = vault.db().conn();
    let copies: Vec<(i64, i64)> = {
        let mut stmt = conn
            .prepare(
                "SELECT id, team_account_id FROM accounts
                  WHERE team_account_id IS NOT NULL AND (?1 IS NULL OR team_account_id = ?1)",
            )
            .map_err(storage_error)?;
        let rows = stmt.query_map([only], |r| Ok((r.get(0)?, r.get(1)?))).map_err(storage_error)?;
        rows.collect::<std::result::Result<_, _>>().map_err(storage_error)?
    };
    let mut removed = 0;
    for (id, team_id) in copies.into_iter().filter(|(_, t)| !present.contains(t)) {
        conn.execute("DELETE FROM accounts WHERE id = ?1", [id]).map_err(storage_error)?;
        tracing::info!(account_id = id, team_account_id = team_id, "copy of a deleted shared account deleted");
        removed += 1;
    }
    Ok(removed)
}

/// Brings this installation's copies of every shared account up to date (`accounts list` in a workspace, and
/// the app every few seconds). Returns how many copies were written (new or changed) or deleted.
pub async fn refresh_all(team: &Team, accounts: &Accounts, now: i64) -> Result<usize> {
    let (refreshed, removed) = refresh(team, accounts.vault(), None, now).await?;
    Ok(refreshed.iter().filter(|r| r.written).count() + removed)
}

/// Adds an account as the app and `accounts add` do: in a workspace, a shared account (admins; see [`add`]);
/// otherwise one of this installation's own.
pub async fn add_account(accounts: &Accounts, input: &AccountInput, now: i64) -> Result<AccountView> {
    if TeamConfig::load(accounts.vault().db())?.is_none() {
        return accounts.create(input);
    }
    let mut team = Team::open(accounts.vault()).await?;
    add(&mut team, accounts, input, now).await
}

/// `accounts add` in a workspace (admins): the account's non-secret fields go to the team database, its
/// secrets sealed to this member's own public key, in one transaction; then this installation's copy is
/// written from there. Nothing is written anywhere when the member is not an admin
/// (`team.permission_denied` naming `admin`) or the input is not valid.
pub async fn add(team: &mut Team, accounts: &Accounts, input: &AccountInput, now: i64) -> Result<AccountView> {
    let (base_url, public) = validate_input(input, &mut |_| None)?;
    let allowed = secret_fields(input.provider);
    let mut secrets = Vec::new();
    for name in input.secrets.keys() {
        let Some(secret) = input.entered_secret(name) else { continue };
        if !allowed.contains(name) {
            return Err(Error::invalid_field(name, "unknown_field"));
        }
        crate::logging::register_secret(&secret);
        secrets.push((name.clone(), secret));
    }
    accounts.vault().ensure_ready()?;
    team.client().query_one("SELECT callback_desk.require_role(NULL, 'admin')", &[]).await.map_err(db_error)?;
    let me = team.member().to_owned();
    let my_key = public_key(team.client(), &me).await?;
    let tx = team.client.transaction().await.map_err(db_error)?;
    let mut account = TeamAccount {
        id: 0,
        provider: input.provider.as_str().to_owned(),
        label: input.label.trim().to_owned(),
        environment: input.environment.as_str().to_owned(),
        base_url,
        fields: public,
        notes: input.notes.trim().to_owned(),
    };
    account.id = tx
        .query_one(
            "SELECT callback_desk.add_account($1, $2, $3, $4, $5, $6)",
            &[
                &account.provider,
                &account.label,
                &account.environment,
                &account.base_url,
                &Value::Object(account.fields.clone()),
                &account.notes,
            ],
        )
        .await
        .map_err(db_error)?
        .get(0);
    let mut names = Vec::new();
    let mut sealed = Vec::new();
    for (name, value) in &secrets {
        names.push(name.clone());
        sealed.push(account.seal(&my_key, name, value)?);
    }
    tx.execute("SELECT callback_desk.share_secrets($1, $2, $3, $4)", &[&account.id, &me, &names, &sealed])
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    tracing::info!(team_account_id = account.id, provider = %input.provider, "shared account added");
    let opened = account.open(accounts.vault(), &names.into_iter().zip(sealed).collect::<Vec<_>>())?;
    let local = write_copy(accounts.vault(), &account, &opened, now)?;
    accounts.get(local)
}

/// Before an action on account `local_id`: when it is a shared account, its copy is refreshed from the
/// team database. Refused with `team.share_missing` (naming the account) when no secret of it is shared
/// with this member. When the team database cannot be reached, the secrets opened before are used (a
/// resend is refused offline anyway; a look-up goes ahead), or `team.offline` when there are none. Returns
/// the connection it made, if any (the action's admission reuses it).
pub async fn refresh_for_call(accounts: &Accounts, local_id: i64, now: i64) -> Result<Option<Team>> {
    let vault = accounts.vault();
    let team_id: Option<i64> = vault
        .db()
        .conn()
        .query_row("SELECT team_account_id FROM accounts WHERE id = ?1", [local_id], |r| r.get(0))
        .optional()
        .map_err(storage_error)?
        .flatten();
    let Some(team_id) = team_id else { return Ok(None) };
    if TeamConfig::load(vault.db())?.is_none() {
        return Ok(None);
    }
    let team = match Team::open(vault).await {
        Ok(team) => team,
        Err(e) if e.code == ErrorCode::TeamOffline && !vault.names(local_id)?.is_empty() => {
            tracing::warn!(error = %e, "team database offline: the shared account's secrets opened before are used");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let (refreshed, removed) = refresh(&team, vault, Some(team_id), now).await?;
    if removed > 0 {
        // An admin deleted the shared account: so is this copy, and the action names no account any more.
        accounts.get(local_id)?;
    }
    match refreshed.first() {
        Some(r) if r.secrets > 0 => Ok(Some(team)),
        _ => {
            let label = accounts.get(local_id).map(|v| v.label).unwrap_or_default();
            Err(share_missing(local_id, &label))
        }
    }
}

/// `team share` (admins of the account): opens this member's sealed copies of shared account `local_id`'s
/// secrets and seals each to `member`'s public key; the member's copies become exactly these. An edit of the
/// account under way meanwhile (the team database makes the share wait for it) changes this member's own
/// copies: the share then starts again from the account as edited.
pub async fn share(team: &mut Team, accounts: &Accounts, local_id: i64, member: &str) -> Result<ShareResult> {
    check_name(member)?;
    let view = accounts.get(local_id)?;
    let team_id = team_id_of(&view)?;
    team.client().query_one("SELECT callback_desk.require_role($1, 'admin')", &[&team_id]).await.map_err(db_error)?;
    let key = public_key(team.client(), member).await?;
    let me = team.member().to_owned();
    for _ in 0..3 {
        let account = team_accounts(team.client(), Some(team_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| share_missing(local_id, &view.label))?;
        let copies = my_copies(team.client(), &me, team_id).await?;
        let secrets = account.open(accounts.vault(), &copies)?;
        if secrets.is_empty() {
            return Err(share_missing(local_id, &view.label));
        }
        let mut names = Vec::new();
        let mut sealed = Vec::new();
        for (name, value) in &secrets {
            names.push(name.clone());
            sealed.push(account.seal(&key, name, value)?);
        }
        let tx = team.client.transaction().await.map_err(db_error)?;
        tx.execute("SELECT callback_desk.share_secrets($1, $2, $3, $4)", &[&team_id, &member, &names, &sealed])
            .await
            .map_err(db_error)?;
        // share_secrets waited for any edit of the account under way: what was sealed is still the account's?
        let unchanged = team_accounts(&tx, Some(team_id)).await?.first() == Some(&account)
            && my_copies(&tx, &me, team_id).await? == copies;
        if unchanged {
            tx.commit().await.map_err(db_error)?;
            tracing::info!(team_account_id = team_id, member, "shared account shared");
            return Ok(ShareResult {
                account_id: local_id,
                team_account_id: team_id,
                member: member.to_owned(),
                secrets: names,
            });
        }
        tracing::info!(team_account_id = team_id, "the shared account changed while it was shared: sealing again");
    }
    Err(Error::new(ErrorCode::TeamDatabaseFailed).detail("the shared account kept changing while it was shared"))
}

/// Who holds copies of shared account `local_id`'s secrets, by member (admins of the account).
pub async fn shares(team: &Team, accounts: &Accounts, local_id: i64) -> Result<Vec<AccountShare>> {
    let team_id = team_id_of(&accounts.get(local_id)?)?;
    shares_of(team.client(), team_id).await
}

async fn shares_of(client: &impl GenericClient, team_id: i64) -> Result<Vec<AccountShare>> {
    let rows = client
        .query("SELECT member, secrets, shared_by FROM callback_desk.account_shares($1)", &[&team_id])
        .await
        .map_err(db_error)?;
    Ok(rows.iter().map(|r| AccountShare { member: r.get(0), secrets: r.get(1), shared_by: r.get(2) }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryStore;
    use std::sync::Arc;

    fn account() -> TeamAccount {
        TeamAccount {
            id: 7,
            provider: "cybavo".into(),
            label: "Cybavo".into(),
            environment: "custom".into(),
            base_url: "https://cybavo.example.com".into(),
            fields: Map::new(),
            notes: String::new(),
        }
    }

    /// The app's commands await these on Tauri's runtime, which needs futures it can move between threads.
    #[allow(dead_code)]
    fn the_functions_the_app_awaits_are_send(team: &mut Team, accounts: &Accounts, input: &AccountInput) {
        fn send<T: Send>(_: T) {}
        send(add(team, accounts, input, 0));
        send(refresh_all(team, accounts, 0));
        send(refresh_for_call(accounts, 1, 0));
        send(share(team, accounts, 1, "bob"));
        send(remove_member(team, accounts, "bob"));
        send(update_account(accounts, 1, input, None, 0));
        send(delete_account(accounts, 1));
        send(check_can_delete(accounts, 1));
        send(unshare(team, accounts, 1, "bob"));
        send(shares(team, accounts, 1));
    }

    #[test]
    fn a_sealed_copy_opens_only_for_the_account_and_secret_it_names() {
        use base64::Engine;
        let vault = Vault::new(Arc::new(MemoryStore::default()), crate::db::Db::open_in_memory().unwrap());
        let key = crypto_box::SecretKey::generate(&mut rand::rngs::OsRng);
        let encoded = Secret::new(base64::engine::general_purpose::STANDARD.encode(key.to_bytes()));
        vault.put_app_secret(keys::PRIVATE_KEY_SECRET, &encoded, 0).unwrap();
        let public = key.public_key().as_bytes().to_vec();

        let a = account();
        let sealed = a.seal(&public, "api_secret", &Secret::new("canary-secret-31")).unwrap();
        let opened = a.open(&vault, &[("api_secret".into(), sealed.clone())]).unwrap();
        assert_eq!(opened.len(), 1);
        assert_eq!((opened[0].0.as_str(), opened[0].1.expose()), ("api_secret", "canary-secret-31"));
        // Moved to another address, another account, or filed under another name: not used.
        let moved = TeamAccount { base_url: "https://evil.example.com".into(), ..account() };
        assert!(moved.open(&vault, &[("api_secret".into(), sealed.clone())]).unwrap().is_empty());
        let other = TeamAccount { id: 8, ..account() };
        assert!(other.open(&vault, &[("api_secret".into(), sealed.clone())]).unwrap().is_empty());
        assert!(a.open(&vault, &[("api_code".into(), sealed)]).unwrap().is_empty());
    }
}
