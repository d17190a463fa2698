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
        KeyringStore {
            service: service.to_owned(),
        }
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
        self.entry(name)?
            .set_password(value.expose())
            .map_err(map_keyring_error)
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
        self.items
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.expose().to_owned());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>> {
        Ok(self
            .items
            .lock()
            .unwrap()
            .get(name)
            .map(|v| Secret::new(v.clone())))
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
        Ok(Ok(())) => KeyringStatus {
            state: KeyringState::Available,
            backend,
            detail: None,
        },
        Ok(Err(e)) => KeyringStatus {
            state: KeyringState::Unavailable,
            backend,
            detail: Some(e.detail.unwrap_or_else(|| e.code.to_string())),
        },
        Err(_) => KeyringStatus {
            state: KeyringState::Unavailable,
            backend,
            detail: Some(format!(
                "no answer within {} s (is the keyring locked?)",
                timeout.as_secs()
            )),
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
        Some(_) => {
            return Err(Error::new(ErrorCode::VaultKeyringUnavailable)
                .detail("read back a different value"))
        }
        None => {
            return Err(Error::new(ErrorCode::VaultKeyringUnavailable)
                .detail("the value written was not found"))
        }
    }
    deleted?;
    if store.get(&name)?.is_some() {
        return Err(
            Error::new(ErrorCode::VaultKeyringUnavailable).detail("a deleted value is still there")
        );
    }
    Ok(())
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
        assert!(
            store.items.lock().unwrap().is_empty(),
            "the canary must be deleted"
        );
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

    #[test]
    fn a_failing_store_is_reported_unavailable() {
        let status = self_test(Arc::new(BrokenStore), Duration::from_secs(5));
        assert_eq!(status.state, KeyringState::Unavailable);
        assert_eq!(status.detail.as_deref(), Some("no bus"));
    }
}
