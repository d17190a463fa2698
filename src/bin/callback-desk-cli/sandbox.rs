//! `sandbox`: the local provider simulators until interrupted; the demo account files on stdout first.

use crate::signals::StopSignals;
use callback_desk::error::Error;
use serde_json::Value;

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 or absent: a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where resent callbacks are delivered (a loopback http(s) URL) instead of the built-in receiver.
    #[arg(long)]
    callback_url: Option<String>,
    /// Switch every sandbox rate limit off.
    #[arg(long)]
    no_limits: bool,
}

/// One summary line of the sandbox counters, e.g. `calls cybavo=3 ceffu=1 … | deliveries 2 (2 ok)`.
fn state_line(state: &Value) -> String {
    let per = |key: &str| {
        state[key]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    format!(
        "calls {} | rejected {} | faults {} | deliveries {} ({} ok)",
        per("calls"),
        per("rejections"),
        per("faults_applied"),
        state["deliveries"]["total"],
        state["deliveries"]["succeeded"],
    )
}

pub async fn run(args: Args) -> Result<(), Error> {
    let Args { port, callback_url, no_limits } = args;
    use callback_desk::sandbox::{Sandbox, SandboxConfig};
    use std::io::Write;
    let config = SandboxConfig { port, callback_url, limits: !no_limits, ..SandboxConfig::default() };
    let mut signals = StopSignals::register()?;
    let handle = Sandbox::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.demo_accounts())
            .and_then(|()| out.flush())
            .map_err(|e| Error::internal(format!("stdout: {e}")))?;
    }
    let base = handle.base_url();
    eprintln!("sandbox listening on {base}");
    for provider in callback_desk::providers::REGISTRY {
        for api in provider.simulator().apis() {
            eprintln!("  {:<13} {base}{}…", api.key, api.prefix);
        }
    }
    eprintln!("  {:<13} {base}/__sandbox/state | faults | deliveries | inbox | callback-url | accounts", "control");
    match handle.callback_url() {
        Some(u) => eprintln!("resent callbacks go to {u}"),
        None => eprintln!("resent callbacks go to the built-in receiver (GET {base}/__sandbox/inbox to read them)"),
    }
    eprintln!("limits {}; press Ctrl-C to stop", if no_limits { "off" } else { "on" });
    let stop = signals.wait();
    tokio::pin!(stop);
    let mut last = String::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                let line = state_line(&handle.state());
                if line != last {
                    eprintln!("{line}");
                    last = line;
                }
            }
        }
    }
    eprintln!("stopping sandbox");
    handle.shutdown().await;
    eprintln!("sandbox stopped");
    Ok(())
}
