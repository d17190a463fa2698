//! Merchant accounts: non-secret fields in SQLite, secrets through the [`Vault`].
//!
//! An account's non-secret provider fields (e.g. CYBAVO `wallet_id`, CCPayment `app_id` and
//! `api_version`) are a JSON object in `accounts.fields`; its secrets (the descriptor's `secret` fields)
//! are sealed by the vault. Nothing returned from here contains a secret: [`AccountView`] lists each
//! secret field only as set / not set.
//!
//! Environments: `production` (the provider's documented base URL unless one is given), `custom` (any
//! https URL, or http on loopback) and `sandbox` (the built-in simulators; the stored base URL is the
//! marker [`SANDBOX_BASE_URL`], resolved to the running sandbox's address when a call is made, because
//! the sandbox listens on a new port each time the app starts).

use crate::clock::Clock;
use crate::db::{storage_error, write_transaction};
use crate::error::{Error, ErrorCode, Result};
use crate::providers::merchant::Merchant;
use crate::providers::{self, Account, ProviderId};
use crate::secret::Secret;
use crate::vault::{Sealed, Vault};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use ts_rs::TS;

/// The stored base URL of sandbox accounts; replaced by the running sandbox's URL at call time.
pub const SANDBOX_BASE_URL: &str = "sandbox:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Environment {
    Production,
    Sandbox,
    Custom,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
            Environment::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Environment> {
        Some(match s {
            "production" => Environment::Production,
            "sandbox" => Environment::Sandbox,
            "custom" => Environment::Custom,
            _ => return None,
        })
    }
}

/// What the add/edit form sends. `secrets` is write-only: on update, a field left out (or empty)
/// keeps the stored secret (unless the host or environment changes, see [`Accounts::update`]). `Debug`
/// prints the names of the secrets given, never their values.
#[derive(Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountInput {
    pub provider: ProviderId,
    pub label: String,
    pub environment: Environment,
    /// Required for `custom` and for providers without a documented production URL (CYBAVO);
    /// ignored for `sandbox`.
    #[ts(optional)]
    pub base_url: Option<String>,
    /// The provider's non-secret account fields.
    #[ts(type = "Record<string, unknown>")]
    pub fields: Map<String, Value>,
    // Read straight into `Secret`s (strings for the window, see `Secret`'s `Deserialize`).
    #[ts(type = "Record<string, string>")]
    pub secrets: BTreeMap<String, Secret>,
    #[serde(default)]
    pub notes: String,
}

/// Written out because of `fields`: a secret sent among the public fields by mistake is not printed either
/// (the secrets themselves print as `<redacted>`, as every [`Secret`] does).
impl std::fmt::Debug for AccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret_names = secret_fields(self.provider);
        let fields: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| {
                let v =
                    if secret_names.contains(k) { Value::String(crate::secret::REDACTED.into()) } else { v.clone() };
                (k.clone(), v)
            })
            .collect();
        f.debug_struct("AccountInput")
            .field("provider", &self.provider)
            .field("label", &self.label)
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("fields", &fields)
            .field("secrets", &self.secrets)
            .field("notes", &self.notes)
            .finish()
    }
}

impl AccountInput {
    /// An account file (`{"provider": …, "base_url": …, <fields and secrets inline>}`) as the input of
    /// [`Accounts::create`]: the descriptor's secret fields become `secrets`, the rest `fields`. Without
    /// an explicit environment it is `production` when the base URL is the provider's documented one,
    /// `custom` otherwise.
    pub fn from_account_file(
        map: &Map<String, Value>,
        label: String,
        environment: Option<Environment>,
        notes: String,
    ) -> Result<AccountInput> {
        let provider = match map.get("provider").and_then(Value::as_str) {
            Some(p) => ProviderId::parse(p)?,
            None => return Err(Error::missing_field("provider")),
        };
        let secret_names = secret_fields(provider);
        let mut fields = Map::new();
        let mut secrets = BTreeMap::new();
        for (k, v) in map {
            if k == "provider" || k == "base_url" {
                continue;
            }
            if secret_names.contains(k) {
                let s = v.as_str().ok_or_else(|| Error::invalid_field(k, "not_text"))?;
                secrets.insert(k.clone(), Secret::new(s));
            } else {
                fields.insert(k.clone(), v.clone());
            }
        }
        let base_url = map.get("base_url").and_then(Value::as_str).map(str::to_owned);
        let environment = environment.unwrap_or_else(|| {
            if base_url.is_some() && base_url == production_base_url(provider, &fields) {
                Environment::Production
            } else {
                Environment::Custom
            }
        });
        Ok(AccountInput { provider, label, environment, base_url, fields, secrets, notes })
    }

    /// The secret entered for `name`: `None` when it is left out or blank (on update, the stored one is
    /// kept); a line break a paste left at its end is dropped.
    pub fn entered_secret(&self, name: &str) -> Option<Secret> {
        let value = self.secrets.get(name)?.expose();
        if value.trim().is_empty() {
            return None;
        }
        Some(Secret::new(value.trim_end_matches(['\r', '\n'])))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SecretState {
    pub name: String,
    /// Saved and readable: the account can use it.
    pub set: bool,
    /// Saved, but sealed under a master key the system keyring no longer holds: it cannot be read and
    /// must be entered again (`vault.master_key_lost`).
    pub needs_reentry: bool,
}

/// An account's public fields as an editor showed them: the form when it was opened, `accounts edit` when it
/// read the account. An edit made over them is refused (`accounts.changed_elsewhere`, nothing changed) when
/// the account no longer has them, so no edit silently undoes another made meanwhile: in another window or
/// process of this installation, or, for a shared account, by another admin (checked by the team database
/// under the account's row lock).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountBasis {
    pub label: String,
    pub environment: Environment,
    pub base_url: String,
    #[ts(type = "Record<string, unknown>")]
    pub fields: Map<String, Value>,
    pub notes: String,
}

impl AccountBasis {
    pub fn of(view: &AccountView) -> AccountBasis {
        AccountBasis {
            label: view.label.clone(),
            environment: view.environment,
            base_url: view.base_url.clone(),
            fields: view.fields.clone(),
            notes: view.notes.clone(),
        }
    }

    /// Refuses an edit over this basis of an account that is now `now`. Numbers compare as the window holds
    /// them (JavaScript's: an integer beyond 2^53 comes back from it rounded), so such a field alone never
    /// makes an unchanged account look changed.
    pub fn check(&self, now: &AccountBasis) -> Result<()> {
        let shown = |b: &AccountBasis| serde_json::to_value(b).map(|v| as_shown(&v)).ok();
        if self == now || shown(self).is_some_and(|mine| Some(mine) == shown(now)) {
            return Ok(());
        }
        Err(Error::new(ErrorCode::AccountsChangedElsewhere).with("label", now.label.as_str()))
    }
}

/// `value` with every number as the window's JavaScript holds it (a double).
fn as_shown(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map(Value::from).unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.iter().map(as_shown).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), as_shown(v))).collect()),
        other => other.clone(),
    }
}

/// An account as the UI and the CLI see it: never a secret, only whether each one is set.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountView {
    #[ts(type = "number")]
    pub id: i64,
    pub provider: ProviderId,
    pub label: String,
    pub environment: Environment,
    pub base_url: String,
    #[ts(type = "Record<string, unknown>")]
    pub fields: Map<String, Value>,
    pub notes: String,
    pub secrets: Vec<SecretState>,
    /// Some saved secret cannot be read any more (its master key is gone from the keyring): enter the
    /// secrets marked `needs_reentry` again.
    pub secrets_need_reentry: bool,
    /// Avista: the SHA-256 fingerprint of the saved client certificate, to match the Avista portal.
    pub certificate_fingerprint: Option<String>,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number")]
    pub updated_at_ms: i64,
    /// In a team workspace: the shared account this one is the installation's copy of (its id in the team
    /// database; see `team::shared`). `None` for the installation's own accounts.
    #[ts(type = "number | null")]
    pub team_account_id: Option<i64>,
}

impl AccountView {
    /// Whose calls this account's rate budgets count (see [`Merchant`]).
    pub fn merchant(&self) -> Merchant {
        Merchant::of(self.provider, &self.base_url, &self.fields)
    }
}

pub struct Accounts {
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
}

/// Account `id`'s public fields as stored, read inside the transaction that changes them.
fn stored_basis(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<AccountBasis> {
    let (label, environment, base_url, fields, notes): (String, String, String, String, String) = tx
        .query_row("SELECT label, environment, base_url, fields, notes FROM accounts WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .map_err(storage_error)?;
    Ok(AccountBasis {
        label,
        environment: Environment::parse(&environment).unwrap_or(Environment::Custom),
        base_url,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        notes,
    })
}

/// The names of a provider's secret account fields.
pub fn secret_fields(provider: ProviderId) -> Vec<String> {
    providers::descriptor(provider).account_fields.into_iter().filter(|f| f.secret).map(|f| f.name).collect()
}

fn public_fields(provider: ProviderId) -> Vec<String> {
    providers::descriptor(provider)
        .account_fields
        .into_iter()
        .filter(|f| !f.secret && f.name != "base_url")
        .map(|f| f.name)
        .collect()
}

/// True when two stored base URLs point at the same server: same scheme, host and port (the path may
/// differ). The sandbox marker only matches itself.
fn same_host(a: &str, b: &str) -> bool {
    if a == SANDBOX_BASE_URL || b == SANDBOX_BASE_URL {
        return a == b;
    }
    let origin = |u: &str| {
        url::Url::parse(u)
            .ok()
            .map(|u| (u.scheme().to_owned(), u.host_str().map(str::to_owned), u.port_or_known_default()))
    };
    match (origin(a), origin(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The documented production base URL, if the provider has one.
pub fn production_base_url(provider: ProviderId, fields: &Map<String, Value>) -> Option<String> {
    providers::descriptor(provider).production_base_url(fields)
}

/// What [`Accounts::create`] and [`Accounts::update`] check before anything is written: label, notes,
/// known fields, environment and base URL, and the whole account parsed as the signing code will parse
/// it (which bounds every field's size and checks header-borne credentials, see
/// [`providers::input_limits`]).
/// Returns (base_url, public fields) to store. `stored` gives the stored secret of a field the input
/// leaves empty (on update; `None` on create).
pub fn validate_input(
    input: &AccountInput,
    stored: &mut dyn FnMut(&str) -> Option<Secret>,
) -> Result<(String, Map<String, Value>)> {
    let label = input.label.trim();
    if label.is_empty() {
        return Err(Error::missing_field("label"));
    }
    if label.chars().count() > 120 {
        return Err(Error::invalid_field("label", "too_long").with("max", 120));
    }
    providers::input_limits::check_size("notes", &input.notes)?;
    let mut public = Map::new();
    for name in public_fields(input.provider) {
        if let Some(v) = input.fields.get(&name) {
            let v = match v {
                Value::String(s) => Value::String(s.trim().to_owned()),
                other => other.clone(),
            };
            public.insert(name, v);
        }
    }
    for key in input.fields.keys() {
        if !public.contains_key(key) && key != "base_url" && !secret_fields(input.provider).contains(key) {
            return Err(Error::invalid_field(key, "unknown_field"));
        }
    }
    let base_url = match input.environment {
        Environment::Sandbox => SANDBOX_BASE_URL.to_owned(),
        Environment::Production => match input.base_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(u) => u.to_owned(),
            None => production_base_url(input.provider, &public).ok_or_else(|| Error::missing_field("base_url"))?,
        },
        Environment::Custom => input
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::missing_field("base_url"))?
            .to_owned(),
    };
    if base_url != SANDBOX_BASE_URL {
        providers::account::validate_base_url(&base_url)?;
    }
    // Parse the whole account as the signing code will, so every field error shows at save time.
    let mut map = public.clone();
    map.insert(
        "base_url".into(),
        Value::String(if base_url == SANDBOX_BASE_URL { "http://127.0.0.1".into() } else { base_url.clone() }),
    );
    let mut lookup = |name: &str| -> Option<Secret> { input.entered_secret(name).or_else(|| stored(name)) };
    Account::from_parts(input.provider, &map, &mut lookup)?;
    Ok((base_url, public))
}

/// Stored secrets belong to the host they were entered for. When an update moves the account to
/// another host (scheme, host or port of the base URL) or another environment, every secret stored
/// for it (`stored`, by name) must be entered again in the same update, so a changed address (a mistake,
/// or a compromised window) cannot make "Test connection" or a resend carry the saved credentials to a
/// new server. Fails with `accounts.secrets_required_for_new_host`, naming the missing secrets in
/// `fields` (and the first in `field`), before anything is written. Shared accounts follow the same rule
/// (`team::shared`).
pub fn secrets_required_for_new_host(
    environment: Environment,
    base_url: &str,
    stored: &[impl AsRef<str>],
    input: &AccountInput,
    new_base_url: &str,
) -> Result<()> {
    if environment == input.environment && same_host(base_url, new_base_url) {
        return Ok(());
    }
    let missing: Vec<String> = secret_fields(input.provider)
        .into_iter()
        .filter(|name| stored.iter().any(|s| s.as_ref() == name))
        .filter(|name| input.entered_secret(name).is_none())
        .collect();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(Error::new(ErrorCode::AccountsSecretsRequiredForNewHost)
            .with("field", first.as_str())
            .with("fields", missing.clone())),
    }
}

impl Accounts {
    pub fn new(vault: Arc<Vault>, clock: Arc<dyn Clock>) -> Self {
        Accounts { vault, clock }
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// Checks the input and returns (base_url, public fields) to store. `existing` is the stored
    /// account on update (its secrets stand in for those not replaced).
    fn validate(&self, input: &AccountInput, existing: Option<i64>) -> Result<(String, Map<String, Value>)> {
        validate_input(input, &mut |name| existing.and_then(|id| self.vault.get(id, name).ok().flatten()))
    }

    pub fn create(&self, input: &AccountInput) -> Result<AccountView> {
        let (base_url, public) = self.validate(input, None)?;
        // No keyring, no account: fail before writing anything.
        self.vault.ensure_ready()?;
        let now = self.clock.now_ms();
        let id = {
            let mut conn = self.vault.db().conn();
            let tx = write_transaction(&mut conn)?;
            tx.execute(
                "INSERT INTO accounts (provider, label, environment, base_url, fields, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    input.provider.as_str(),
                    input.label.trim(),
                    input.environment.as_str(),
                    base_url,
                    Value::Object(public).to_string(),
                    input.notes.trim(),
                    now
                ],
            )
            .map_err(storage_error)?;
            let id = tx.last_insert_rowid();
            self.put_secrets(&tx, id, input, now)?;
            tx.commit().map_err(storage_error)?;
            id
        };
        tracing::info!(account_id = id, provider = %input.provider, environment = input.environment.as_str(), "account created");
        self.get(id)
    }

    fn put_secrets(&self, tx: &rusqlite::Connection, id: i64, input: &AccountInput, now: i64) -> Result<()> {
        let allowed = secret_fields(input.provider);
        for name in input.secrets.keys() {
            let Some(secret) = input.entered_secret(name) else { continue };
            if !allowed.contains(name) {
                return Err(Error::invalid_field(name, "unknown_field"));
            }
            crate::logging::register_secret(&secret);
            self.vault.put_in(tx, id, name, &secret, now)?;
        }
        Ok(())
    }

    /// Saves `input` over account `id`; with a `basis` (the account as the editor showed it), only while the
    /// account still has it (see [`AccountBasis`]).
    pub fn update(&self, id: i64, input: &AccountInput, basis: Option<&AccountBasis>) -> Result<AccountView> {
        let current = self.get(id)?;
        if current.provider != input.provider {
            return Err(Error::invalid_field("provider", "cannot_change"));
        }
        let reentry = self.check_reentry(&current, input)?;
        let (base_url, public) = self.validate(input, Some(id))?;
        self.check_secrets_for_new_host(id, &current, input, &base_url)?;
        if reentry {
            self.vault.ensure_ready_for_reentry()?;
        } else if input.secrets.keys().any(|name| input.entered_secret(name).is_some()) {
            self.vault.ensure_ready()?;
        }
        let now = self.clock.now_ms();
        {
            let mut conn = self.vault.db().conn();
            let tx = write_transaction(&mut conn)?;
            if let Some(basis) = basis {
                basis.check(&stored_basis(&tx, id)?)?;
            }
            tx.execute(
                "UPDATE accounts SET label = ?2, environment = ?3, base_url = ?4, fields = ?5, notes = ?6, updated_at = ?7
                 WHERE id = ?1",
                params![
                    id,
                    input.label.trim(),
                    input.environment.as_str(),
                    base_url,
                    Value::Object(public).to_string(),
                    input.notes.trim(),
                    now
                ],
            )
            .map_err(storage_error)?;
            self.put_secrets(&tx, id, input, now)?;
            tx.commit().map_err(storage_error)?;
        }
        tracing::info!(account_id = id, "account updated");
        self.get(id)
    }

    /// An account whose saved secrets need re-entry (their master key is gone from the keyring) is saved
    /// only with every one of them entered again: otherwise `vault.master_key_lost` naming the missing ones
    /// in `fields` (and the first in `field`), before anything is written. Returns whether this update is
    /// such a re-entry (it may then create a new master key, see [`Vault`]).
    fn check_reentry(&self, current: &AccountView, input: &AccountInput) -> Result<bool> {
        let lost: Vec<&str> = current.secrets.iter().filter(|s| s.needs_reentry).map(|s| s.name.as_str()).collect();
        if lost.is_empty() {
            return Ok(false);
        }
        let missing: Vec<&str> = lost.into_iter().filter(|name| input.entered_secret(name).is_none()).collect();
        match missing.first() {
            None => Ok(true),
            Some(first) => Err(Error::new(ErrorCode::VaultMasterKeyLost)
                .with("entry", crate::vault::MASTER_KEY_ENTRY)
                .with("service", crate::paths::APP_IDENTIFIER)
                .with("field", *first)
                .with("fields", missing.clone())),
        }
    }

    /// See [`secrets_required_for_new_host`]; the stored secrets are this installation's.
    fn check_secrets_for_new_host(
        &self,
        id: i64,
        current: &AccountView,
        input: &AccountInput,
        new_base_url: &str,
    ) -> Result<()> {
        secrets_required_for_new_host(
            current.environment,
            &current.base_url,
            &self.vault.names(id)?,
            input,
            new_base_url,
        )
    }

    /// Deletes the account and its secrets. History rows keep the account's label.
    pub fn delete(&self, id: i64) -> Result<()> {
        let n = self.vault.db().conn().execute("DELETE FROM accounts WHERE id = ?1", [id]).map_err(storage_error)?;
        if n == 0 {
            return Err(Error::new(ErrorCode::InputInvalid).with("field", "account_id").with("reason", "not_found"));
        }
        tracing::info!(account_id = id, "account deleted");
        Ok(())
    }

    pub fn list(&self) -> Result<Vec<AccountView>> {
        let ids: Vec<i64> = {
            let conn = self.vault.db().conn();
            let mut stmt =
                conn.prepare("SELECT id FROM accounts ORDER BY provider, label, id").map_err(storage_error)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(storage_error)?;
            rows.collect::<std::result::Result<_, _>>().map_err(storage_error)?
        };
        ids.into_iter().map(|id| self.get(id)).collect()
    }

    pub fn get(&self, id: i64) -> Result<AccountView> {
        type Row = (String, String, String, String, String, String, i64, i64, Option<i64>);
        let row: Option<Row> = self
            .vault
            .db()
            .conn()
            .query_row(
                "SELECT provider, label, environment, base_url, fields, notes, created_at, updated_at, team_account_id
                 FROM accounts WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                },
            )
            .optional()
            .map_err(storage_error)?;
        let Some((provider, label, environment, base_url, fields, notes, created, updated, team_account_id)) = row
        else {
            return Err(Error::new(ErrorCode::InputInvalid).with("field", "account_id").with("reason", "not_found"));
        };
        let provider = ProviderId::parse(&provider)?;
        let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
        let sealed = self.vault.sealed(id)?;
        let secrets: Vec<SecretState> = secret_fields(provider)
            .into_iter()
            .map(|name| {
                let state = sealed.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
                SecretState {
                    set: state == Some(Sealed::Readable),
                    needs_reentry: state == Some(Sealed::KeyLost),
                    name,
                }
            })
            .collect();
        let secrets_need_reentry = secrets.iter().any(|s| s.needs_reentry);
        // The fingerprint of a client certificate the account holds (what the provider matches it by).
        let certificate_fingerprint = providers::descriptor(provider)
            .account_fields
            .iter()
            .find(|f| f.kind == providers::FieldKind::Certificate)
            .and_then(|f| self.vault.get(id, &f.name).ok().flatten())
            .and_then(|c| providers::account::cert_fingerprint(c.expose()).ok());
        Ok(AccountView {
            id,
            provider,
            label,
            environment: Environment::parse(&environment).unwrap_or(Environment::Custom),
            base_url,
            fields,
            notes,
            secrets,
            secrets_need_reentry,
            certificate_fingerprint,
            created_at_ms: created,
            updated_at_ms: updated,
            team_account_id,
        })
    }

    /// The account ready for signing: public fields plus secrets from the vault. `sandbox_url` is the
    /// running sandbox's base URL for the provider (needed for sandbox accounts).
    pub fn signing_account(&self, id: i64, sandbox_root: Option<&str>) -> Result<(AccountView, Account)> {
        let view = self.get(id)?;
        let mut map = view.fields.clone();
        // A sandbox account is resolved to the running sandbox here, and only here.
        let sandbox = if view.base_url == SANDBOX_BASE_URL {
            let root = sandbox_root
                .ok_or_else(|| Error::new(ErrorCode::NetworkConnectionFailed).detail("the sandbox is not running"))?;
            Some(root)
        } else {
            None
        };
        let base = sandbox.map_or_else(|| view.base_url.clone(), |root| sandbox_base_url(root, &view));
        map.insert("base_url".into(), Value::String(base));
        let mut err = None;
        let mut lookup = |name: &str| match self.vault.get(id, name) {
            Ok(v) => v,
            Err(e) => {
                err.get_or_insert(e);
                None
            }
        };
        // Only a sandbox account (its environment and its marker) is parsed as one.
        let parsed = match sandbox.filter(|_| view.environment == Environment::Sandbox) {
            Some(root) => Account::from_sandbox_parts(view.provider, &map, &mut lookup, root),
            None => Account::from_parts(view.provider, &map, &mut lookup),
        };
        if let Some(e) = err {
            return Err(e);
        }
        let account = parsed.map_err(|e| {
            if e.code == ErrorCode::InputMissing {
                Error::new(ErrorCode::VaultSecretMissing)
                    .with("field", e.params.get("field").cloned().unwrap_or_default())
            } else {
                e
            }
        })?;
        Ok((view, account))
    }
}

impl Accounts {
    /// Creates one sandbox account per demo account of the sandbox's simulators (a sandbox at
    /// `sandbox_root`), labelled `Sandbox · <label>`. Existing sandbox accounts with the same label are
    /// left alone, so calling it twice does not duplicate them.
    pub fn create_sandbox_demo(&self, sandbox_root: &str) -> Result<Vec<AccountView>> {
        let existing: Vec<String> = self.list()?.into_iter().map(|a| a.label).collect();
        let mut created = Vec::new();
        for demo in crate::sandbox::demo_account_list(sandbox_root) {
            let Value::Object(acc) = &demo.account else { continue };
            let label = format!("Sandbox · {}", demo.label);
            if existing.contains(&label) {
                continue;
            }
            let mut input = AccountInput::from_account_file(acc, label, Some(Environment::Sandbox), String::new())?;
            input.base_url = None;
            created.push(self.create(&input)?);
        }
        Ok(created)
    }
}

/// The base URL of the running sandbox (at `sandbox_root`) for a sandbox account.
pub fn sandbox_base_url(sandbox_root: &str, view: &AccountView) -> String {
    view.provider.get().simulator().base_url_for(sandbox_root.trim_end_matches('/'), &view.fields)
}

/// The result of "Test connection".
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct TestResult {
    /// False when the provider has no side-effect-free authenticated call to test with.
    pub supported: bool,
    /// Why not, when not supported: a translation key.
    pub unsupported_key: Option<String>,
    pub ok: bool,
    /// The operation used for the test (never a resend).
    pub operation: Option<String>,
    #[ts(type = "number")]
    pub duration_ms: i64,
    pub error: Option<Error>,
}

/// Tests an account with its provider's least side-effecting authenticated call
/// ([`ProviderAccount::test_call`](crate::providers::ProviderAccount::test_call)); a provider that
/// documents no such call says why (`supported: false`; its credentials were still checked locally when
/// the account was parsed).
pub async fn test_connection(
    account: &Account,
    clock: &dyn Clock,
    transport: &dyn crate::transport::Transport,
) -> TestResult {
    let (operation, params) = match account.inner().test_call() {
        providers::TestCall::Call(op, params) => (op, params),
        providers::TestCall::Unsupported(why) => {
            return TestResult {
                supported: false,
                unsupported_key: Some(why.to_owned()),
                ok: false,
                operation: None,
                duration_ms: 0,
                error: None,
            }
        }
    };
    let started = std::time::Instant::now();
    let outcome = providers::execute(account, operation, &params, clock, transport).await;
    let ok = outcome.outcome == providers::OutcomeKind::Ok;
    // A test sends credentials and writes no history row, so it is logged (host only, never a secret).
    tracing::info!(
        provider = %account.provider(),
        operation,
        host = account.base_url().host_str().unwrap_or(""),
        ok,
        error = outcome.error.as_ref().map(|e| e.code.as_str()).unwrap_or(""),
        "connection test"
    );
    TestResult {
        supported: true,
        unsupported_key: None,
        ok,
        operation: Some(operation.to_owned()),
        duration_ms: started.elapsed().as_millis() as i64,
        error: outcome.error.map(Error::scrubbed),
    }
}

#[cfg(test)]
mod tests;
