//! Secrets behind the OS keyring: a write-only API.
//!
//! The vault stores, replaces, deletes and answers "is it set?". Only the core's signing code reads a
//! secret back, and it never leaves the process. The keyring is the real platform store (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows); there is no plaintext fallback. When no
//! keyring answers, every call fails with `vault.keyring_unavailable` and nothing is stored.

use crate::error::{Error, ErrorCode, Result};
use crate::paths::APP_IDENTIFIER;
use crate::secret::Secret;
use rusqlite::OptionalExtension;
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

/// The lock file in the data folder that processes hold while they create the master key.
pub const MASTER_KEY_LOCK_FILE: &str = "master-key.lock";

/// A master key and its id.
#[derive(Clone)]
struct MasterKey {
    bytes: zeroize::Zeroizing<[u8; 32]>,
    id: String,
}

impl MasterKey {
    fn new(bytes: zeroize::Zeroizing<[u8; 32]>) -> MasterKey {
        let id = key_id(&bytes);
        MasterKey { bytes, id }
    }
}

/// The id of a master key, stored beside every secret it seals so that a secret sealed under a key the
/// keyring no longer holds is known without trying to open it: the first 16 bytes of
/// HMAC-SHA256(key, "callback-desk master key id"), in hex. It tells nothing about the key.
fn key_id(key: &[u8; 32]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"callback-desk master key id");
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A stored secret as the account views report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    /// Sealed under the master key the keyring holds. Also reported when the keyring cannot be asked right
    /// now (the status line says so, and using a secret fails with `vault.keyring_unavailable`).
    Readable,
    /// Sealed under a master key the keyring no longer holds: it must be entered again.
    KeyLost,
}

/// Who may create the master key when the keyring holds none (see [`Vault`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Creation {
    /// Only when no secret is sealed in the database at all (first use).
    FirstUse,
    /// Also when sealed secrets exist that nothing can read any more: the user is entering again every
    /// secret of an account whose secrets need re-entry.
    ReEntry,
}

/// Account secrets at rest: encrypted with XChaCha20-Poly1305 under a random 256-bit master key that lives
/// only in the OS keyring; the ciphertexts live in the database (`account_secrets`), with
/// `"<account id>/<secret name>"` as associated data so a ciphertext cannot be moved to another account
/// or field, and the id of the key that sealed them ([`key_id`]). This keeps every platform within its
/// keyring's limits (Windows Credential Manager: 2560 bytes per entry, less than a 4096-bit RSA key in
/// PEM) and keeps one keyring entry per installation.
///
/// No keyring → no master key → every write fails with `vault.keyring_unavailable` before anything is
/// stored.
///
/// **When a master key is created.** Reads never create one. A write creates it, when the keyring holds
/// none, only if that hides no secret the user does not know about: on first use (no sealed secret in
/// the database), or when the user enters again every secret of an account whose secrets need re-entry
/// (at that point no sealed secret is readable: the keyring has no key). Any other write while sealed
/// secrets exist and the key is gone fails with `vault.master_key_lost`, never with a silent new key. The
/// key is created under an exclusive lock on [`MASTER_KEY_LOCK_FILE`] in the data folder, after reading
/// the keyring again inside the lock, and read back after writing, so processes starting together on
/// one data folder converge on one key.
///
/// **A lost key.** When the keyring no longer holds the key that sealed a secret (a new keyring, another
/// user, a reset), the secret is reported as needing re-entry ([`Sealed::KeyLost`]) and reading it fails
/// with `vault.master_key_lost`; saving a replacement seals it under the keyring's current key.
pub struct Vault {
    store: std::sync::Arc<dyn SecretStore>,
    db: crate::db::Db,
    key: Mutex<Option<MasterKey>>,
}

/// Held while a process creates the master key: the lock file of the data folder (other processes), and a
/// lock of this process (other vaults here, and in-memory databases without a folder).
struct CreationLock {
    _file: Option<std::fs::File>,
    _here: std::sync::MutexGuard<'static, ()>,
}

fn lost() -> Error {
    Error::new(ErrorCode::VaultMasterKeyLost).with("entry", MASTER_KEY_ENTRY).with("service", APP_IDENTIFIER)
}

impl Vault {
    pub fn new(store: std::sync::Arc<dyn SecretStore>, db: crate::db::Db) -> Self {
        Vault { store, db, key: Mutex::new(None) }
    }

    pub fn db(&self) -> &crate::db::Db {
        &self.db
    }

    fn cached(&self) -> Option<MasterKey> {
        self.key.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The master key in the keyring, if any (never cached: another process may create or remove it).
    fn read_keyring(&self) -> Result<Option<MasterKey>> {
        use base64::Engine;
        let Some(s) = self.store.get(MASTER_KEY_ENTRY)? else { return Ok(None) };
        let damaged =
            || Error::new(ErrorCode::VaultKeyringUnavailable).detail("the master key in the keyring is damaged");
        let bytes = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD.decode(s.expose()).map_err(|_| damaged())?,
        );
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| damaged())?;
        Ok(Some(MasterKey::new(zeroize::Zeroizing::new(arr))))
    }

    /// The master key: cached, or read from the keyring (then cached). Never creates one.
    fn loaded(&self) -> Result<Option<MasterKey>> {
        if let Some(k) = self.cached() {
            return Ok(Some(k));
        }
        let Some(k) = self.read_keyring()? else { return Ok(None) };
        self.label_unlabelled(&k)?;
        *self.key.lock().unwrap_or_else(|e| e.into_inner()) = Some(k.clone());
        Ok(Some(k))
    }

    /// Secrets sealed by a version that did not record the key's id get it when this key opens them;
    /// those it does not open keep none (their key is gone).
    fn label_unlabelled(&self, key: &MasterKey) -> Result<()> {
        let conn = self.db.conn();
        let rows: Vec<(i64, String, Vec<u8>, Vec<u8>)> = {
            let mut stmt = conn
                .prepare("SELECT account_id, name, nonce, ciphertext FROM account_secrets WHERE key_id IS NULL")
                .map_err(crate::db::storage_error)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(crate::db::storage_error)?;
            rows.collect::<std::result::Result<_, _>>().map_err(crate::db::storage_error)?
        };
        for (account_id, name, nonce, ct) in rows {
            if Self::decrypt(key, account_id, &name, &nonce, &ct).is_some() {
                conn.execute(
                    "UPDATE account_secrets SET key_id = ?3 WHERE account_id = ?1 AND name = ?2 AND key_id IS NULL",
                    rusqlite::params![account_id, name, key.id],
                )
                .map_err(crate::db::storage_error)?;
            }
        }
        Ok(())
    }

    /// Whether any secret is sealed in the database.
    fn any_sealed(&self) -> Result<bool> {
        self.db
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM account_secrets) OR EXISTS (SELECT 1 FROM app_secrets)", [], |r| {
                r.get(0)
            })
            .map_err(crate::db::storage_error)
    }

    fn creation_lock(&self) -> Result<CreationLock> {
        static HERE: Mutex<()> = Mutex::new(());
        let here = HERE.lock().unwrap_or_else(|e| e.into_inner());
        let file = match self.db.dir() {
            None => None,
            Some(dir) => {
                let path = dir.join(MASTER_KEY_LOCK_FILE);
                crate::paths::ensure_private_file(&path).map_err(crate::db::storage_error)?;
                let file = std::fs::File::open(&path).map_err(crate::db::storage_error)?;
                file.lock().map_err(crate::db::storage_error)?;
                Some(file)
            }
        };
        Ok(CreationLock { _file: file, _here: here })
    }

    /// The master key for sealing: loaded, or created as [`Vault`] describes.
    fn key_for_writing(&self, creation: Creation) -> Result<MasterKey> {
        if let Some(k) = self.loaded()? {
            return Ok(k);
        }
        let _lock = self.creation_lock()?;
        // Another process may have created it while this one waited for the lock.
        if let Some(k) = self.loaded()? {
            return Ok(k);
        }
        if creation == Creation::FirstUse && self.any_sealed()? {
            return Err(lost());
        }
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        let encoded = Secret::new(base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()));
        self.store.set(MASTER_KEY_ENTRY, &encoded)?;
        // What the keyring now holds is what every later read gets: seal with that.
        let key = self.read_keyring()?.ok_or_else(|| {
            Error::new(ErrorCode::VaultKeyringUnavailable).detail("the master key just written could not be read back")
        })?;
        if key.id != MasterKey::new(bytes).id {
            tracing::warn!("another process wrote the master key at the same moment; using the keyring's");
        }
        tracing::info!(reentry = creation == Creation::ReEntry, "master key created");
        *self.key.lock().unwrap_or_else(|e| e.into_inner()) = Some(key.clone());
        Ok(key)
    }

    /// Makes sure a master key exists before anything that goes with a secret is written, creating it on
    /// first use; a missing keyring stops the whole operation up front (`vault.keyring_unavailable`), and so
    /// does a lost key while sealed secrets exist (`vault.master_key_lost`).
    pub fn ensure_ready(&self) -> Result<()> {
        self.key_for_writing(Creation::FirstUse).map(|_| ())
    }

    /// [`Vault::ensure_ready`] for a save that enters again every secret of an account whose secrets need
    /// re-entry: creates the master key also when sealed secrets exist that no key in the keyring opens.
    pub fn ensure_ready_for_reentry(&self) -> Result<()> {
        self.key_for_writing(Creation::ReEntry).map(|_| ())
    }

    fn aad(account_id: i64, name: &str) -> Vec<u8> {
        format!("{account_id}/{name}").into_bytes()
    }

    /// Encrypts a secret for storage under the master key made ready before ([`Vault::ensure_ready`]):
    /// returns (nonce, ciphertext, key id).
    pub fn seal(&self, account_id: i64, name: &str, value: &Secret) -> Result<(Vec<u8>, Vec<u8>, String)> {
        self.seal_with(&Self::aad(account_id, name), value)
    }

    /// Encrypts under the master key, bound to `aad` (what the secret belongs to).
    fn seal_with(&self, aad: &[u8], value: &Secret) -> Result<(Vec<u8>, Vec<u8>, String)> {
        use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
        use chacha20poly1305::XChaCha20Poly1305;
        let key = self.cached().ok_or_else(|| Error::internal("the vault was not made ready before sealing"))?;
        let cipher = XChaCha20Poly1305::new(key.bytes.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut rand::rngs::OsRng);
        let ct = cipher
            .encrypt(&nonce, Payload { msg: value.expose().as_bytes(), aad })
            .map_err(|_| Error::internal("encryption failed"))?;
        Ok((nonce.to_vec(), ct, key.id))
    }

    fn decrypt(
        key: &MasterKey,
        account_id: i64,
        name: &str,
        nonce: &[u8],
        ct: &[u8],
    ) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        Self::decrypt_with(key, &Self::aad(account_id, name), nonce, ct)
    }

    fn decrypt_with(key: &MasterKey, aad: &[u8], nonce: &[u8], ct: &[u8]) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        if nonce.len() != 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new(key.bytes.as_ref().into());
        cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).ok().map(zeroize::Zeroizing::new)
    }

    fn app_aad(name: &str) -> Vec<u8> {
        format!("app/{name}").into_bytes()
    }

    /// Stores (or replaces) a secret of the app itself rather than of an account (the team database
    /// password), sealed like account secrets; creates the master key on first use.
    pub fn put_app_secret(&self, name: &str, value: &Secret, now_ms: i64) -> Result<()> {
        self.ensure_ready()?;
        let (nonce, ct, key_id) = self.seal_with(&Self::app_aad(name), value)?;
        self.db
            .conn()
            .execute(
                "INSERT INTO app_secrets (name, nonce, ciphertext, key_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                 key_id = excluded.key_id, updated_at = excluded.updated_at",
                rusqlite::params![name, nonce, ct, key_id, now_ms],
            )
            .map_err(crate::db::storage_error)?;
        Ok(())
    }

    /// Reads a secret of the app (core code only). Sealed under a key the keyring no longer holds:
    /// `vault.master_key_lost` naming `field`.
    pub fn get_app_secret(&self, name: &str) -> Result<Option<Secret>> {
        let row: Option<(Vec<u8>, Vec<u8>, String)> = self
            .db
            .conn()
            .query_row("SELECT nonce, ciphertext, key_id FROM app_secrets WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(crate::db::storage_error)?;
        let Some((nonce, ct, sealed_by)) = row else { return Ok(None) };
        let key = match self.loaded()? {
            Some(k) if sealed_by == k.id => k,
            _ => return Err(lost().with("field", name)),
        };
        let missing = || Error::new(ErrorCode::VaultSecretMissing).with("field", name);
        let plain = Self::decrypt_with(&key, &Self::app_aad(name), &nonce, &ct).ok_or_else(missing)?;
        let secret = Secret::new(String::from_utf8(plain.to_vec()).map_err(|_| missing())?);
        crate::logging::register_secret(&secret);
        Ok(Some(secret))
    }

    /// Forgets a secret of the app.
    pub fn delete_app_secret(&self, name: &str) -> Result<()> {
        self.db.conn().execute("DELETE FROM app_secrets WHERE name = ?1", [name]).map_err(crate::db::storage_error)?;
        Ok(())
    }

    /// Stores (or replaces) one secret of an account, inside the caller's transaction. Call
    /// [`Vault::ensure_ready`] (or [`Vault::ensure_ready_for_reentry`]) first.
    pub fn put_in(
        &self,
        tx: &rusqlite::Connection,
        account_id: i64,
        name: &str,
        value: &Secret,
        now_ms: i64,
    ) -> Result<()> {
        let (nonce, ct, key_id) = self.seal(account_id, name, value)?;
        tx.execute(
            "INSERT INTO account_secrets (account_id, name, nonce, ciphertext, updated_at, key_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(account_id, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
             updated_at = excluded.updated_at, key_id = excluded.key_id",
            rusqlite::params![account_id, name, nonce, ct, now_ms, key_id],
        )
        .map_err(crate::db::storage_error)?;
        Ok(())
    }

    /// Reads one secret of an account (core signing code only; never returned to the UI). A secret sealed
    /// under a key the keyring no longer holds is `vault.master_key_lost` (naming `field` and
    /// `account_id`); a ciphertext that does not open under its own key is `vault.secret_missing`.
    pub fn get(&self, account_id: i64, name: &str) -> Result<Option<Secret>> {
        type Row = (Vec<u8>, Vec<u8>, Option<String>);
        let row: Option<Row> = self
            .db
            .conn()
            .query_row(
                "SELECT nonce, ciphertext, key_id FROM account_secrets WHERE account_id = ?1 AND name = ?2",
                rusqlite::params![account_id, name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(crate::db::storage_error)?;
        let Some((nonce, ct, sealed_by)) = row else { return Ok(None) };
        let key = match self.loaded()? {
            Some(k) if sealed_by.as_deref() == Some(k.id.as_str()) => k,
            _ => return Err(lost().with("field", name).with("account_id", account_id)),
        };
        let missing = || Error::new(ErrorCode::VaultSecretMissing).with("field", name).with("account_id", account_id);
        let plain = Self::decrypt(&key, account_id, name, &nonce, &ct).ok_or_else(missing)?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| missing())?;
        let secret = Secret::new(text);
        crate::logging::register_secret(&secret);
        Ok(Some(secret))
    }

    /// The secrets stored for an account, by name, and whether each can be read (no decryption). When the
    /// keyring cannot be asked, every stored secret is reported [`Sealed::Readable`].
    pub fn sealed(&self, account_id: i64) -> Result<Vec<(String, Sealed)>> {
        let current = match self.loaded() {
            Ok(k) => Some(k.map(|k| k.id)),
            Err(e) if e.code == ErrorCode::VaultKeyringUnavailable => None,
            Err(e) => return Err(e),
        };
        let conn = self.db.conn();
        let mut stmt = conn
            .prepare_cached("SELECT name, key_id FROM account_secrets WHERE account_id = ?1 ORDER BY name")
            .map_err(crate::db::storage_error)?;
        let rows = stmt
            .query_map([account_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(crate::db::storage_error)?;
        rows.map(|r| {
            let (name, sealed_by) = r.map_err(crate::db::storage_error)?;
            let state = match &current {
                Some(current) if sealed_by.is_none() || sealed_by != *current => Sealed::KeyLost,
                _ => Sealed::Readable,
            };
            Ok((name, state))
        })
        .collect()
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
        v.ensure_ready().unwrap();
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
    fn app_secrets_are_sealed_bound_to_their_name_and_count_as_sealed_when_the_key_is_lost() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        let canary = "team-password-canary-1234";
        v.put_app_secret("team.database_password", &Secret::new(canary), 0).unwrap();
        assert_eq!(v.get_app_secret("team.database_password").unwrap().unwrap().expose(), canary);
        assert!(v.get_app_secret("other").unwrap().is_none());
        let ct: Vec<u8> = v.db().conn().query_row("SELECT ciphertext FROM app_secrets", [], |r| r.get(0)).unwrap();
        assert!(!ct.windows(canary.len()).any(|w| w == canary.as_bytes()));
        // Under another name it does not open.
        v.db().conn().execute("UPDATE app_secrets SET name = 'other'", []).unwrap();
        assert_eq!(v.get_app_secret("other").unwrap_err().code, ErrorCode::VaultSecretMissing);
        // The key gone: reading says so, and no new key is made silently over it.
        store.delete(MASTER_KEY_ENTRY).unwrap();
        let fresh = Vault::new(store.clone(), v.db().clone());
        assert_eq!(fresh.get_app_secret("other").unwrap_err().code, ErrorCode::VaultMasterKeyLost);
        assert_eq!(fresh.ensure_ready().unwrap_err().code, ErrorCode::VaultMasterKeyLost);
        fresh.delete_app_secret("other").unwrap();
        assert!(fresh.get_app_secret("other").unwrap().is_none());
    }

    #[test]
    fn a_lost_master_key_is_reported_and_never_replaced_silently() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        v.ensure_ready().unwrap();
        v.put_in(&v.db().conn(), 1, "api_secret", &Secret::new("value-123456"), 0).unwrap();
        v.put_in(&v.db().conn(), 2, "api_secret", &Secret::new("value-654321"), 0).unwrap();
        // The keyring entry goes away (a new keyring, another user, a reset).
        store.delete(MASTER_KEY_ENTRY).unwrap();
        let fresh = Vault::new(store.clone(), v.db().clone());
        let e = fresh.get(1, "api_secret").unwrap_err();
        assert_eq!(e.code, ErrorCode::VaultMasterKeyLost);
        assert_eq!(
            (e.params["entry"].as_str(), e.params["field"].as_str()),
            (Some(MASTER_KEY_ENTRY), Some("api_secret"))
        );
        assert_eq!(fresh.sealed(1).unwrap(), vec![("api_secret".to_owned(), Sealed::KeyLost)]);
        // Neither a read nor an ordinary write creates a new key while sealed secrets exist.
        assert_eq!(fresh.ensure_ready().unwrap_err().code, ErrorCode::VaultMasterKeyLost);
        assert!(store.get(MASTER_KEY_ENTRY).unwrap().is_none(), "no key was created");
        // Entering an account's secrets again creates one; the other account still needs re-entry.
        fresh.ensure_ready_for_reentry().unwrap();
        fresh.put_in(&fresh.db().conn(), 1, "api_secret", &Secret::new("entered-again-1"), 1).unwrap();
        assert!(store.get(MASTER_KEY_ENTRY).unwrap().is_some());
        let again = Vault::new(store.clone(), v.db().clone());
        assert_eq!(again.get(1, "api_secret").unwrap().unwrap().expose(), "entered-again-1");
        assert_eq!(again.sealed(1).unwrap()[0].1, Sealed::Readable);
        assert_eq!(again.sealed(2).unwrap()[0].1, Sealed::KeyLost);
        assert_eq!(again.get(2, "api_secret").unwrap_err().code, ErrorCode::VaultMasterKeyLost);
        // A process that read the old key before it went keeps it in memory until it exits.
        assert!(v.get(2, "api_secret").is_ok());
    }

    #[test]
    fn secrets_sealed_before_key_ids_were_recorded_get_theirs_when_the_key_opens_them() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        v.ensure_ready().unwrap();
        v.put_in(&v.db().conn(), 1, "api_secret", &Secret::new("value-123456"), 0).unwrap();
        v.put_in(&v.db().conn(), 2, "api_secret", &Secret::new("value-654321"), 0).unwrap();
        // As an earlier version wrote them: no key id; and one sealed under another key.
        v.db().conn().execute("UPDATE account_secrets SET key_id = NULL", []).unwrap();
        v.db().conn().execute("UPDATE account_secrets SET ciphertext = X'00' WHERE account_id = 2", []).unwrap();
        let fresh = Vault::new(store, v.db().clone());
        assert_eq!(fresh.sealed(1).unwrap()[0].1, Sealed::Readable);
        assert_eq!(fresh.get(1, "api_secret").unwrap().unwrap().expose(), "value-123456");
        assert_eq!(fresh.sealed(2).unwrap()[0].1, Sealed::KeyLost);
    }

    #[test]
    fn vaults_creating_the_key_at_the_same_moment_agree_on_one() {
        // Eight vaults on one data folder (each its own connection), one keyring, all creating at once.
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        crate::db::Db::open_in(dir.path()).unwrap();
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let ids: Vec<String> = (0..8)
            .map(|_| {
                let (store, barrier, dir) = (store.clone(), barrier.clone(), dir.path().to_owned());
                std::thread::spawn(move || {
                    let v = Vault::new(store, crate::db::Db::open_in(&dir).unwrap());
                    barrier.wait();
                    v.ensure_ready().unwrap();
                    v.cached().unwrap().id
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        assert!(dir.path().join(MASTER_KEY_LOCK_FILE).exists());
    }

    #[test]
    fn no_keyring_means_nothing_is_written() {
        let v = vault(Arc::new(BrokenStore));
        assert_eq!(v.ensure_ready().unwrap_err().code, ErrorCode::VaultKeyringUnavailable);
        assert!(v.put_in(&v.db().conn(), 1, "api_secret", &Secret::new("value-123456"), 0).is_err());
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
