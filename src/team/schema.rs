//! The team database's schema: versioned migrations (SQL files under `src/team/sql/`), applied in order,
//! once each, by the database's owner account (the URL given to `team init`).
//!
//! Everything lives in the schema `callback_desk`, owned by a NOLOGIN role (`<prefix>_owner`) that the
//! migrations run as; members' login roles are in a NOLOGIN group (`<prefix>_members`) that gets only what
//! the SQL grants it. Role names are cluster-wide in PostgreSQL, so they carry a prefix made from the
//! database's name: two workspaces on one server never share a role. Never edit a shipped migration;
//! append a new one.

use super::connect::db_error;
use crate::error::Result;
use tokio_postgres::Client;

/// The migrations; index + 1 is the version after it ran.
pub const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_members.sql"),
    include_str!("sql/002_audit.sql"),
    include_str!("sql/003_budgets.sql"),
    include_str!("sql/004_keys.sql"),
    include_str!("sql/005_approvals.sql"),
    include_str!("sql/006_shared_accounts.sql"),
    include_str!("sql/007_trail.sql"),
    include_str!("sql/008_account_policy.sql"),
    include_str!("sql/009_account_roles.sql"),
    include_str!("sql/010_shared_learned_limits.sql"),
    include_str!("sql/011_job_approvals.sql"),
    include_str!("sql/012_team_jobs.sql"),
    include_str!("sql/013_shared_account_changes.sql"),
    include_str!("sql/014_trail_filters.sql"),
    include_str!("sql/015_edit_basis.sql"),
    include_str!("sql/016_edit_lock.sql"),
];

/// The role names of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleNames {
    pub prefix: String,
    /// Owns the schema and everything in it (NOLOGIN).
    pub owner: String,
    /// Every member's login role is in this group (NOLOGIN).
    pub members: String,
}

impl RoleNames {
    /// From the database's name: lower-case letters, digits and `_` only, at most 24 characters.
    pub fn for_database(dbname: &str) -> RoleNames {
        let mut prefix: String = dbname
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(24)
            .collect();
        if !prefix.starts_with(|c: char| c.is_ascii_lowercase()) {
            prefix.insert_str(0, "cbd_");
            prefix.truncate(24);
        }
        RoleNames { owner: format!("{prefix}_owner"), members: format!("{prefix}_members"), prefix }
    }
}

/// Quotes an identifier for SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the owner and member roles and the schema when missing, then applies the migrations not yet
/// applied, all in one transaction under an advisory lock (two `team init` at once: one waits). Runs as a
/// role with CREATEROLE that owns the database. Returns how many migrations ran.
pub async fn migrate(client: &mut Client, roles: &RoleNames) -> Result<usize> {
    let tx = client.transaction().await.map_err(db_error)?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('callback_desk.migrate'))", &[]).await.map_err(db_error)?;
    let exists = |name: &str| {
        let name = name.to_owned();
        let tx = &tx;
        async move {
            tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&name])
                .await
                .map(|r| r.get::<_, bool>(0))
                .map_err(db_error)
        }
    };
    let (owner, members) = (ident(&roles.owner), ident(&roles.members));
    if !exists(&roles.owner).await? {
        // CREATEROLE: the owner's SECURITY DEFINER functions create and alter members' login roles.
        tx.batch_execute(&format!("CREATE ROLE {owner} NOLOGIN CREATEROLE")).await.map_err(db_error)?;
    }
    tx.batch_execute(&format!(
        "GRANT {owner} TO CURRENT_USER;
         CREATE SCHEMA IF NOT EXISTS callback_desk AUTHORIZATION {owner};
         SET LOCAL ROLE {owner};"
    ))
    .await
    .map_err(db_error)?;
    if !exists(&roles.members).await? {
        tx.batch_execute(&format!("CREATE ROLE {members} NOLOGIN")).await.map_err(db_error)?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS callback_desk.schema_migrations (
             version    int PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );",
    )
    .await
    .map_err(db_error)?;
    let applied: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM callback_desk.schema_migrations", &[])
        .await
        .map_err(db_error)?
        .get(0);
    let mut ran = 0;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let version = i as i32 + 1;
        tx.batch_execute(&sql.replace("{{members}}", &members).replace("{{owner}}", &owner))
            .await
            .map_err(|e| db_error(e).with("migration", version))?;
        tx.execute("INSERT INTO callback_desk.schema_migrations (version) VALUES ($1)", &[&version])
            .await
            .map_err(db_error)?;
        ran += 1;
    }
    tx.execute(
        "INSERT INTO callback_desk.settings (role_prefix, members_group) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        &[&roles.prefix, &roles.members],
    )
    .await
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_come_from_the_database_name() {
        let r = RoleNames::for_database("Team-Payments");
        assert_eq!(
            (r.prefix.as_str(), r.owner.as_str(), r.members.as_str()),
            ("team_payments", "team_payments_owner", "team_payments_members")
        );
        assert_eq!(RoleNames::for_database("2026ops").prefix, "cbd_2026ops");
        assert!(RoleNames::for_database(&"x".repeat(80)).prefix.len() <= 24);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
