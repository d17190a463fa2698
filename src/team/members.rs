//! Members of a workspace: creating it (`team init`), inviting (`team invite`), joining (`team join`) and
//! listing (`team members`).
//!
//! Every member is a PostgreSQL login role. Passwords are made here, kept in the vault and reach the
//! server only as SCRAM verifiers. An invitation carries a one-time password valid for
//! [`INVITE_VALID_DAYS`]; joining replaces it with the member's own (through `callback_desk.join_member`),
//! so the invitation cannot be used twice. Creating or joining also makes the installation's key pair and
//! publishes its public key ([`super::keys`]). A member may also present a client certificate
//! ([`super::tls`]), given at `team init` / `team join` or later (`team credentials`).

use super::connect::{self, db_error, Endpoint};
use super::schema::{self, RoleNames};
use super::tls::TeamTls;
use super::{new_password, verifier, Team, TeamConfig, PASSWORD_SECRET};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};

/// How long an invitation's one-time password is valid.
pub const INVITE_VALID_DAYS: i32 = 7;
/// What every invitation code starts with (and its format's version).
const INVITE_PREFIX: &str = "cbd-invite-1.";

/// What a member may do, on the workspace or on one account; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Role {
    /// Look-ups.
    Viewer,
    /// Resends within budgets and policy.
    Operator,
    /// Approves others' requests.
    Approver,
    /// Manages members, accounts and policies.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "approver" => Ok(Role::Approver),
            "admin" => Ok(Role::Admin),
            _ => Err(Error::invalid_field("role", "team_role")),
        }
    }
}

/// One line of `team members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberView {
    pub name: String,
    pub role: Role,
}

/// A member name: a lower-case letter, then up to 31 lower-case letters, digits or `_` (it becomes part of
/// a PostgreSQL role name).
pub fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field("member", "team_member_name"))
    }
}

/// What an invitation code carries: where to connect and the one-time credentials.
#[derive(Serialize, Deserialize)]
struct Invite {
    host: String,
    port: u16,
    dbname: String,
    user: String,
    member: String,
    password: String,
}

impl Invite {
    fn encode(&self) -> String {
        use base64::Engine;
        let json = serde_json::to_vec(self).expect("an invite serializes");
        format!("{INVITE_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
    }

    fn decode(code: &str) -> Result<Invite> {
        use base64::Engine;
        let invalid = || Error::new(ErrorCode::TeamInviteInvalid);
        let body = code.trim().strip_prefix(INVITE_PREFIX).ok_or_else(invalid)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        let invite: Invite = serde_json::from_slice(&json).map_err(|_| invalid())?;
        if invite.host.is_empty() || invite.user.is_empty() {
            return Err(invalid());
        }
        crate::logging::register_secret(&Secret::new(invite.password.clone()));
        Ok(invite)
    }
}

/// `team init`: creates (or brings up to date) the schema with the database owner's URL, and makes
/// `member` the first admin with a login role of their own whose password goes to the vault. The URL's
/// password is used for this only and stored nowhere. `tls` (a client certificate, the server's authority) is
/// used for both connections and kept in the vault.
pub async fn init(
    vault: &Vault,
    clock: &dyn Clock,
    database_url: &str,
    member: &str,
    tls: &TeamTls,
) -> Result<TeamConfig> {
    check_name(member)?;
    TeamConfig::ensure_none(vault.db())?;
    let (owner_endpoint, owner_password) = Endpoint::parse_url(database_url)?;
    let owner_password = Secret::new(owner_password.unwrap_or_default());
    crate::logging::register_secret(&owner_password);
    // A keyring that is missing stops everything before the database is touched.
    vault.ensure_ready()?;
    let mut client = connect::connect(&owner_endpoint, owner_password.expose(), tls).await?;
    let roles = RoleNames::for_database(&owner_endpoint.dbname);
    let ran = schema::migrate(&mut client, &roles).await?;
    tracing::info!(ran, "team database schema up to date");

    let password = new_password();
    let tx = client.transaction().await.map_err(db_error)?;
    tx.batch_execute(&format!("SET LOCAL ROLE {}", schema::ident(&roles.owner))).await.map_err(db_error)?;
    tx.execute("LOCK TABLE callback_desk.members IN EXCLUSIVE MODE", &[]).await.map_err(db_error)?;
    let existing: i64 = tx.query_one("SELECT count(*) FROM callback_desk.members", &[]).await.map_err(db_error)?.get(0);
    if existing > 0 {
        return Err(Error::new(ErrorCode::TeamAlreadyInitialised));
    }
    // In the vault before the role exists: a crash after the commit never leaves a role without its password.
    vault.put_app_secret(PASSWORD_SECRET, &password, clock.now_ms())?;
    let login: String = tx
        .query_one("SELECT callback_desk.create_member($1, 'admin', $2, NULL, NULL)", &[&member, &verifier(&password)])
        .await
        .map_err(db_error)?
        .get(0);
    tx.commit().await.map_err(db_error)?;

    let config = TeamConfig {
        endpoint: owner_endpoint.as_user(&login),
        member: member.to_owned(),
        joined_at_ms: clock.now_ms(),
    };
    // The member's own credentials work (and this is the member the database sees) before they are kept.
    let member_client = confirm_member(&config, &password, tls).await?;
    super::keys::publish(vault, clock, &member_client).await?;
    tls.save(vault, clock.now_ms())?;
    config.save(vault.db())?;
    Ok(config)
}

/// `team invite` (admins): creates the member and their login role with a one-time password; returns the
/// invitation code to hand to them.
pub async fn invite(team: &Team, member: &str, role: Role) -> Result<String> {
    check_name(member)?;
    let password = new_password();
    let login: String = team
        .client()
        .query_one(
            "SELECT callback_desk.invite_member($1, $2, $3, now() + make_interval(days => $4))",
            &[&member, &role.as_str(), &verifier(&password), &INVITE_VALID_DAYS],
        )
        .await
        .map_err(db_error)?
        .get(0);
    let e = &team.config().endpoint;
    Ok(Invite {
        host: e.host.clone(),
        port: e.port,
        dbname: e.dbname.clone(),
        user: login,
        member: member.to_owned(),
        password: password.expose().to_owned(),
    }
    .encode())
}

/// `team join`: makes this installation the invited member. Its own password replaces the invitation's
/// (which then no longer opens anything); a join whose answer was lost (a crash after the database
/// took the new password) finishes with the password already in the vault. `tls` (a client certificate,
/// the server's authority) is presented from the first connection on and kept in the vault.
pub async fn join(vault: &Vault, clock: &dyn Clock, code: &str, tls: &TeamTls) -> Result<TeamConfig> {
    let invite = Invite::decode(code)?;
    TeamConfig::ensure_none(vault.db())?;
    vault.ensure_ready()?;
    let endpoint =
        Endpoint { host: invite.host.clone(), port: invite.port, dbname: invite.dbname.clone(), user: invite.user };
    let config = TeamConfig { endpoint, member: invite.member.clone(), joined_at_ms: clock.now_ms() };
    match connect::connect(&config.endpoint, &invite.password, tls).await {
        Ok(client) => {
            let password = new_password();
            vault.put_app_secret(PASSWORD_SECRET, &password, clock.now_ms())?;
            client.query_one("SELECT callback_desk.join_member($1)", &[&verifier(&password)]).await.map_err(|e| {
                match db_error(e) {
                    e if e.params.get("role").and_then(|r| r.as_str()) == Some("invite_used") => {
                        Error::new(ErrorCode::TeamInviteUsed)
                    }
                    e => e,
                }
            })?;
            let member_client = confirm_member(&config, &password, tls).await?;
            super::keys::publish(vault, clock, &member_client).await?;
        }
        Err(e) if e.code == ErrorCode::TeamLoginRefused => {
            // Used already, expired, or joined by this installation just before a crash.
            let Some(mine) = vault.get_app_secret(PASSWORD_SECRET)? else {
                return Err(Error::new(ErrorCode::TeamInviteUsed));
            };
            let member_client =
                confirm_member(&config, &mine, tls).await.map_err(|_| Error::new(ErrorCode::TeamInviteUsed))?;
            super::keys::publish(vault, clock, &member_client).await?;
        }
        Err(e) => return Err(e),
    }
    tls.save(vault, clock.now_ms())?;
    config.save(vault.db())?;
    Ok(config)
}

/// `team credentials`: adds or replaces this member's client certificate (and key) and/or the server's
/// authority. What is given replaces what the vault held, the rest stays; it is kept only once a connection
/// with it reaches the database as this member. Returns what is now in force.
pub async fn set_credentials(vault: &Vault, clock: &dyn Clock, given: TeamTls) -> Result<TeamTls> {
    let config = TeamConfig::load(vault.db())?.ok_or_else(|| Error::new(ErrorCode::TeamNotJoined))?;
    let password = vault
        .get_app_secret(PASSWORD_SECRET)?
        .ok_or_else(|| Error::new(ErrorCode::VaultSecretMissing).with("field", PASSWORD_SECRET))?;
    let tls = TeamTls::load(vault)?.replaced_by(given);
    confirm_member(&config, &password, &tls).await?;
    tls.save(vault, clock.now_ms())?;
    Ok(tls)
}

/// Connects with `password` and `tls` and checks the database sees this member; returns the connection.
async fn confirm_member(config: &TeamConfig, password: &Secret, tls: &TeamTls) -> Result<tokio_postgres::Client> {
    let client = connect::connect(&config.endpoint, password.expose(), tls).await?;
    let seen: Option<String> =
        client.query_one("SELECT callback_desk.current_member()", &[]).await.map_err(db_error)?.get(0);
    if seen.as_deref() != Some(config.member.as_str()) {
        return Err(Error::new(ErrorCode::TeamDatabaseFailed)
            .detail(format!("the database sees member {seen:?}, expected {}", config.member)));
    }
    Ok(client)
}

/// `team members`: every current member and their workspace role, by name.
pub async fn list(team: &Team) -> Result<Vec<MemberView>> {
    let rows = team
        .client()
        .query("SELECT name, role FROM callback_desk.members WHERE removed_at IS NULL ORDER BY name", &[])
        .await
        .map_err(db_error)?;
    rows.iter().map(|r| Ok(MemberView { name: r.get(0), role: Role::parse(r.get::<_, &str>(1))? })).collect()
}

/// Sets `member`'s role on one shared account (`None`: back to their workspace role); the account's admins
/// only, checked by the database (`callback_desk.set_account_role`, migration 009), an audit row each.
pub async fn set_account_role(team: &Team, team_account_id: i64, member: &str, role: Option<Role>) -> Result<()> {
    check_name(member)?;
    let role = role.map(|r| r.as_str());
    team.client()
        .execute("SELECT callback_desk.set_account_role($1, $2, $3)", &[&team_account_id, &member, &role])
        .await
        .map_err(db_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_fit_a_role_name() {
        for ok in ["alice", "bob_2", "z"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Alice", "2bob", "a-b", "a b", "ä", &"a".repeat(33)] {
            assert_eq!(check_name(bad).unwrap_err().params["reason"], "team_member_name", "{bad}");
        }
    }

    #[test]
    fn an_invite_code_round_trips_and_anything_else_is_refused() {
        let code = Invite {
            host: "db.example.com".into(),
            port: 5432,
            dbname: "team".into(),
            user: "team_bob".into(),
            member: "bob".into(),
            password: "one-time".into(),
        }
        .encode();
        assert!(code.starts_with(INVITE_PREFIX) && !code.contains('\n'));
        let back = Invite::decode(&code).unwrap();
        assert_eq!((back.user.as_str(), back.member.as_str(), back.password.as_str()), ("team_bob", "bob", "one-time"));
        for bad in ["", "cbd-invite-1.", "cbd-invite-1.!!!", "hello", &code[..code.len() - 4]] {
            assert_eq!(Invite::decode(bad).err().map(|e| e.code), Some(ErrorCode::TeamInviteInvalid), "{bad}");
        }
    }

    #[test]
    fn roles_parse_and_order() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Approver && Role::Approver < Role::Admin);
        assert_eq!(Role::parse("approver").unwrap(), Role::Approver);
        assert_eq!(Role::parse("root").unwrap_err().params["reason"], "team_role");
    }
}
