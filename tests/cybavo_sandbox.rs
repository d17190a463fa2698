//! CYBAVO's additions against the in-process sandbox over loopback HTTP: the endpoint test
//! (`inspect-callback-endpoint`), which really posts CYBAVO's "CONNECTION TEST" to the merchant's endpoint
//! (the sandbox's receiver, or a server of the test's own) and reports its answer as the merchant's; and
//! read-only API codes, which list the wallets they may read, read them, and never resend.

use callback_desk::clock::FixedClock;
use callback_desk::error::ErrorCode;
use callback_desk::providers::cybavo::sandbox as cybavo_sb;
use callback_desk::providers::{self, Account, CallOutcome, OutcomeKind, Phrase};
use callback_desk::sandbox::{SandboxConfig, SandboxHandle, SignatureCheck};
use callback_desk::transport::{HttpTransport, TransportConfig};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

const T0_MS: i64 = 1_760_000_000_000;

struct Env {
    sb: SandboxHandle,
    clock: FixedClock,
    transport: HttpTransport,
}

async fn start_with(f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig { clock: Arc::new(clock.clone()), limits: false, ..SandboxConfig::default() };
    f(&mut cfg);
    let sb = callback_desk::sandbox::Sandbox::start(cfg).await.expect("sandbox starts");
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    Env { sb, clock, transport }
}

impl Env {
    fn account(&self) -> Account {
        Account::from_map(self.sb.demo_accounts()["cybavo"].as_object().unwrap()).unwrap()
    }

    async fn run(&self, account: &Account, op: &str, params: Value) -> CallOutcome {
        let p: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
        let out = providers::execute(account, op, &p, &self.clock, &self.transport).await;
        let text = serde_json::to_string(&out).unwrap();
        for secret in [cybavo_sb::demo::API_CODE, cybavo_sb::demo::API_SECRET] {
            assert!(!text.contains(secret), "a secret leaked into the outcome: {text}");
        }
        out
    }
}

#[track_caller]
fn assert_ok(out: &CallOutcome) {
    assert_eq!(out.outcome, OutcomeKind::Ok, "{}", serde_json::to_string_pretty(out).unwrap());
}

/// The outcome in words, as the window shows it.
fn phrases(account: &Account, out: &CallOutcome) -> Vec<Phrase> {
    account.inner().describe("inspect-callback-endpoint", &out.result)
}

fn keys(p: &[Phrase]) -> Vec<&str> {
    p.iter().map(|p| p.key.trim_start_matches("result.cybavo_inspect.")).collect()
}

/// A loopback endpoint that refuses what is not a callback, as many merchants' handlers do.
async fn refusing_endpoint() -> String {
    let app = axum::Router::new()
        .route("/cb", axum::routing::post(|| async { (axum::http::StatusCode::BAD_REQUEST, "unknown payload") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_endpoint_test_reaches_the_sandbox_receiver_and_shows_in_the_inbox() {
    let env = start_with(|_| {}).await;
    let a = env.account();
    let out = env.run(&a, "inspect-callback-endpoint", json!({"test_number": 102999})).await;
    assert_ok(&out);
    let endpoint = &out.result["notification_endpoint"];
    let receiver = callback_desk::sandbox::receiver_url(&env.sb.base_url(), "cybavo");
    assert_eq!(endpoint["url_text"], receiver.as_str());
    assert_eq!(endpoint["status_code"], 200);
    assert!(endpoint["response_text"].as_str().unwrap().contains("\"received\""), "{endpoint}");
    assert_eq!(out.result["withdrawal_authentication_endpoint"], json!({"error": "no endpoint found"}));
    let words = phrases(&a, &out);
    assert_eq!(keys(&words), ["answered", "body", "ok_hint", "client_ip"]);
    assert_eq!(words[0].params["status"], "200");

    // The merchant's server got CYBAVO's test message, signed like a callback.
    let inbox = env.sb.inbox();
    assert_eq!(inbox.len(), 1);
    let body: Value = serde_json::from_str(&inbox[0].body).unwrap();
    assert_eq!(body["msg"], "CONNECTION TEST");
    assert_eq!(body["test_number"], 102999);
    assert_eq!(body["server_time"], T0_MS / 1000);
    assert_eq!(inbox[0].signature, SignatureCheck::Valid);

    // Without params the app's generated test number (the attempt's seconds) is sent.
    let out = env.run(&a, "inspect-callback-endpoint", json!({})).await;
    assert_ok(&out);
    let body: Value = serde_json::from_str(&env.sb.inbox()[0].body).unwrap();
    assert_eq!(body["test_number"], T0_MS / 1000);
}

#[tokio::test]
async fn an_endpoint_that_refuses_the_test_is_the_merchants_answer_not_an_error() {
    let env = start_with(|_| {}).await;
    env.sb.set_callback_url(Some(refusing_endpoint().await)).unwrap();
    let a = env.account();
    let out = env.run(&a, "inspect-callback-endpoint", json!({"test_number": 7})).await;
    assert_ok(&out);
    assert!(out.error.is_none());
    let endpoint = &out.result["notification_endpoint"];
    assert_eq!(
        (endpoint["status_code"].as_i64(), endpoint["response"].as_str()),
        (Some(400), Some("dW5rbm93biBwYXlsb2Fk"))
    );
    assert_eq!(endpoint["response_text"], "unknown payload");
    let words = phrases(&a, &out);
    assert_eq!(keys(&words), ["answered", "body", "refused_hint", "client_ip"]);
    assert_eq!(words[1].params["body"], "unknown payload");
}

#[tokio::test]
async fn no_endpoint_or_one_that_cannot_be_reached_is_said_so() {
    let env = start_with(|cfg| cfg.receiver = false).await;
    let a = env.account();
    let out = env.run(&a, "inspect-callback-endpoint", json!({})).await;
    assert_ok(&out);
    assert_eq!(out.result["notification_endpoint"], json!({"error": "no endpoint found"}));
    assert_eq!(keys(&phrases(&a, &out))[0], "no_endpoint");

    // A port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/cb", l.local_addr().unwrap())
    };
    env.sb.set_callback_url(Some(closed.clone())).unwrap();
    let out = env.run(&a, "inspect-callback-endpoint", json!({})).await;
    assert_ok(&out);
    assert!(out.result["notification_endpoint"]["error"].as_str().unwrap().contains("connection refused"));
    let words = phrases(&a, &out);
    assert_eq!(keys(&words)[0], "unreachable");
}

#[tokio::test]
async fn a_malformed_test_number_is_cybavos_invalid_parameter() {
    let env = start_with(|_| {}).await;
    let t = T0_MS / 1000;
    let tokens = [format!("t={t}"), "r=Zz9Yy8Xx".to_owned()];
    let body = br#"{"test_number":"x"}"#;
    let token_refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let sum = cybavo_sb::request_checksum(&token_refs, body, cybavo_sb::demo::API_SECRET);
    let url = format!(
        "{}/v1/sofa/wallets/{}/notifications/inspect?{}",
        env.sb.base_url(),
        cybavo_sb::demo::WALLET_ID,
        tokens.join("&")
    );
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .header("X-API-CODE", cybavo_sb::demo::API_CODE)
        .header("X-CHECKSUM", sum)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error_code"], 112);
    assert!(env.sb.inbox().is_empty(), "nothing was posted to the endpoint");
}

// ---------------------------------------------------------------------------------------------------------
// A read-only API code

impl Env {
    fn readonly(&self, wallet_id: Option<i64>) -> Account {
        let file = cybavo_sb::readonly_demo_account(&self.sb.base_url(), wallet_id);
        Account::from_map(file.as_object().unwrap()).unwrap()
    }
}

#[track_caller]
fn assert_failed(out: &CallOutcome, code: ErrorCode) {
    assert_eq!(out.error_code(), Some(code), "{}", serde_json::to_string_pretty(out).unwrap());
    assert_eq!(out.outcome, OutcomeKind::Failed);
}

#[tokio::test]
async fn a_readonly_code_lists_its_wallets_and_reads_them() {
    let env = start_with(|_| {}).await;
    let ro = env.readonly(None);
    let out = env.run(&ro, "list-readonly-wallets", json!({})).await;
    assert_ok(&out);
    assert_eq!(out.result["total"], 2);
    let ids: Vec<i64> =
        out.result["wallets"].as_array().unwrap().iter().map(|w| w["wallet_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [cybavo_sb::demo::WALLET_ID, cybavo_sb::demo::WALLET2_ID]);
    assert_eq!(out.result["wallets"][0]["currency_name"], "ETH");
    // Without a wallet it can do nothing else, and is told to add one.
    let out = env.run(&ro, "query-callbacks", json!({"ids": [90_000_000_001i64]})).await;
    assert_failed(&out, ErrorCode::InputInvalid);
    assert_eq!(
        (out.error.as_ref().unwrap().params["field"].as_str(), out.error.as_ref().unwrap().params["reason"].as_str()),
        (Some("wallet_id"), Some("wallet_needed"))
    );
    assert!(out.calls.is_empty(), "nothing was sent");

    // With each wallet of its list: the look-ups and the endpoint test (VIEW calls).
    let ro = env.readonly(Some(cybavo_sb::demo::WALLET2_ID));
    let out = env.run(&ro, "query-callbacks", json!({"ids": [90_000_000_139i64]})).await;
    assert_ok(&out);
    assert_eq!(out.result["notifications"][0]["serial"], 90_000_000_139i64);
    let ro = env.readonly(Some(cybavo_sb::demo::WALLET_ID));
    for (op, params) in [
        ("list-callbacks", json!({})),
        ("lookup-withdrawal", json!({"order_id": cybavo_sb::DEMO_WITHDRAWAL_ORDER_ID})),
        ("lookup-deposit", json!({"txid": cybavo_sb::DEMO_DEPOSIT_TXID, "vout_index": cybavo_sb::DEMO_DEPOSIT_VOUT})),
        ("inspect-callback-endpoint", json!({})),
    ] {
        assert_ok(&env.run(&ro, op, params).await);
    }
    // The test message is signed with the wallet's secret, like its callbacks.
    assert_eq!(env.sb.inbox()[0].signature, SignatureCheck::Valid);
}

#[tokio::test]
async fn a_readonly_code_is_never_offered_a_resend_and_cybavo_refuses_one_anyway() {
    let env = start_with(|_| {}).await;
    let ro = env.readonly(Some(cybavo_sb::demo::WALLET_ID));
    // The core does not build what the account is not offered.
    let out = env.run(&ro, "resend-withdrawal-callbacks", json!({"notification_id": 0})).await;
    assert_failed(&out, ErrorCode::InputUnknownOperation);
    assert!(out.calls.is_empty());
    let offered: Vec<String> = providers::descriptor(ro.provider())
        .operations
        .into_iter()
        .filter(|o| providers::operation_descriptor(&ro, &o.name).is_ok())
        .map(|o| o.name)
        .collect();
    assert_eq!(
        offered,
        [
            "inspect-callback-endpoint",
            "query-callbacks",
            "list-callbacks",
            "lookup-deposit",
            "lookup-withdrawal",
            "list-readonly-wallets"
        ]
    );
    // The simulated CYBAVO refuses it too: signed with the read-only code, as another client could.
    let mut full = cybavo_sb::readonly_demo_account(&env.sb.base_url(), Some(cybavo_sb::demo::WALLET_ID));
    full["access"] = json!("full");
    let disguised = Account::from_map(full.as_object().unwrap()).unwrap();
    let out = env.run(&disguised, "resend-withdrawal-callbacks", json!({"notification_id": 0})).await;
    assert_failed(&out, ErrorCode::AuthPermissionDenied);
    assert_eq!(out.error.unwrap().params["provider_code"], 385);
}

#[tokio::test]
async fn a_readonly_code_reads_only_its_wallets_and_the_list_is_for_readonly_codes_only() {
    let env = start_with(|_| {}).await;
    // Wallet 1 is no wallet of the read-only code's list.
    let mut file = cybavo_sb::readonly_demo_account(&env.sb.base_url(), Some(1));
    let out = env.run(&Account::from_map(file.as_object().unwrap()).unwrap(), "list-callbacks", json!({})).await;
    assert_failed(&out, ErrorCode::ProviderWalletInvalid);
    // The wallet exists but is not the code's: "Invalid API code for wallet".
    file["wallet_id"] = json!(cybavo_sb::demo::WALLET_ID);
    file["api_code"] = json!(cybavo_sb::demo::WALLET2_API_CODE);
    file["api_secret"] = json!(cybavo_sb::demo::WALLET2_API_SECRET);
    let out = env.run(&Account::from_map(file.as_object().unwrap()).unwrap(), "list-callbacks", json!({})).await;
    assert_failed(&out, ErrorCode::AuthInvalidApiKey);
    // A wallet's own code may sign the wallet list, but CYBAVO answers it to read-only codes only.
    let out = env.run(&env.account(), "list-readonly-wallets", json!({})).await;
    assert_failed(&out, ErrorCode::AuthPermissionDenied);
}
