//! The vault against the real OS keyring (Secret Service on Linux).
//!
//! Ignored by a plain `cargo test` because it needs a running, unlocked Secret Service. The test command
//! runs it with `--ignored` inside `scripts/with-desktop-session.sh` (private D-Bus + gnome-keyring).

use callback_desk::secret::Secret;
use callback_desk::vault::{self, KeyringState, KeyringStore, SecretStore};
use std::sync::Arc;
use std::time::Duration;

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn self_test_passes_on_the_real_keyring() {
    let status = vault::self_test(Arc::new(KeyringStore::new()), Duration::from_secs(20));
    assert_eq!(status.state, KeyringState::Available, "{:?}", status.detail);
    assert_eq!(status.backend, "Secret Service");
}

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn secrets_round_trip_through_fresh_handles_and_large_values() {
    let service = unique("io.callbackdesk.test");
    let name = unique("account-1/private_key");
    // A 4096-bit RSA PKCS#8 key is about 3.2 KB of PEM; store something larger to be sure.
    let big: String = (0..5000).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
    let value = Secret::new(format!("-----BEGIN PRIVATE KEY-----\n{big}\n-----END PRIVATE KEY-----\n"));

    KeyringStore::with_service(&service).set(&name, &value).unwrap();
    // A new store object (as after a restart) reads the same value back.
    let back = KeyringStore::with_service(&service).get(&name).unwrap().expect("stored value");
    assert_eq!(back.expose(), value.expose());

    // Replacing keeps one value; deleting removes it; deleting twice is fine.
    KeyringStore::with_service(&service).set(&name, &Secret::new("replacement-value")).unwrap();
    assert_eq!(KeyringStore::with_service(&service).get(&name).unwrap().unwrap().expose(), "replacement-value");
    KeyringStore::with_service(&service).delete(&name).unwrap();
    assert!(KeyringStore::with_service(&service).get(&name).unwrap().is_none());
    KeyringStore::with_service(&service).delete(&name).unwrap();
}

#[test]
#[ignore = "needs a running Secret Service; run by the test command inside a desktop session"]
fn services_are_isolated() {
    let a = KeyringStore::with_service(&unique("io.callbackdesk.test-a"));
    let b = KeyringStore::with_service(&unique("io.callbackdesk.test-b"));
    a.set("same-name", &Secret::new("value-of-a")).unwrap();
    assert!(b.get("same-name").unwrap().is_none());
    a.delete("same-name").unwrap();
}
