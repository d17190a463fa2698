//! Secrets behind the OS keyring: a write-only API.
//!
//! The vault stores, replaces, deletes and answers "is it set?". Only the core's signing code reads a
//! secret back, and it never leaves the process. The keyring is the real platform store (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows); there is no plaintext fallback. When no
//! keyring answers, every call fails with `vault.keyring_unavailable` and nothing is stored.

use crate::error::{Error, ErrorCode, Result};
use crate::paths::APP_IDENTIFIER;
use crate::secret::Secret;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use ts_rs::TS;

/// Something that keeps secrets by name.
pub trait SecretStore: Send + Sync {
    fn set(&self, name: &str, value: &Secret) -> Result<()>;
    fn get(&self, name: &str) -> Result<Option<Secret>>;
    fn delete(&self, name: &str) -> Result<()>;
    /// A human name of the backend, e.g. "Secret Service".
    fn backend(&self) -> &'static str;
}

/// The operating system's keyring.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new() -> Self {
        Self::with_service(APP_IDENTIFIER)
    }

    pub fn with_service(service: &str) -> Self {
        KeyringStore { service: service.to_owned() }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(map_keyring_error)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

fn map_keyring_error(e: keyring::Error) -> Error {
    // The keyring's own message never contains the secret; it names the backend failure.
    Error::new(ErrorCode::VaultKeyringUnavailable).detail(e.to_string())
}

impl SecretStore for KeyringStore {
    fn set(&self, name: &str, value: &Secret) -> Result<()> {
        self.entry(name)?.set_password(value.expose()).map_err(map_keyring_error)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn backend(&self) -> &'static str {
        if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        }
    }
}

/// An in-memory store for unit tests of code above the vault. Never used by the app or the CLI.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, String>>,
}

impl SecretStore for MemoryStore {
    fn set(&self, name: &str, value: &Secret) -> Result<()> {
        self.items.lock().unwrap().insert(name.to_owned(), value.expose().to_owned());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        Ok(self.items.lock().unwrap().get(name).map(|v| Secret::new(v.clone())))
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.items.lock().unwrap().remove(name);
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

/// What the start-up self-test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum KeyringState {
    /// A canary was written, read back identical and deleted.
    Available,
    /// No keyring answered, or it answered wrongly; secrets cannot be saved.
    Unavailable,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct KeyringStatus {
    pub state: KeyringState,
    pub backend: String,
    /// Why it is unavailable (the platform's message); `null` when available.
    pub detail: Option<String>,
}

/// Write a random canary, read it back through a fresh entry, delete it. A keyring that is locked and
/// would show a password prompt may block; the caller's `timeout` bounds the wait.
pub fn self_test(store: std::sync::Arc<dyn SecretStore>, timeout: Duration) -> KeyringStatus {
    let backend = store.backend().to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run_canary(store.as_ref()));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => KeyringStatus { state: KeyringState::Available, backend, detail: None },
        Ok(Err(e)) => KeyringStatus {
            state: KeyringState::Unavailable,
            backend,
            detail: Some(e.detail.unwrap_or_else(|| e.code.to_string())),
        },
        Err(_) => KeyringStatus {
            state: KeyringState::Unavailable,
            backend,
            detail: Some(format!("no answer within {} s (is the keyring locked?)", timeout.as_secs())),
        },
    }
}

fn run_canary(store: &dyn SecretStore) -> Result<()> {
    use rand::Rng;
    let name = format!("self-test-{:016x}", rand::thread_rng().gen::<u64>());
    let value = Secret::new(format!("canary-{:032x}", rand::thread_rng().gen::<u128>()));
    store.set(&name, &value)?;
    let back = store.get(&name);
    let deleted = store.delete(&name);
    match back? {
        Some(v) if v.expose() == value.expose() => {}
        Some(_) => return Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("read back a different value")),
        None => return Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("the value written was not found")),
    }
    deleted?;
    if store.get(&name)?.is_some() {
        return Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("a deleted value is still there"));
    }
    Ok(())
}

/// The name of the keyring entry holding the master key.
pub const MASTER_KEY_ENTRY: &str = "master-key-v1";

/// Account secrets at rest: encrypted with XChaCha20-Poly1305 under a random 256-bit master key that lives
/// only in the OS keyring; the ciphertexts live in the database (`account_secrets`), with
/// `"<account id>/<secret name>"` as associated data so a ciphertext cannot be moved to another account
/// or field. This keeps every platform within its keyring's limits (Windows Credential Manager: 2560
/// bytes per entry, less than a 4096-bit RSA key in PEM) and keeps one keyring entry per installation.
///
/// No keyring → no master key → every write fails with `vault.keyring_unavailable` before anything is
/// stored. A master key that vanished from the keyring makes old secrets unreadable: they are reported as
/// `vault.secret_missing`, never guessed.
pub struct Vault {
    store: std::sync::Arc<dyn SecretStore>,
    db: crate::db::Db,
    key: Mutex<Option<zeroize::Zeroizing<[u8; 32]>>>,
}

impl Vault {
    pub fn new(store: std::sync::Arc<dyn SecretStore>, db: crate::db::Db) -> Self {
        Vault { store, db, key: Mutex::new(None) }
    }

    pub fn db(&self) -> &crate::db::Db {
        &self.db
    }

    /// The master key, read from the keyring, or created there on first use when `create` is true.
    fn master_key(&self, create: bool) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>> {
        use base64::Engine;
        let mut cached = self.key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = cached.as_ref() {
            return Ok(Some(k.clone()));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let key = match self.store.get(MASTER_KEY_ENTRY)? {
            Some(s) => {
                let bytes = zeroize::Zeroizing::new(b64.decode(s.expose()).map_err(|_| {
                    Error::new(ErrorCode::VaultKeyringUnavailable).detail("the master key in the keyring is damaged")
                })?);
                let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    Error::new(ErrorCode::VaultKeyringUnavailable).detail("the master key in the keyring is damaged")
                })?;
                zeroize::Zeroizing::new(arr)
            }
            None if create => {
                use rand::RngCore;
                let mut arr = zeroize::Zeroizing::new([0u8; 32]);
                rand::rngs::OsRng.fill_bytes(arr.as_mut());
                self.store.set(MASTER_KEY_ENTRY, &Secret::new(b64.encode(arr.as_ref())))?;
                arr
            }
            None => return Ok(None),
        };
        *cached = Some(key.clone());
        Ok(Some(key))
    }

    /// Makes sure the master key exists (creating it if needed). Call before writing anything that
    /// goes with a secret, so that a missing keyring stops the whole operation up front.
    pub fn ensure_ready(&self) -> Result<()> {
        self.master_key(true).map(|_| ())
    }

    fn aad(account_id: i64, name: &str) -> Vec<u8> {
        format!("{account_id}/{name}").into_bytes()
    }

    /// Encrypts a secret for storage: returns (nonce, ciphertext).
    pub fn seal(&self, account_id: i64, name: &str, value: &Secret) -> Result<(Vec<u8>, Vec<u8>)> {
        use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
        use chacha20poly1305::XChaCha20Poly1305;
        let key = self.master_key(true)?.expect("created on demand");
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut rand::rngs::OsRng);
        let aad = Self::aad(account_id, name);
        let ct = cipher
            .encrypt(&nonce, Payload { msg: value.expose().as_bytes(), aad: &aad })
            .map_err(|_| Error::internal("encryption failed"))?;
        Ok((nonce.to_vec(), ct))
    }

    fn open_sealed(&self, account_id: i64, name: &str, nonce: &[u8], ct: &[u8]) -> Result<Secret> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let missing = || Error::new(ErrorCode::VaultSecretMissing).with("field", name).with("account_id", account_id);
        let key = self.master_key(false)?.ok_or_else(missing)?;
        if nonce.len() != 24 {
            return Err(missing());
        }
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = Self::aad(account_id, name);
        let plain = zeroize::Zeroizing::new(
            cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad }).map_err(|_| missing())?,
        );
        let text = String::from_utf8(plain.to_vec()).map_err(|_| missing())?;
        let secret = Secret::new(text);
        crate::logging::register_secret(&secret);
        Ok(secret)
    }

    /// Stores (or replaces) one secret of an account, inside the caller's transaction.
    pub fn put_in(
        &self,
        tx: &rusqlite::Connection,
        account_id: i64,
        name: &str,
        value: &Secret,
        now_ms: i64,
    ) -> Result<()> {
        let (nonce, ct) = self.seal(account_id, name, value)?;
        tx.execute(
            "INSERT INTO account_secrets (account_id, name, nonce, ciphertext, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(account_id, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
             updated_at = excluded.updated_at",
            rusqlite::params![account_id, name, nonce, ct, now_ms],
        )
        .map_err(crate::db::storage_error)?;
        Ok(())
    }

    /// Reads one secret of an account (core signing code only; never returned to the UI).
    pub fn get(&self, account_id: i64, name: &str) -> Result<Option<Secret>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = {
            let conn = self.db.conn();
            let mut stmt = conn
                .prepare_cached("SELECT nonce, ciphertext FROM account_secrets WHERE account_id = ?1 AND name = ?2")
                .map_err(crate::db::storage_error)?;
            let mut rows = stmt.query(rusqlite::params![account_id, name]).map_err(crate::db::storage_error)?;
            match rows.next().map_err(crate::db::storage_error)? {
                Some(r) => {
                    Some((r.get(0).map_err(crate::db::storage_error)?, r.get(1).map_err(crate::db::storage_error)?))
                }
                None => None,
            }
        };
        match row {
            Some((nonce, ct)) => self.open_sealed(account_id, name, &nonce, &ct).map(Some),
            None => Ok(None),
        }
    }

    /// The names of the secrets set for an account (no decryption).
    pub fn names(&self, account_id: i64) -> Result<Vec<String>> {
        let conn = self.db.conn();
        let mut stmt = conn
            .prepare_cached("SELECT name FROM account_secrets WHERE account_id = ?1 ORDER BY name")
            .map_err(crate::db::storage_error)?;
        let names = stmt
            .query_map([account_id], |r| r.get::<_, String>(0))
            .map_err(crate::db::storage_error)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(crate::db::storage_error)?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn memory_store_round_trip_and_self_test() {
        let store = Arc::new(MemoryStore::default());
        let status = self_test(store.clone(), Duration::from_secs(5));
        assert_eq!(status.state, KeyringState::Available);
        assert!(store.items.lock().unwrap().is_empty(), "the canary must be deleted");
    }

    struct BrokenStore;
    impl SecretStore for BrokenStore {
        fn set(&self, _: &str, _: &Secret) -> Result<()> {
            Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("no bus"))
        }
        fn get(&self, _: &str) -> Result<Option<Secret>> {
            Ok(None)
        }
        fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
        fn backend(&self) -> &'static str {
            "broken"
        }
    }

    fn vault(store: Arc<dyn SecretStore>) -> Vault {
        let db = crate::db::Db::open_in_memory().unwrap();
        db.conn()
            .execute(
                "INSERT INTO accounts (id, provider, label, environment, base_url, created_at, updated_at)
                 VALUES (1, 'cybavo', 'a', 'sandbox', 'http://127.0.0.1', 0, 0), (2, 'cybavo', 'b', 'sandbox', 'http://127.0.0.1', 0, 0)",
                [],
            )
            .unwrap();
        Vault::new(store, db)
    }

    #[test]
    fn secrets_are_encrypted_at_rest_and_bound_to_account_and_field() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        let canary = "canary-secret-value-42";
        {
            let conn = v.db().conn();
            v.put_in(&conn, 1, "api_secret", &Secret::new(canary), 0).unwrap();
        }
        assert_eq!(v.get(1, "api_secret").unwrap().unwrap().expose(), canary);
        assert_eq!(v.names(1).unwrap(), vec!["api_secret".to_string()]);
        assert!(v.get(2, "api_secret").unwrap().is_none());
        // The stored bytes do not contain the plaintext.
        let ct: Vec<u8> = v.db().conn().query_row("SELECT ciphertext FROM account_secrets", [], |r| r.get(0)).unwrap();
        assert!(!ct.windows(canary.len()).any(|w| w == canary.as_bytes()));
        // Moving the ciphertext to another account or field makes it unreadable.
        v.db().conn().execute("UPDATE account_secrets SET account_id = 2", []).unwrap();
        assert_eq!(v.get(2, "api_secret").unwrap_err().code, ErrorCode::VaultSecretMissing);
        // A new vault over the same keyring reads the same master key.
        v.db().conn().execute("UPDATE account_secrets SET account_id = 1", []).unwrap();
        let again = Vault::new(store, v.db().clone());
        assert_eq!(again.get(1, "api_secret").unwrap().unwrap().expose(), canary);
    }

    #[test]
    fn a_lost_master_key_reports_missing_secrets() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        v.put_in(&v.db().conn(), 1, "api_secret", &Secret::new("value-123456"), 0).unwrap();
        store.delete(MASTER_KEY_ENTRY).unwrap();
        let fresh = Vault::new(store, v.db().clone());
        assert_eq!(fresh.get(1, "api_secret").unwrap_err().code, ErrorCode::VaultSecretMissing);
    }

    #[test]
    fn no_keyring_means_nothing_is_written() {
        let v = vault(Arc::new(BrokenStore));
        assert_eq!(v.ensure_ready().unwrap_err().code, ErrorCode::VaultKeyringUnavailable);
        let err = v.put_in(&v.db().conn(), 1, "api_secret", &Secret::new("value-123456"), 0).unwrap_err();
        assert_eq!(err.code, ErrorCode::VaultKeyringUnavailable);
        let n: i64 = v.db().conn().query_row("SELECT count(*) FROM account_secrets", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn a_failing_store_is_reported_unavailable() {
        let status = self_test(Arc::new(BrokenStore), Duration::from_secs(5));
        assert_eq!(status.state, KeyringState::Unavailable);
        assert_eq!(status.detail.as_deref(), Some("no bus"));
    }
}
