//! The SQLite database in the data folder: accounts, encrypted secrets, the action history, rate budgets
//! and bulk jobs.
//!
//! WAL mode, foreign keys on, schema versioned with `PRAGMA user_version`: each entry of [`MIGRATIONS`]
//! runs once, in order, inside a transaction. Never edit a shipped migration; append a new one.
//!
//! Several processes may open the same file at the same moment (the app's first start while the CLI runs):
//! every connection waits for another's lock rather than failing at once (`busy_timeout`, set before
//! anything else, since switching to WAL needs a lock too), and each migration runs in a transaction that
//! takes the write lock first (`BEGIN IMMEDIATE`) and reads `user_version` again inside it, so a migration
//! another process applied meanwhile is not run a second time.

use crate::error::{Error, ErrorCode, Result};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a connection waits for another's lock before reporting the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening waits for another process's migrations (migration 5 takes about 10 s per million rows).
const MIGRATION_WAIT: Duration = Duration::from_secs(120);

/// Schema migrations; index + 1 is the `user_version` after it ran.
pub const MIGRATIONS: &[&str] = &[
    // 1: merchant accounts and their encrypted secrets
    "CREATE TABLE accounts (
        id           INTEGER PRIMARY KEY,
        provider     TEXT NOT NULL,
        label        TEXT NOT NULL,
        environment  TEXT NOT NULL CHECK (environment IN ('production', 'sandbox', 'custom')),
        base_url     TEXT NOT NULL,
        fields       TEXT NOT NULL DEFAULT '{}',
        notes        TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
     );
     CREATE INDEX accounts_provider ON accounts(provider, label);
     CREATE TABLE account_secrets (
        account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        nonce        BLOB NOT NULL,
        ciphertext   BLOB NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (account_id, name)
     );",
    // 2: the action history (see src/history/)
    "CREATE TABLE history (
        id              INTEGER PRIMARY KEY,
        job_id          INTEGER,
        created_at_ms   INTEGER NOT NULL,
        finished_at_ms  INTEGER,
        account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
        account_label   TEXT NOT NULL,
        provider        TEXT NOT NULL,
        environment     TEXT NOT NULL CHECK (environment IN ('production', 'sandbox', 'custom')),
        operation       TEXT NOT NULL,
        scope           TEXT NOT NULL DEFAULT '',
        search_text     TEXT NOT NULL DEFAULT '',
        outcome         TEXT NOT NULL DEFAULT 'pending'
                        CHECK (outcome IN ('pending', 'ok', 'failed', 'unknown')),
        http_status     INTEGER,
        provider_code   TEXT,
        error_code      TEXT,
        error_params    TEXT,
        error_detail    TEXT,
        duration_ms     INTEGER,
        CHECK ((outcome = 'pending') = (finished_at_ms IS NULL))
     );
     CREATE TABLE history_payload (
        history_id  INTEGER PRIMARY KEY REFERENCES history(id) ON DELETE CASCADE,
        request     TEXT NOT NULL,
        response    TEXT
     );
     CREATE INDEX history_created ON history(created_at_ms DESC, id DESC);
     CREATE INDEX history_by_account ON history(account_id, created_at_ms DESC, id DESC);
     CREATE INDEX history_by_provider ON history(provider, created_at_ms DESC, id DESC);
     CREATE INDEX history_by_provider_outcome ON history(provider, outcome, created_at_ms DESC, id DESC);
     CREATE INDEX history_by_operation ON history(operation, created_at_ms DESC, id DESC);
     CREATE INDEX history_by_outcome ON history(outcome, created_at_ms DESC, id DESC);
     CREATE INDEX history_by_job ON history(job_id, created_at_ms DESC, id DESC) WHERE job_id IS NOT NULL;
     CREATE VIRTUAL TABLE history_fts USING fts5(
        search_text, account_label,
        content = 'history', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
     );
     CREATE TRIGGER history_fts_insert AFTER INSERT ON history BEGIN
        INSERT INTO history_fts (rowid, search_text, account_label)
        VALUES (new.id, new.search_text, new.account_label);
     END;
     CREATE TRIGGER history_fts_delete AFTER DELETE ON history BEGIN
        INSERT INTO history_fts (history_fts, rowid, search_text, account_label)
        VALUES ('delete', old.id, old.search_text, old.account_label);
     END;
     CREATE TRIGGER history_fts_update AFTER UPDATE OF search_text, account_label ON history BEGIN
        INSERT INTO history_fts (history_fts, rowid, search_text, account_label)
        VALUES ('delete', old.id, old.search_text, old.account_label);
        INSERT INTO history_fts (rowid, search_text, account_label)
        VALUES (new.id, new.search_text, new.account_label);
     END;",
    // 3: rate budgets (see src/limits.rs) and bulk jobs (see src/jobs/)
    "CREATE TABLE rate_calls (
        account_id  INTEGER NOT NULL,
        bucket      TEXT NOT NULL,
        at_ms       INTEGER NOT NULL
     );
     CREATE INDEX rate_calls_by_bucket ON rate_calls(account_id, bucket, at_ms);
     CREATE TABLE rate_state (
        account_id        INTEGER NOT NULL,
        bucket            TEXT NOT NULL,
        per_minute        INTEGER,
        per_day           INTEGER,
        blocked_until_ms  INTEGER NOT NULL DEFAULT 0,
        backoff_level     INTEGER NOT NULL DEFAULT 0,
        updated_at_ms     INTEGER NOT NULL,
        PRIMARY KEY (account_id, bucket)
     );
     CREATE TABLE jobs (
        id             INTEGER PRIMARY KEY,
        account_id     INTEGER NOT NULL,
        account_label  TEXT NOT NULL DEFAULT '',
        provider       TEXT NOT NULL,
        operation      TEXT NOT NULL,
        plan           TEXT NOT NULL,
        total          INTEGER NOT NULL,
        state          TEXT NOT NULL
                       CHECK (state IN ('running', 'paused', 'cancelled', 'done', 'interrupted')),
        next_index     INTEGER NOT NULL DEFAULT 0,
        in_flight      INTEGER,
        ok             INTEGER NOT NULL DEFAULT 0,
        failed         INTEGER NOT NULL DEFAULT 0,
        unknown        INTEGER NOT NULL DEFAULT 0,
        throttled      INTEGER NOT NULL DEFAULT 0,
        last_error     TEXT,
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL
     );
     CREATE INDEX jobs_by_state ON jobs(state, updated_at_ms DESC);",
    // 4: what each call of a job came to (its results file) and which runner holds a job (see src/jobs/)
    "CREATE TABLE job_calls (
        job_id          INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        idx             INTEGER NOT NULL,
        history_id      INTEGER,
        outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'unknown')),
        http_status     INTEGER,
        provider_code   TEXT,
        error           TEXT,
        attempts        INTEGER NOT NULL DEFAULT 1,
        finished_at_ms  INTEGER NOT NULL,
        PRIMARY KEY (job_id, idx)
     ) WITHOUT ROWID;
     CREATE TABLE job_leases (
        job_id        INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        owner         TEXT NOT NULL,
        pid           INTEGER NOT NULL,
        heartbeat_ms  INTEGER NOT NULL,
        taken_at_ms   INTEGER NOT NULL
     );",
    // 5: the history text filter (see src/history/text.rs): the FTS5 index keeps identifiers only, account
    // labels are matched through the short list of labels history holds, and the rows whose time runs
    // against their id (a clock set back) are listed, so the identifiers index can be read newest first.
    // The triggers insert with `WHERE NOT EXISTS`: `OR IGNORE` inside a trigger gives way to the conflict
    // policy of the statement firing it (e.g. the UPDATE of `ON DELETE SET NULL`).
    "DROP TRIGGER history_fts_insert;
     DROP TRIGGER history_fts_delete;
     DROP TRIGGER history_fts_update;
     DROP TABLE history_fts;
     CREATE VIRTUAL TABLE history_fts USING fts5(
        search_text,
        content = 'history', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
     );
     INSERT INTO history_fts (history_fts) VALUES ('rebuild');
     CREATE TRIGGER history_fts_insert AFTER INSERT ON history BEGIN
        INSERT INTO history_fts (rowid, search_text) VALUES (new.id, new.search_text);
     END;
     CREATE TRIGGER history_fts_delete AFTER DELETE ON history BEGIN
        INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
     END;
     CREATE TRIGGER history_fts_update AFTER UPDATE OF search_text ON history BEGIN
        INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO history_fts (rowid, search_text) VALUES (new.id, new.search_text);
     END;
     CREATE TABLE history_labels (
        id             INTEGER PRIMARY KEY,
        account_label  TEXT NOT NULL,
        account_key    INTEGER NOT NULL,
        provider       TEXT NOT NULL,
        UNIQUE (account_label, account_key, provider)
     );
     CREATE VIRTUAL TABLE history_labels_fts USING fts5(
        account_label,
        content = 'history_labels', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
     );
     CREATE TRIGGER history_labels_fts_insert AFTER INSERT ON history_labels BEGIN
        INSERT INTO history_labels_fts (rowid, account_label) VALUES (new.id, new.account_label);
     END;
     INSERT OR IGNORE INTO history_labels (account_label, account_key, provider)
        SELECT DISTINCT account_label, ifnull(account_id, 0), provider FROM history;
     CREATE TRIGGER history_labels_insert AFTER INSERT ON history BEGIN
        INSERT INTO history_labels (account_label, account_key, provider)
        SELECT new.account_label, ifnull(new.account_id, 0), new.provider
        WHERE NOT EXISTS (SELECT 1 FROM history_labels WHERE account_label = new.account_label
                          AND account_key = ifnull(new.account_id, 0) AND provider = new.provider);
     END;
     CREATE TRIGGER history_labels_update AFTER UPDATE OF account_label, account_id, provider ON history BEGIN
        INSERT INTO history_labels (account_label, account_key, provider)
        SELECT new.account_label, ifnull(new.account_id, 0), new.provider
        WHERE NOT EXISTS (SELECT 1 FROM history_labels WHERE account_label = new.account_label
                          AND account_key = ifnull(new.account_id, 0) AND provider = new.provider);
     END;
     CREATE TABLE history_unordered (id INTEGER PRIMARY KEY);
     INSERT INTO history_unordered (id)
        SELECT id FROM (
           SELECT id, created_at_ms, max(created_at_ms) OVER (
              ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
           FROM history)
        WHERE created_at_ms < before;
     CREATE TRIGGER history_unordered_insert AFTER INSERT ON history
     WHEN new.id < (SELECT max(id) FROM history WHERE id <> new.id)
       OR new.created_at_ms < (SELECT created_at_ms FROM history WHERE id <> new.id
                               ORDER BY created_at_ms DESC, id DESC LIMIT 1)
     BEGIN
        INSERT INTO history_unordered (id)
        SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM history_unordered WHERE id = new.id);
     END;
     CREATE TRIGGER history_unordered_update AFTER UPDATE OF id, created_at_ms ON history BEGIN
        INSERT INTO history_unordered (id)
        SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM history_unordered WHERE id = new.id);
     END;
     CREATE TRIGGER history_unordered_delete AFTER DELETE ON history BEGIN
        DELETE FROM history_unordered WHERE id = old.id;
     END;",
    // 6: the process that wrote each history row (see src/history/record.rs `History::mark_stale_pending_unknown`):
    // a row still pending becomes unknown only once that process is gone. Rows written before have none,
    // and count as written by a process that is gone.
    "ALTER TABLE history ADD COLUMN owner_pid INTEGER;
     ALTER TABLE history ADD COLUMN owner_started INTEGER;",
    // 7: which master key sealed each secret (its id, see src/vault.rs `key_id`), so a secret sealed under a
    // key the keyring no longer holds is known to need re-entry. Rows sealed before get theirs the first
    // time the keyring's key opens them.
    "ALTER TABLE account_secrets ADD COLUMN key_id TEXT;",
    // 8: the team workspace this installation belongs to, if any (see src/team/), and secrets of the app
    // itself rather than of an account (the team database password), sealed like account secrets.
    "CREATE TABLE team_workspace (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        host        TEXT NOT NULL,
        port        INTEGER NOT NULL,
        dbname      TEXT NOT NULL,
        login_role  TEXT NOT NULL,
        member      TEXT NOT NULL,
        joined_at   INTEGER NOT NULL
     );
     CREATE TABLE app_secrets (
        name        TEXT PRIMARY KEY,
        nonce       BLOB NOT NULL,
        ciphertext  BLOB NOT NULL,
        key_id      TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
     );",
    // 9: the outbox to the team's audit trail (see src/team/outbox.rs): in a workspace, every history row
    // gets one in the transaction that inserts it; `pushed_at` is set once the team database has it.
    "CREATE TABLE team_outbox (
        history_id  INTEGER PRIMARY KEY REFERENCES history(id) ON DELETE CASCADE,
        queued_at   INTEGER NOT NULL,
        pushed_at   INTEGER,
        audit_id    INTEGER
     );
     CREATE INDEX team_outbox_waiting ON team_outbox(history_id) WHERE pushed_at IS NULL;",
    // 10: which accounts are this installation's copy of a team workspace's shared account (see
    // src/team/shared.rs): the team database holds their fields and each member's sealed secrets; the row
    // and its vault secrets here are refreshed from it.
    "ALTER TABLE accounts ADD COLUMN team_account_id INTEGER;
     CREATE UNIQUE INDEX accounts_team_account ON accounts(team_account_id) WHERE team_account_id IS NOT NULL;",
    // 11: which jobs are this installation's run of a team workspace's job on a shared account (see
    // src/jobs/shared.rs): the team database holds its lease and progress for every member.
    "ALTER TABLE jobs ADD COLUMN team_job_id INTEGER;
     CREATE UNIQUE INDEX jobs_team_job ON jobs(team_job_id) WHERE team_job_id IS NOT NULL;",
    // 12: rate budgets per merchant instead of per stored account (see src/limits/merchant.rs): the accounts
    // of one merchant share its budget, and deleting an account and adding it again does not start it anew.
    // What was recorded for each account moves to its merchant (`merchant_of`, see [`migrate`]); where
    // several accounts are one merchant's, the stricter of what they learned wins. Deleted accounts' calls,
    // whose merchant is no longer known, are dropped.
    "CREATE TEMP TABLE account_merchants AS
        SELECT id, merchant_of(provider, base_url, fields) AS merchant FROM accounts;
     CREATE TABLE rate_calls_by_merchant (
        merchant  BLOB NOT NULL,
        bucket    TEXT NOT NULL,
        at_ms     INTEGER NOT NULL
     );
     INSERT INTO rate_calls_by_merchant (merchant, bucket, at_ms)
        SELECT m.merchant, c.bucket, c.at_ms FROM rate_calls c JOIN account_merchants m ON m.id = c.account_id
         WHERE m.merchant IS NOT NULL;
     DROP TABLE rate_calls;
     ALTER TABLE rate_calls_by_merchant RENAME TO rate_calls;
     CREATE INDEX rate_calls_by_bucket ON rate_calls(merchant, bucket, at_ms);
     CREATE TABLE rate_state_by_merchant (
        merchant          BLOB NOT NULL,
        bucket            TEXT NOT NULL,
        per_minute        INTEGER,
        per_day           INTEGER,
        blocked_until_ms  INTEGER NOT NULL DEFAULT 0,
        backoff_level     INTEGER NOT NULL DEFAULT 0,
        updated_at_ms     INTEGER NOT NULL,
        PRIMARY KEY (merchant, bucket)
     );
     INSERT INTO rate_state_by_merchant
        SELECT m.merchant, s.bucket, min(s.per_minute), min(s.per_day), max(s.blocked_until_ms),
               max(s.backoff_level), max(s.updated_at_ms)
          FROM rate_state s JOIN account_merchants m ON m.id = s.account_id
         WHERE m.merchant IS NOT NULL
         GROUP BY m.merchant, s.bucket;
     DROP TABLE rate_state;
     ALTER TABLE rate_state_by_merchant RENAME TO rate_state;
     DROP TABLE account_merchants;",
];

/// The file name of the database inside the data folder.
pub const DB_FILE: &str = "callback-desk.sqlite3";

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    /// The folder of the database file (`None` in memory).
    dir: Option<std::path::PathBuf>,
}

pub(crate) fn storage_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::StorageFailed).detail(e.to_string())
}

/// A transaction that writes: it takes the write lock when it begins (`BEGIN IMMEDIATE`), waiting for another
/// process's lock up to the busy timeout. A deferred one asks for the lock only at its first write, and SQLite
/// may then answer `database is locked` at once, without waiting, when another connection wrote meanwhile:
/// with several processes recording actions together, an action failed after its budget slot was taken.
pub(crate) fn write_transaction(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(storage_error)
}

impl Db {
    /// Opens (creating if needed) the database in `dir` and migrates it. On Unix the folder is made
    /// private to the user (0700) and the database with its WAL and shared-memory files readable by
    /// the user only (0600): the file is created with that mode before SQLite opens it, and SQLite
    /// gives its `-wal`/`-shm` files the database's mode.
    pub fn open_in(dir: &Path) -> Result<Db> {
        crate::paths::create_private_dir(dir).map_err(storage_error)?;
        let path = dir.join(DB_FILE);
        crate::paths::ensure_private_file(&path).map_err(storage_error)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.clone().into_os_string();
            side.push(suffix);
            crate::paths::restrict_file(Path::new(&side)).map_err(storage_error)?;
        }
        Db::open_file(&path)
    }

    pub fn open_file(path: &Path) -> Result<Db> {
        let conn = Connection::open(path).map_err(storage_error)?;
        Db::setup(conn, path.parent().map(Path::to_owned))
    }

    /// An in-memory database (unit tests).
    pub fn open_in_memory() -> Result<Db> {
        Db::setup(Connection::open_in_memory().map_err(storage_error)?, None)
    }

    /// The folder of the database file (the data folder), `None` for an in-memory database.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn setup(mut conn: Connection, dir: Option<std::path::PathBuf>) -> Result<Db> {
        conn.busy_timeout(MIGRATION_WAIT).map_err(storage_error)?;
        use_wal(&conn)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(storage_error)?;
        migrate(&mut conn)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(storage_error)?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)), dir })
    }

    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn schema_version(&self) -> Result<usize> {
        let v: i64 = self.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage_error)?;
        Ok(v as usize)
    }
}

/// Puts the database in WAL mode (once, when it is new). Switching needs the file to itself, and when
/// several processes open a new database together SQLite may answer "busy" at once instead of waiting (a
/// connection holding a read lock cannot wait for one that waits for it), so the switch is tried again
/// until [`MIGRATION_WAIT`] has passed.
fn use_wal(conn: &Connection) -> Result<()> {
    let mode = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0));
    let started = std::time::Instant::now();
    loop {
        let result = match mode("PRAGMA journal_mode") {
            Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(_) => mode("PRAGMA journal_mode = WAL"),
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => return Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < MIGRATION_WAIT =>
            {
                use rand::Rng;
                std::thread::sleep(Duration::from_millis(rand::thread_rng().gen_range(5..50)));
            }
            Err(e) => return Err(storage_error(e)),
        }
    }
}

fn user_version(conn: &Connection) -> Result<usize> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage_error)?;
    if v as usize > MIGRATIONS.len() {
        return Err(Error::new(ErrorCode::StorageFailed)
            .detail(format!("the database is from a newer Callback Desk (schema {v})")));
    }
    Ok(v as usize)
}

/// Runs the migrations the database lacks, one transaction each. Each takes the write lock before it
/// reads the version it starts from, so two processes opening a new data folder together never run the
/// same migration twice: the second waits, then finds it done.
fn migrate(conn: &mut Connection) -> Result<()> {
    if user_version(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    add_merchant_of(conn)?;
    loop {
        let tx = write_transaction(conn)?;
        let current = user_version(&tx)?;
        if current == MIGRATIONS.len() {
            return tx.commit().map_err(storage_error);
        }
        tx.execute_batch(MIGRATIONS[current]).map_err(storage_error)?;
        tx.pragma_update(None, "user_version", (current + 1) as i64).map_err(storage_error)?;
        tx.commit().map_err(storage_error)?;
    }
}

/// `merchant_of(provider, base_url, fields)`, for migration 12: the merchant a stored account's budget belongs
/// to ([`crate::providers::merchant::Merchant`]), NULL for a provider this version does not know.
fn add_merchant_of(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "merchant_of",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let (provider, base_url, fields) = (ctx.get::<String>(0)?, ctx.get::<String>(1)?, ctx.get::<String>(2)?);
            let provider = crate::providers::ProviderId::parse(&provider).ok();
            let fields = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&fields).ok();
            Ok(provider.zip(fields).map(|(provider, fields)| {
                crate::providers::merchant::Merchant::of(provider, &base_url, &fields).0.to_vec()
            }))
        },
    )
    .map_err(storage_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len());
        drop(db);
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len());
        let mode: String = db.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn budgets_move_from_stored_accounts_to_their_merchants() {
        use crate::providers::merchant::Merchant;
        use crate::providers::ProviderId;
        let mut conn = Connection::open_in_memory().unwrap();
        for migration in &MIGRATIONS[..11] {
            conn.execute_batch(migration).unwrap();
        }
        conn.pragma_update(None, "user_version", 11).unwrap();
        // Two accounts of wallet 7 (one tuned), one of wallet 8; account 9 was deleted.
        let url = "https://sofa.example.com";
        for (id, fields) in
            [(1, r#"{"wallet_id":7}"#), (2, r#"{"wallet_id":7,"calls_per_minute":30}"#), (3, r#"{"wallet_id":8}"#)]
        {
            conn.execute(
                "INSERT INTO accounts (id, provider, label, environment, base_url, fields, created_at, updated_at)
                 VALUES (?1, 'cybavo', 'Shop', 'production', ?2, ?3, 0, 0)",
                rusqlite::params![id, url, fields],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO rate_calls (account_id, bucket, at_ms) VALUES (1, 'wallet', 1000), (2, 'wallet', 2000),
                 (3, 'wallet', 3000), (9, 'wallet', 4000);
             INSERT INTO rate_state (account_id, bucket, per_minute, per_day, blocked_until_ms, backoff_level,
                 updated_at_ms) VALUES (1, 'wallet', 60, NULL, 0, 0, 1), (2, 'wallet', 20, NULL, 500, 1, 2);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();

        let wallet = |n: i64| {
            let fields = serde_json::json!({ "wallet_id": n });
            Merchant::of(ProviderId::parse("cybavo").unwrap(), url, fields.as_object().unwrap()).0.to_vec()
        };
        let calls = |merchant: Vec<u8>| -> Vec<i64> {
            let mut s = conn.prepare("SELECT at_ms FROM rate_calls WHERE merchant = ?1 ORDER BY at_ms").unwrap();
            s.query_map([merchant], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
        };
        assert_eq!(calls(wallet(7)), [1000, 2000], "both accounts' calls count for wallet 7");
        assert_eq!(calls(wallet(8)), [3000]);
        let total: i64 = conn.query_row("SELECT count(*) FROM rate_calls", [], |r| r.get(0)).unwrap();
        assert_eq!(total, 3, "the deleted account's call has no merchant any more");
        let learned: (i64, i64, i64) = conn
            .query_row(
                "SELECT per_minute, blocked_until_ms, backoff_level FROM rate_state WHERE merchant = ?1",
                [wallet(7)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(learned, (20, 500, 1), "the stricter of what the accounts learned");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 999).unwrap();
        }
        let err = Db::open_file(&path).err().unwrap();
        assert_eq!(err.code, ErrorCode::StorageFailed);
    }
}
