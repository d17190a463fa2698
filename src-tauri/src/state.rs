//! State shared by the commands.

use callback_desk::vault::{self, KeyringStatus, KeyringStore, SecretStore};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

#[derive(Clone)]
pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    keyring: Arc<OnceCell<KeyringStatus>>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            secrets: Arc::new(KeyringStore::new()),
            keyring: Arc::new(OnceCell::new()),
        }
    }

    /// The start-up keyring self-test, run once.
    pub async fn keyring_status(&self) -> KeyringStatus {
        self.keyring
            .get_or_init(|| async {
                let store = self.secrets.clone();
                tauri::async_runtime::spawn_blocking(move || {
                    vault::self_test(store, Duration::from_secs(10))
                })
                .await
                .unwrap_or_else(|e| KeyringStatus {
                    state: vault::KeyringState::Unavailable,
                    backend: "unknown".into(),
                    detail: Some(e.to_string()),
                })
            })
            .await
            .clone()
    }
}
