//! CCPayment v2's additions against the in-process sandbox over loopback HTTP: resends by record ids
//! (no window needed; unknown ids and more than 50 refused as CCPayment refuses them) and the look-ups of
//! one deposit or withdrawal record (offered to v2 accounts only).

use callback_desk::clock::{Clock, FixedClock};
use callback_desk::error::ErrorCode;
use callback_desk::providers::ccpayment::sandbox as ccpayment_sb;
use callback_desk::providers::{self, Account, CallOutcome, OutcomeKind};
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle};
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

async fn start() -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let cfg = SandboxConfig { clock: Arc::new(clock.clone()), limits: false, ..SandboxConfig::default() };
    let sb = Sandbox::start(cfg).await.expect("sandbox starts");
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    Env { sb, clock, transport }
}

impl Env {
    fn v2(&self) -> Account {
        Account::from_map(self.sb.demo_accounts()["ccpayment-v2"].as_object().unwrap()).unwrap()
    }

    async fn run(&self, op: &str, params: Value) -> CallOutcome {
        let p: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
        let out = providers::execute(&self.v2(), op, &p, &self.clock, &self.transport).await;
        assert!(!serde_json::to_string(&out).unwrap().contains(ccpayment_sb::demo::V2_APP_SECRET));
        out
    }
}

#[track_caller]
fn assert_ok(out: &CallOutcome) {
    assert_eq!(out.outcome, OutcomeKind::Ok, "{}", serde_json::to_string_pretty(out).unwrap());
}

#[track_caller]
fn assert_failed(out: &CallOutcome, code: ErrorCode) {
    assert_eq!(out.error_code(), Some(code), "{}", serde_json::to_string_pretty(out).unwrap());
    assert_eq!(out.outcome, OutcomeKind::Failed);
}

#[tokio::test]
async fn record_ids_are_resent_without_a_window() {
    let env = start().await;
    let ids = [ccpayment_sb::DEMO_DEPOSIT_RECORD_ID, ccpayment_sb::DEMO_WITHDRAW_RECORD_ID];
    let out = env.run("resend-webhooks", json!({ "recordIds": ids })).await;
    assert_ok(&out);
    assert_eq!(out.result["resend_count"], 2);
    assert_eq!(out.request.as_ref().unwrap().body, Some(json!({ "recordIds": ids }).to_string()));
    // Both webhooks reach the sandbox's receiver, signed.
    let inbox = env.sb.wait_for_inbox(2, Duration::from_secs(5)).await;
    let mut got: Vec<String> = inbox
        .iter()
        .map(|e| serde_json::from_str::<Value>(&e.body).unwrap()["msg"]["recordId"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    assert_eq!(got, ids);
    assert!(inbox.iter().all(|e| e.signature == callback_desk::sandbox::SignatureCheck::Valid));
    // With a window too, as the SDKs send it.
    let out = env
        .run("resend-webhooks", json!({"startTimestamp": env.clock.now_secs() - 6 * 3_600, "recordIds": [ids[0]]}))
        .await;
    assert_ok(&out);
    assert_eq!(out.result["resend_count"], 1);
}

#[tokio::test]
async fn unknown_record_ids_and_more_than_50_are_refused() {
    let env = start().await;
    let out = env
        .run(
            "resend-webhooks",
            json!({"recordIds": [ccpayment_sb::DEMO_DEPOSIT_RECORD_ID, "20990101000000000000000000000000"]}),
        )
        .await;
    assert_failed(&out, ErrorCode::ProviderNotFound);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11003);
    // More than 50: refused before anything is sent ...
    let many: Vec<String> = (0..51).map(|i| format!("2024{i:028}")).collect();
    let out = env.run("resend-webhooks", json!({ "recordIds": many })).await;
    assert_failed(&out, ErrorCode::InputInvalid);
    assert!(out.calls.is_empty());
    // ... and by the simulated CCPayment, when another client sends them.
    let body = json!({ "recordIds": many }).to_string();
    let ts = env.clock.now_secs().to_string();
    let sign =
        ccpayment_sb::sign_v2(ccpayment_sb::demo::V2_APP_ID, ccpayment_sb::demo::V2_APP_SECRET, &ts, body.as_bytes());
    let reply: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/ccpayment/v2/webhook/resend", env.sb.base_url()))
        .header("Appid", ccpayment_sb::demo::V2_APP_ID)
        .header("Timestamp", ts)
        .header("Sign", sign)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["code"], 11000);
}

#[tokio::test]
async fn record_lookups_find_the_record_a_webhook_names() {
    let env = start().await;
    let out = env.run("get-deposit-record", json!({ "recordId": ccpayment_sb::DEMO_DEPOSIT_RECORD_ID })).await;
    assert_ok(&out);
    let record = &out.result["record"];
    assert_eq!(
        (record["recordId"].as_str(), record["amount"].as_str(), record["coinSymbol"].as_str()),
        (Some(ccpayment_sb::DEMO_DEPOSIT_RECORD_ID), Some("250.00"), Some("USDT"))
    );
    assert_eq!(record["resend_operation"], "resend-webhooks");
    assert_eq!(
        out.request.as_ref().unwrap().body,
        Some(json!({ "recordId": ccpayment_sb::DEMO_DEPOSIT_RECORD_ID }).to_string())
    );
    // A withdrawal by the merchant's order id, or by its record id.
    for params in [
        json!({ "orderId": ccpayment_sb::DEMO_WITHDRAW_ORDER_ID }),
        json!({ "recordId": ccpayment_sb::DEMO_WITHDRAW_RECORD_ID }),
    ] {
        let out = env.run("get-withdraw-record", params).await;
        assert_ok(&out);
        assert_eq!(out.result["record"]["recordId"], ccpayment_sb::DEMO_WITHDRAW_RECORD_ID);
        assert_eq!(out.result["record"]["orderId"], ccpayment_sb::DEMO_WITHDRAW_ORDER_ID);
    }
    // What CCPayment does not hold (a withdrawal's id asked as a deposit, an unknown id) is an answer:
    // nothing matched.
    for (op, params) in [
        ("get-deposit-record", json!({ "recordId": ccpayment_sb::DEMO_WITHDRAW_RECORD_ID })),
        ("get-withdraw-record", json!({ "orderId": "ORDER-UNKNOWN" })),
    ] {
        let out = env.run(op, params).await;
        assert_ok(&out);
        assert_eq!(out.result["record"], Value::Null, "{op}");
    }
}

#[tokio::test]
async fn v1_accounts_are_not_offered_the_record_lookups() {
    let env = start().await;
    let v1 = Account::from_map(env.sb.demo_accounts()["ccpayment-v1"].as_object().unwrap()).unwrap();
    let p = json!({ "recordId": ccpayment_sb::DEMO_DEPOSIT_RECORD_ID }).as_object().cloned().unwrap();
    let out = providers::execute(&v1, "get-deposit-record", &p, &env.clock, &env.transport).await;
    assert_eq!(out.outcome, OutcomeKind::Failed);
    assert_eq!(out.error_code(), Some(ErrorCode::InputUnknownOperation));
    assert!(out.calls.is_empty(), "nothing is sent for an operation the account is not offered");
    assert!(providers::operation_descriptor(&v1, "get-withdraw-record").is_err());
    assert!(providers::operation_descriptor(&env.v2(), "get-withdraw-record").is_ok());
}
