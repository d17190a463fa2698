//! The SQLite database in the data folder: accounts, encrypted secrets, and (later) history.
//!
//! WAL mode, foreign keys on, schema versioned with `PRAGMA user_version`: each entry of [`MIGRATIONS`]
//! runs once, in order, inside a transaction. Never edit a shipped migration; append a new one.

use crate::error::{Error, ErrorCode, Result};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

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
];

/// The file name of the database inside the data folder.
pub const DB_FILE: &str = "callback-desk.sqlite3";

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

pub(crate) fn storage_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::StorageFailed).detail(e.to_string())
}

impl Db {
    /// Opens (creating if needed) the database in `dir` and migrates it.
    pub fn open_in(dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(dir).map_err(storage_error)?;
        Db::open_file(&dir.join(DB_FILE))
    }

    pub fn open_file(path: &Path) -> Result<Db> {
        let conn = Connection::open(path).map_err(storage_error)?;
        Db::setup(conn)
    }

    /// An in-memory database (unit tests).
    pub fn open_in_memory() -> Result<Db> {
        Db::setup(Connection::open_in_memory().map_err(storage_error)?)
    }

    fn setup(mut conn: Connection) -> Result<Db> {
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(storage_error)?;
        migrate(&mut conn)?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)) })
    }

    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn schema_version(&self) -> Result<usize> {
        let v: i64 = self.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage_error)?;
        Ok(v as usize)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage_error)?;
    if current as usize > MIGRATIONS.len() {
        return Err(Error::new(ErrorCode::StorageFailed)
            .detail(format!("the database is from a newer Callback Desk (schema {current})")));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(storage_error)?;
        tx.execute_batch(sql).map_err(storage_error)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(storage_error)?;
        tx.commit().map_err(storage_error)?;
    }
    Ok(())
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
