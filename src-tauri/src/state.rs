//! State shared by the commands.

use callback_desk::accounts::Accounts;
use callback_desk::clock::{Clock, SystemClock};
use callback_desk::db::Db;
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::{self, KeyringStatus, KeyringStore, SecretStore, Vault};
use callback_desk::{paths, Error};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};

#[derive(Clone)]
pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    keyring: Arc<OnceCell<KeyringStatus>>,
    accounts: Arc<OnceCell<Arc<Accounts>>>,
    transport: Arc<OnceCell<Arc<HttpTransport>>>,
    sandbox: Arc<Mutex<Option<SandboxHandle>>>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            secrets: Arc::new(KeyringStore::new()),
            clock: Arc::new(SystemClock),
            keyring: Arc::new(OnceCell::new()),
            accounts: Arc::new(OnceCell::new()),
            transport: Arc::new(OnceCell::new()),
            sandbox: Arc::new(Mutex::new(None)),
        }
    }

    /// The start-up keyring self-test, run once.
    pub async fn keyring_status(&self) -> KeyringStatus {
        self.keyring
            .get_or_init(|| async {
                let store = self.secrets.clone();
                tauri::async_runtime::spawn_blocking(move || vault::self_test(store, Duration::from_secs(10)))
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

    /// The accounts store over the database in the data folder, opened on first use.
    pub async fn accounts(&self) -> Result<Arc<Accounts>, Error> {
        self.accounts
            .get_or_try_init(|| async {
                let db = Db::open_in(&paths::data_dir())?;
                let vault = Arc::new(Vault::new(self.secrets.clone(), db));
                Ok(Arc::new(Accounts::new(vault, self.clock.clone())))
            })
            .await
            .cloned()
    }

    pub async fn transport(&self) -> Result<Arc<HttpTransport>, Error> {
        self.transport
            .get_or_try_init(|| async { HttpTransport::new(TransportConfig::default()).map(Arc::new) })
            .await
            .cloned()
    }

    /// The built-in sandbox's root URL, starting it on first use (127.0.0.1, a free port).
    pub async fn sandbox_root(&self) -> Result<String, Error> {
        let mut guard = self.sandbox.lock().await;
        if guard.is_none() {
            let handle = Sandbox::start(SandboxConfig::default()).await?;
            tracing::info!(url = %handle.base_url(), "sandbox started");
            *guard = Some(handle);
        }
        Ok(guard.as_ref().map(|h| h.base_url()).unwrap_or_default())
    }

    /// The sandbox's demo accounts (starting it if needed).
    pub async fn sandbox_demo_accounts(&self) -> Result<serde_json::Value, Error> {
        self.sandbox_root().await?;
        let guard = self.sandbox.lock().await;
        Ok(guard.as_ref().map(|h| h.demo_accounts()).unwrap_or_default())
    }
}
