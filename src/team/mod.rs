//! The team workspace: installations of one team share a PostgreSQL database where each member connects
//! as their own login role and the database itself enforces what each role may do (see docs/team.md).
//! Solo use needs none of this: an installation is in a workspace only after `team init` or `team join`.
//!
//! This file holds the [`Team`] handle (a connection as this installation's member) and [`TeamConfig`],
//! where the workspace is (in the local SQLite database; the password, and the client certificate with the
//! server's authority when the team uses them, are in the vault: [`tls`]).

pub mod admit;
pub mod approvals;
pub mod audit;
pub mod budget;
pub mod connect;
pub mod jobs;
pub mod keys;
pub mod members;
pub mod outbox;
pub mod policy;
pub mod rules;
pub mod schema;
pub mod shared;
pub mod step;
pub mod tls;
pub mod trail;
pub mod trail_csv;

use crate::db::{storage_error, Db};
use crate::error::{Error, ErrorCode, Result};
use crate::vault::Vault;
use connect::Endpoint;
use rusqlite::OptionalExtension;

/// The vault's name for this installation's team database password.
pub const PASSWORD_SECRET: &str = "team.database_password";

/// The workspace this installation joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamConfig {
    /// The team database, as this member's login role.
    pub endpoint: Endpoint,
    /// This installation's member name.
    pub member: String,
    pub joined_at_ms: i64,
}

impl TeamConfig {
    /// The workspace of the data folder, if it joined one.
    pub fn load(db: &Db) -> Result<Option<TeamConfig>> {
        db.conn()
            .query_row(
                "SELECT host, port, dbname, login_role, member, joined_at FROM team_workspace WHERE id = 1",
                [],
                |r| {
                    Ok(TeamConfig {
                        endpoint: Endpoint { host: r.get(0)?, port: r.get(1)?, dbname: r.get(2)?, user: r.get(3)? },
                        member: r.get(4)?,
                        joined_at_ms: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(storage_error)
    }

    fn save(&self, db: &Db) -> Result<()> {
        let e = &self.endpoint;
        db.conn()
            .execute(
                "INSERT INTO team_workspace (id, host, port, dbname, login_role, member, joined_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![e.host, e.port, e.dbname, e.user, self.member, self.joined_at_ms],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    /// Refuses when the data folder is in a workspace already (`team.already_joined`).
    fn ensure_none(db: &Db) -> Result<()> {
        match TeamConfig::load(db)? {
            Some(c) => Err(Error::new(ErrorCode::TeamAlreadyJoined).with("member", c.member)),
            None => Ok(()),
        }
    }
}

/// A connection to the team database as this installation's member.
pub struct Team {
    client: tokio_postgres::Client,
    config: TeamConfig,
}

impl Team {
    /// Connects as the member this data folder joined as: `team.not_joined` when it joined none,
    /// `team.offline` when the database cannot be reached.
    pub async fn open(vault: &Vault) -> Result<Team> {
        let config = TeamConfig::load(vault.db())?.ok_or_else(|| Error::new(ErrorCode::TeamNotJoined))?;
        let password = vault
            .get_app_secret(PASSWORD_SECRET)?
            .ok_or_else(|| Error::new(ErrorCode::VaultSecretMissing).with("field", PASSWORD_SECRET))?;
        let tls = tls::TeamTls::load(vault)?;
        Team::connect(config, password.expose(), &tls).await
    }

    /// Connects as `config`'s member with `password` and `tls` (what [`Team::open`] does with the vault's).
    pub async fn connect(config: TeamConfig, password: &str, tls: &tls::TeamTls) -> Result<Team> {
        let client = connect::connect(&config.endpoint, password, tls).await?;
        Ok(Team { client, config })
    }

    pub fn member(&self) -> &str {
        &self.config.member
    }

    pub fn config(&self) -> &TeamConfig {
        &self.config
    }

    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }
}

/// A new random password for a login role (192 bits, URL-safe).
fn new_password() -> crate::secret::Secret {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = zeroize::Zeroizing::new([0u8; 24]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    crate::secret::Secret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

/// What PostgreSQL stores for a password (SCRAM-SHA-256), so that no password is ever sent in SQL.
fn verifier(password: &crate::secret::Secret) -> String {
    postgres_protocol::password::scram_sha_256(password.expose().as_bytes())
}
