//! "Copy with secrets": the cURL command `Actions::unmasked_curl` makes, run by the real `curl` binary
//! against the in-process sandbox over loopback, is accepted by each provider's simulator (its signature
//! verified over the bytes curl sent), so the command is byte-exact. Nothing is recorded in history.

use callback_desk::actions::ActionRequest;
use callback_desk::clock::{Clock, FixedClock};
use callback_desk::error::ErrorCode;
use callback_desk::history::HistoryFilter;
use callback_desk::providers::{self, RawResponse};
use callback_desk::providers::{ceffu::sandbox as ceffu_sb, cybavo::sandbox as cybavo_sb};
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Value};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

#[path = "common/hook_receiver.rs"]
mod hook_receiver;
use hook_receiver::receiver;

const T0_MS: i64 = 1_760_000_000_000;

struct Env {
    sb: SandboxHandle,
    clock: FixedClock,
    store: Store,
    _dir: tempfile::TempDir,
    transport: HttpTransport,
    accounts: Vec<callback_desk::accounts::AccountView>,
}

async fn start() -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let cfg = SandboxConfig {
        clock: Arc::new(clock.clone()),
        callback_url: Some(receiver().await),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(cfg).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Arc::new(MemoryStore::default()), Arc::new(clock.clone())).unwrap();
    let accounts = store.accounts.create_sandbox_demo(&sb.base_url()).unwrap();
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(15),
    })
    .unwrap();
    Env { sb, clock, store, _dir: dir, transport, accounts }
}

impl Env {
    fn account(&self, key: &str) -> i64 {
        let (provider, version) = match key {
            "ccpayment-v1" => ("ccpayment", Some("v1")),
            "ccpayment-v2" => ("ccpayment", Some("v2")),
            p => (p, None),
        };
        self.accounts
            .iter()
            .find(|a| {
                a.provider.as_str() == provider
                    && version.is_none_or(|v| a.fields.get("api_version").and_then(Value::as_str) == Some(v))
            })
            .unwrap()
            .id
    }

    fn counter(&self, what: &str, provider: &str) -> u64 {
        self.sb.state()[what][provider].as_u64().unwrap()
    }

    fn now_s(&self) -> i64 {
        self.clock.now_ms() / 1000
    }
}

/// Runs `command` in `sh` with curl's output options added; returns what came back.
async fn run_curl(command: String) -> RawResponse {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let (headers, body) = (dir.path().join("headers"), dir.path().join("body"));
        let full = format!("{command} -sS -D '{}' -o '{}' -w '%{{http_code}}'", headers.display(), body.display());
        let out = Command::new("sh").arg("-c").arg(&full).output().expect("sh and curl are installed");
        assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
        let status: u16 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        let headers: Vec<(String, String)> = std::fs::read_to_string(&headers)
            .unwrap()
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        RawResponse { status, headers, body: std::fs::read(&body).unwrap(), elapsed_ms: 0, received_at_ms: T0_MS }
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_copied_command_run_by_curl_is_accepted_by_every_provider() {
    let env = start().await;
    let root = env.sb.base_url();
    // (sandbox key, operation, params, a part of the command only the real credentials give)
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        ("cybavo", "resend-withdrawal-callbacks", json!({"notification_id": 0}), cybavo_sb::demo::API_CODE),
        (
            "ceffu",
            "resend-webhooks",
            json!({"webhookId": ceffu_sb::demo::WEBHOOK_ID, "eventType": "1",
                   "resendFromDateTime": env.clock.now_ms() - 30 * 86_400_000i64}),
            "open-apikey",
        ),
        ("avista", "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"}), "Bearer "),
        (
            "ccpayment-v1",
            "resend-webhooks",
            json!({"start_timestamp": env.now_s() - 3_600, "end_timestamp": env.now_s(),
                   "webhook_result": "Failed", "transaction_type": "All Type"}),
            "Appid",
        ),
        (
            "ccpayment-v2",
            "resend-webhooks",
            json!({"startTimestamp": env.now_s() - 3_600, "endTimestamp": env.now_s(),
                   "webhookResult": "Failed", "transactionType": "AllType"}),
            "Appid",
        ),
    ];
    for (key, operation, params, must_contain) in cases {
        let id = env.account(key);
        let req =
            ActionRequest { account_id: id, operation: operation.into(), params: params.as_object().unwrap().clone() };
        let calls_before = env.counter("calls", key);
        let rejected_before = env.counter("rejections", key);
        let command = env.store.actions.unmasked_curl(&req, Some(&root), &env.transport).await.unwrap();
        let text = command.expose().to_owned();
        assert!(text.starts_with("curl --globoff --path-as-is -X "), "{key}: {text:.40}");
        assert!(text.contains(must_contain), "{key}: the command carries its credentials");
        assert!(!text.contains("<redacted>") && !text.contains("<token>"), "{key}: nothing is masked");
        let answer = run_curl(text.clone()).await;
        let (_, account) = env.store.accounts.signing_account(id, Some(&root)).unwrap();
        let parsed = providers::parse_response(&account, operation, &answer);
        assert!(
            parsed.is_ok(),
            "{key}: {} {:?} {}",
            answer.status,
            parsed.err(),
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(env.counter("rejections", key), rejected_before, "{key}: the sandbox rejected nothing");
        // Avista's token call is made once, by the app, when the command is built.
        let expected_calls = if key == "avista" { 2 } else { 1 };
        assert_eq!(env.counter("calls", key), calls_before + expected_calls, "{key}");

        if key == "cybavo" {
            // The same command with one character of its signature changed is refused: the check can fail.
            let checksum = text.split("X-CHECKSUM: ").nth(1).unwrap().chars().next().unwrap();
            // (another hex digit: the sandbox compares checksums case-insensitively, as CYBAVO does)
            let other = if checksum == '0' { '1' } else { '0' };
            let tampered = text.replacen(&format!("X-CHECKSUM: {checksum}"), &format!("X-CHECKSUM: {other}"), 1);
            let answer = run_curl(tampered).await;
            let err = providers::parse_response(&account, operation, &answer).unwrap_err();
            assert_eq!(err.code, ErrorCode::AuthSignatureRejected, "{err:?}");
            assert_eq!(env.counter("rejections", key), rejected_before + 1);
        }
    }
    // Copying is not an action: history holds nothing.
    assert_eq!(env.store.history.count(&HistoryFilter::default()).unwrap(), 0);
}
