//! Stop requests for the commands that run until stopped (`sandbox`, `bulk run|resume`).

use callback_desk::error::Error;

/// Stop requests (Ctrl-C, or SIGINT/SIGTERM on Unix), registered when created so that a signal arriving
/// right after the accounts line is printed is already handled.
pub struct StopSignals {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl StopSignals {
    pub fn register() -> Result<Self, Error> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = [SignalKind::interrupt(), SignalKind::terminate()]
                .into_iter()
                .map(signal)
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(|e| Error::internal(format!("signal handler: {e}")))?;
            Ok(StopSignals { signals })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    pub async fn wait(&mut self) {
        #[cfg(unix)]
        {
            let [int, term] = self.signals.as_mut_slice() else { return };
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
