//! With no keyring reachable, the vault reports it clearly and stores nothing (no plaintext fallback).
//!
//! Runs in a plain `cargo test`: the test points D-Bus at an address where nothing listens, so the
//! Secret Service cannot be reached whatever the machine has.

use callback_desk::secret::Secret;
use callback_desk::vault::{self, KeyringState, KeyringStore, SecretStore};
use callback_desk::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn no_secret_service_means_unavailable_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", dir.path().display()));
    std::env::remove_var("DISPLAY");

    let status = vault::self_test(Arc::new(KeyringStore::new()), Duration::from_secs(20));
    assert_eq!(status.state, KeyringState::Unavailable);
    assert!(status.detail.is_some());

    let err = KeyringStore::new().set("x", &Secret::new("canary-never-stored")).unwrap_err();
    assert_eq!(err.code, ErrorCode::VaultKeyringUnavailable);
}
