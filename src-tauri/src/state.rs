//! State shared by the commands.

use callback_desk::accounts::Accounts;
use callback_desk::actions::Actions;
use callback_desk::clock::{Clock, SystemClock};
use callback_desk::history::History;
use callback_desk::jobs::{JobControl, Jobs};
use callback_desk::limits::Limits;
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::{self, KeyringStatus, KeyringStore, SecretStore};
use callback_desk::{paths, Error};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};

#[derive(Clone)]
pub struct AppState {
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    keyring: Arc<OnceCell<KeyringStatus>>,
    store: Arc<OnceCell<Store>>,
    /// Pause/cancel handles of the jobs running in this process.
    pub controls: Arc<std::sync::Mutex<HashMap<i64, JobControl>>>,
    transport: Arc<OnceCell<Arc<HttpTransport>>>,
    sandbox: Arc<Mutex<Option<SandboxHandle>>>,
    /// When the process started (for the start-up time logged by `ui_ready`).
    pub started: std::time::Instant,
    /// Whether the window has reported its first painted screen.
    pub ui_ready: Arc<std::sync::atomic::AtomicBool>,
    /// Woken when the window reports its first painted screen ([`AppState::after_first_paint`]).
    pub ui_ready_signal: Arc<tokio::sync::Notify>,
    /// Where WebKit paints the window's content (chosen in `main`, shown in Settings › About).
    pub painting: crate::painting::Painting,
    /// The one-time confirmations of "Copy with secrets" (memory only).
    pub copy_tickets: Arc<crate::copy_tickets::CopyTickets>,
    /// Where "Copy with secrets" puts its command.
    pub clipboard: crate::clipboard::Clipboard,
    /// What the desktop prefers for the colour theme (theme.rs).
    pub theme: Arc<crate::theme::ThemeState>,
    /// The files saved in this session ("Show in folder" shows only those).
    pub saved_files: Arc<crate::save::SavedFiles>,
    /// Account deletes the window can still undo (held_deletes.rs).
    pub held_deletes: Arc<crate::held_deletes::HeldDeletes>,
}

impl AppState {
    /// The app's state: secrets in the OS keyring, the desktop's clipboard.
    pub fn new() -> Self {
        Self::with(Arc::new(KeyringStore::new()), crate::clipboard::Clipboard::System)
    }

    /// The state over another secret store and clipboard (tests).
    pub fn with(secrets: Arc<dyn SecretStore>, clipboard: crate::clipboard::Clipboard) -> Self {
        AppState {
            secrets,
            clock: Arc::new(SystemClock),
            keyring: Arc::new(OnceCell::new()),
            store: Arc::new(OnceCell::new()),
            controls: Arc::new(std::sync::Mutex::new(HashMap::new())),
            transport: Arc::new(OnceCell::new()),
            sandbox: Arc::new(Mutex::new(None)),
            started: std::time::Instant::now(),
            ui_ready: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            ui_ready_signal: Arc::new(tokio::sync::Notify::new()),
            painting: crate::painting::Painting::Default,
            copy_tickets: Arc::new(crate::copy_tickets::CopyTickets::default()),
            clipboard,
            theme: Arc::new(crate::theme::ThemeState::default()),
            saved_files: Arc::new(crate::save::SavedFiles::default()),
            held_deletes: Arc::new(crate::held_deletes::HeldDeletes::default()),
        }
    }

    /// Resolves once the window has painted its first screen, or after `limit` if it never says so.
    /// Start-up work that the first screen does not need (the keyring self-test, history retention)
    /// waits for it, so it does not compete with WebKit for the CPU while the window appears.
    pub async fn after_first_paint(&self, limit: Duration) {
        let notified = self.ui_ready_signal.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if !self.ui_ready.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = tokio::time::timeout(limit, notified).await;
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

    /// Accounts, history, the action runner, rate budgets and bulk jobs over the database in the data
    /// folder, opened on first use. Opening also runs crash recovery: rows left `pending` by an earlier run
    /// become `unknown`, jobs left `running` become `interrupted`.
    pub async fn store(&self) -> Result<Store, Error> {
        self.store
            .get_or_try_init(|| async {
                let secrets = self.secrets.clone();
                let clock = self.clock.clone();
                tauri::async_runtime::spawn_blocking(move || Store::open(&paths::data_dir(), secrets, clock))
                    .await
                    .map_err(|e| Error::internal(e.to_string()))?
            })
            .await
            .cloned()
    }

    pub async fn actions(&self) -> Result<Arc<Actions>, Error> {
        Ok(self.store().await?.actions)
    }

    pub async fn jobs(&self) -> Result<Arc<Jobs>, Error> {
        Ok(self.store().await?.jobs)
    }

    pub async fn limits(&self) -> Result<Arc<Limits>, Error> {
        Ok(self.store().await?.limits)
    }

    pub async fn accounts(&self) -> Result<Arc<Accounts>, Error> {
        Ok(self.actions().await?.accounts.clone())
    }

    pub async fn history(&self) -> Result<Arc<History>, Error> {
        Ok(self.actions().await?.history.clone())
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

    /// Starts the built-in sandbox afresh when it runs (see [`SandboxHandle::reset`]); when it cannot bind
    /// its port again, the next use starts it on another.
    pub async fn reset_sandbox(&self) -> Result<(), Error> {
        let mut guard = self.sandbox.lock().await;
        if let Some(handle) = guard.take() {
            let handle = handle.reset(SandboxConfig::default()).await?;
            tracing::info!(url = %handle.base_url(), "sandbox reset");
            *guard = Some(handle);
        }
        Ok(())
    }

    /// `f` of the built-in sandbox when it runs (`None` when it has not been started), without starting it.
    pub async fn with_running_sandbox<T>(&self, f: impl FnOnce(Option<&SandboxHandle>) -> T) -> T {
        f(self.sandbox.lock().await.as_ref())
    }
}
