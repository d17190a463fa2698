//! The provider engine against the in-process sandbox over loopback HTTP: every operation of every
//! provider through `providers::execute` + `HttpTransport`, each documented auth error provoked for real,
//! and each injected fault mapped to its stable error code and outcome kind.

use callback_desk::clock::{Clock, FixedClock};
use callback_desk::error::ErrorCode;
use callback_desk::providers::{self, Account, BuildCtx, CallOutcome, OutcomeKind};
use callback_desk::providers::{
    avista::sandbox as avista_sb, ccpayment::sandbox as ccpayment_sb, ceffu::sandbox as ceffu_sb,
    cybavo::sandbox as cybavo_sb,
};
use callback_desk::sandbox::{Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};
use callback_desk::transport::{HttpTransport, Transport, TransportConfig};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0_MS: i64 = 1_760_000_000_000;
/// Transport timeout of these tests; the delay fault waits longer than this.
const TIMEOUT: Duration = Duration::from_millis(1_500);

struct Env {
    sb: SandboxHandle,
    /// The sandbox's clock.
    clock: FixedClock,
    /// The client's clock (the same clock unless a test needs them apart).
    client_clock: FixedClock,
    transport: HttpTransport,
}

/// A sandbox with its rate limits on or off, then `f` applied to its configuration.
async fn start_with(limits: bool, f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig { clock: Arc::new(clock.clone()), limits, ..SandboxConfig::default() };
    f(&mut cfg);
    let sb = Sandbox::start(cfg).await.expect("sandbox starts");
    let transport =
        HttpTransport::new(TransportConfig { connect_timeout: Duration::from_secs(2), timeout: TIMEOUT }).unwrap();
    Env { sb, client_clock: clock.clone(), clock, transport }
}

async fn start() -> Env {
    start_with(false, |_| {}).await
}

/// A sandbox whose clock runs apart from the client's.
async fn start_split_clocks(limits: bool) -> Env {
    let mut env = start_with(limits, |_| {}).await;
    env.client_clock = FixedClock::at_ms(T0_MS);
    env
}

impl Env {
    fn account_json(&self, key: &str) -> Value {
        self.sb.demo_accounts()[key].clone()
    }

    fn account(&self, key: &str) -> Account {
        Account::from_map(self.account_json(key).as_object().unwrap()).unwrap()
    }

    fn account_with(&self, key: &str, field: &str, value: Value) -> Account {
        let mut j = self.account_json(key);
        j[field] = value;
        Account::from_map(j.as_object().unwrap()).unwrap()
    }

    fn cybavo2(&self) -> Account {
        Account::from_map(
            cybavo_sb::demo_account(&self.sb.base_url(), cybavo_sb::demo::WALLET2_ID).unwrap().as_object().unwrap(),
        )
        .unwrap()
    }

    async fn run(&self, account: &Account, op: &str, params: Value) -> CallOutcome {
        self.run_at(account, op, params, &self.client_clock).await
    }

    async fn run_at(&self, account: &Account, op: &str, params: Value, clock: &dyn Clock) -> CallOutcome {
        let p: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
        let out = providers::execute(account, op, &p, clock, &self.transport).await;
        assert_no_secrets(account, &out);
        out
    }

    fn now_s(&self) -> i64 {
        self.clock.now_secs()
    }
}

/// Every secret of the demo accounts (and any Avista token the sandbox handed out) stays out of the
/// outcome JSON.
fn assert_no_secrets(account: &Account, out: &CallOutcome) {
    let text = serde_json::to_string(out).unwrap();
    let mut secrets: Vec<String> = vec![
        cybavo_sb::demo::API_CODE.into(),
        cybavo_sb::demo::API_SECRET.into(),
        cybavo_sb::demo::WALLET2_API_CODE.into(),
        cybavo_sb::demo::WALLET2_API_SECRET.into(),
        ceffu_sb::demo::API_KEY.into(),
        avista_sb::demo::CLIENT_SECRET.into(),
        ccpayment_sb::demo::V1_APP_SECRET.into(),
        ccpayment_sb::demo::V2_APP_SECRET.into(),
        ccpayment_sb::demo::LEGACY_APP_SECRET.into(),
        "wrong-secret-canary".into(),
    ];
    if account.provider().as_str() == "ceffu" {
        let key = ceffu_sb::demo_private_key_base64();
        secrets.push(key[40..120].to_owned());
    }
    for s in secrets {
        assert!(!text.contains(&s), "secret {s:?} leaked into the outcome: {text}");
    }
    // Bearer tokens are redacted wherever they would appear.
    assert!(!text.contains("Bearer "), "bearer token leaked: {text}");
}

fn code(out: &CallOutcome) -> Option<ErrorCode> {
    out.error_code()
}

#[track_caller]
fn assert_ok(out: &CallOutcome) {
    assert_eq!(out.outcome, OutcomeKind::Ok, "{}", serde_json::to_string_pretty(out).unwrap());
    assert!(out.error.is_none());
}

#[track_caller]
fn assert_failed(out: &CallOutcome, expected: ErrorCode) {
    assert_eq!(code(out), Some(expected), "{}", serde_json::to_string_pretty(out).unwrap());
    assert_eq!(out.outcome, OutcomeKind::Failed, "{}", serde_json::to_string_pretty(out).unwrap());
}

/// A local webhook receiver: records bodies and answers 200.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Request>>>);

/// Headers (lowercase names) and raw body of one received webhook.
type Request = (Vec<(String, String)>, Vec<u8>);

async fn receiver() -> (String, Received) {
    use axum::routing::post;
    let rec = Received::default();
    let r2 = rec.clone();
    let app = axum::Router::new().route(
        "/slow",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "late"
        }),
    );
    let app = app.route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let r = r2.clone();
            async move {
                let h =
                    headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
                r.0.lock().unwrap().push((h, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rec)
}

// ---------------------------------------------------------------------------------------------------------
// CYBAVO: every operation

#[tokio::test]
async fn cybavo_resends_one_serial_and_all() {
    let env = start().await;
    let (url, rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let a = env.account("cybavo");
    let out = env.run(&a, "resend-withdrawal-callbacks", json!({"notification_id": 90_000_000_002i64})).await;
    assert_ok(&out);
    assert_eq!(out.result, json!({"count": 1}));
    assert_eq!(out.http_status, Some(200));
    let d = env.sb.wait_for_deliveries(1, Duration::from_secs(5)).await;
    assert_eq!(d.len(), 1);
    assert!(d[0].body.contains("\"serial\":90000000002"));
    // The re-delivered callback verifies with the account secret over the raw body.
    let (headers, body) = rec.0.lock().unwrap()[0].clone();
    let sum = headers.iter().find(|(k, _)| k == "x-checksum").map(|(_, v)| v.clone()).unwrap();
    let c = a.downcast::<providers::cybavo::account::CybavoAccount>().unwrap();
    assert!(providers::cybavo::sign::verify_body_checksum(&body, &sum, &c.api_secret));

    // 0 = every pending or failed withdrawal callback (at least the one just delivered is excluded).
    let out = env.run(&a, "resend-withdrawal-callbacks", json!({"notification_id": 0})).await;
    assert_ok(&out);
    let all = out.result["count"].as_i64().unwrap();
    assert!(all >= 1, "{out:?}");
    // The sandbox resends only withdrawals on the sender path.
    let delivered = env.sb.wait_for_deliveries(1 + all as usize, Duration::from_secs(5)).await;
    assert_eq!(delivered.len(), 1 + all as usize);
    for d in &delivered {
        let v: Value = serde_json::from_str(&d.body).unwrap();
        assert_eq!(v["type"], 2);
    }

    let out = env.run(&a, "resend-deposit-callbacks", json!({"notification_id": 90_000_000_001i64})).await;
    assert_ok(&out);
    assert_eq!(out.result, json!({"count": 1}));
    let out = env.run(&a, "resend-deposit-callbacks", json!({"notification_id": "0"})).await;
    assert_ok(&out);
    assert!(out.result["count"].as_i64().unwrap() >= 1);
    // A withdrawal serial on the collection path matches nothing.
    let out = env.run(&a, "resend-deposit-callbacks", json!({"notification_id": 90_000_000_002i64})).await;
    assert_ok(&out);
    assert_eq!(out.result, json!({"count": 0}));
}

#[tokio::test]
async fn cybavo_query_callbacks_decodes_the_seed_document() {
    let env = start().await;
    let a = env.cybavo2();
    let out = env.run(&a, "query-callbacks", json!({"ids": [90_000_000_140i64, 90_000_000_139i64]})).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 1);
    let list = out.result["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let by_serial = |s: i64| list.iter().find(|n| n["serial"] == s).unwrap();
    let n139 = by_serial(90_000_000_139);
    assert_eq!(n139["wallet_id"], 56788);
    assert_eq!(n139["currency"], "ADA");
    assert_eq!(n139["amount"], "24447");
    assert_eq!(n139["txid"], "35c283a6f13f5886240fe2e815bc149154ec066cd2061202318dd4e4bf8af35e");
    assert_eq!(n139["type_label"], "collect");
    assert_eq!(n139["state_label"], "txid_in_chain");
    assert_eq!(n139["processing_state_label"], "in_chain");
    assert_eq!(n139["outcome"], "pending");
    assert_eq!(n139["confirm_blocks"], 2);
    let n140 = by_serial(90_000_000_140);
    assert_eq!(n140["amount"], "55497180");
    assert_eq!(n140["block_height"], 1003305);
    // The seed document has no `decimal`, so no unit conversion is invented.
    assert!(n140.get("amount_units").is_none());

    // Generated callbacks carry `decimal` and `addon.fee_decimal`: amounts are converted.
    let out = env.run(&env.account("cybavo"), "query-callbacks", json!({"ids": "90000000001 90000000002"})).await;
    assert_ok(&out);
    let list = out.result["notifications"].as_array().unwrap();
    assert_eq!(list[0]["amount_units"], "1.5");
    assert_eq!(list[0]["type_label"], "deposit");
    assert_eq!(list[0]["outcome"], "succeeded");
    assert_eq!(list[1]["amount_units"], "2500");
    assert_eq!(list[1]["type_label"], "withdraw");
    assert!(list[1]["fees_units"].is_string());
}

#[tokio::test]
async fn cybavo_query_callbacks_over_100_ids_is_split_and_merged() {
    let env = start().await;
    let a = env.account("cybavo");
    // Wallet 55743 holds serials …001 to …060; ask for 250 ids in three calls (100, 100, 50).
    let ids: Vec<i64> = (0..250).map(|i| 90_000_000_001 + i).collect();
    let out = env.run(&a, "query-callbacks", json!({ "ids": ids })).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 3);
    let list = out.result["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 60);
    let serials: Vec<i64> = list.iter().map(|n| n["serial"].as_i64().unwrap()).collect();
    assert_eq!(serials, (90_000_000_001..=90_000_000_060).collect::<Vec<_>>());
    // Every call carried a fresh `r`.
    let urls: Vec<&str> = out.calls.iter().map(|c| c.request.url.as_str()).collect();
    assert_ne!(urls[0], urls[1]);
    assert_ne!(urls[1], urls[2]);
    // Ids found in a later batch keep the requested order across batches.
    let mixed: Vec<i64> = (0..101).map(|i| 90_000_000_200 + i).chain([90_000_000_007, 90_000_000_003]).collect();
    let out = env.run(&a, "query-callbacks", json!({ "ids": mixed })).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 2);
    let serials: Vec<i64> =
        out.result["notifications"].as_array().unwrap().iter().map(|n| n["serial"].as_i64().unwrap()).collect();
    assert_eq!(serials, vec![90_000_000_007, 90_000_000_003]);
}

#[tokio::test]
async fn cybavo_list_and_lookups() {
    let env = start().await;
    let a = env.account("cybavo");
    let now = env.now_s();
    let out = env.run(&a, "list-callbacks", json!({"from_time": now - 8 * 86_400, "to_time": now, "type": -1})).await;
    assert_ok(&out);
    let all = out.result["notifications"].as_array().unwrap().len();
    assert_eq!(all, 60);
    let out = env.run(&a, "list-callbacks", json!({"from_time": now - 8 * 86_400, "to_time": now, "type": 2})).await;
    assert_ok(&out);
    let w = out.result["notifications"].as_array().unwrap();
    assert!(!w.is_empty() && w.len() < all);
    assert!(w.iter().all(|n| n["type"] == 2 && n["type_label"] == "withdraw"));
    // No params: the provider's defaults (everything up to now).
    let out = env.run(&a, "list-callbacks", json!({})).await;
    assert_ok(&out);
    assert_eq!(out.result["notifications"].as_array().unwrap().len(), all);
    // Only the last two hours: the two fixed demo callbacks.
    let out = env.run(&a, "list-callbacks", json!({"from_time": now - 2 * 3_600})).await;
    assert_ok(&out);
    let recent: Vec<i64> = out.result["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["broadcast_at"].as_i64().unwrap() >= now - 3_600)
        .map(|n| n["serial"].as_i64().unwrap())
        .collect();
    assert!(recent.contains(&90_000_000_001) && recent.contains(&90_000_000_002));

    let out = env.run(&a, "lookup-deposit", json!({"txid": cybavo_sb::DEMO_DEPOSIT_TXID, "vout_index": 1})).await;
    assert_ok(&out);
    assert_eq!(out.result["notification"]["serial"], 90_000_000_001i64);
    assert_eq!(out.result["notification"]["amount_units"], "1.5");
    assert_eq!(out.result["notification"]["state_label"], "txid_in_chain");

    let out = env.run(&a, "lookup-withdrawal", json!({"order_id": "WD-55743-0001"})).await;
    assert_ok(&out);
    assert_eq!(out.result["notification"]["serial"], 90_000_000_002i64);
    assert_eq!(out.result["notification"]["outcome"], "succeeded");

    let out = env.run(&a, "lookup-withdrawal", json!({"order_id": "NO-SUCH-ORDER"})).await;
    assert_failed(&out, ErrorCode::ProviderNotFound);
    let out = env.run(&a, "lookup-deposit", json!({"txid": cybavo_sb::DEMO_DEPOSIT_TXID, "vout_index": 0})).await;
    assert_failed(&out, ErrorCode::ProviderNotFound);
}

// ---------------------------------------------------------------------------------------------------------
// Ceffu, Avista, CCPayment: every operation

fn ceffu_params(env: &Env, event_type: &str) -> Value {
    json!({
        "webhookId": ceffu_sb::demo::WEBHOOK_ID,
        "eventType": event_type,
        "resendFromDateTime": env.clock.now_ms() - 30 * 86_400_000,
    })
}

#[tokio::test]
async fn ceffu_resend_webhooks() {
    let env = start().await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let a = env.account("ceffu");
    let out = env.run(&a, "resend-webhooks", ceffu_params(&env, "1")).await;
    assert_ok(&out);
    assert_eq!(out.result["data"], true);
    assert_eq!(out.result["code"], "000000");
    assert_eq!(out.result["request_id"].as_str().unwrap().len(), 32);
    let body = out.request.as_ref().unwrap().body.as_deref().unwrap();
    assert!(body.starts_with(r#"{"webhookId":"1721442311151521794","eventType":"1","resendFromDateTime":"#));
    assert!(body.ends_with(&format!(r#""timestamp":{}}}"#, T0_MS)));
    let d = env.sb.wait_for_deliveries(1, Duration::from_secs(5)).await;
    assert!(!d.is_empty());
    assert!(d.iter().all(|d| d.body.contains(r#""eventType":"1""#)));
    // Same body a moment later: a new timestamp, so a new signature (no G20015).
    env.client_clock.advance_ms(1);
    let out = env.run(&a, "resend-webhooks", ceffu_params(&env, "1")).await;
    assert_ok(&out);
    // Unknown webhook id: a business error with the provider's code.
    let mut p = ceffu_params(&env, "2");
    p["webhookId"] = json!("1");
    let out = env.run(&a, "resend-webhooks", p).await;
    assert_failed(&out, ErrorCode::ProviderInvalidParameter);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], "G20005");
}

#[tokio::test]
async fn avista_token_and_resend_by_every_identifier_kind() {
    // Without the built-in receiver: with no callback URL set, the account has no webhook at all.
    let env = start_with(false, |c| c.receiver = false).await;
    let (url, rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let a = env.account("avista");
    let out = env.run(&a, "get-token", json!({})).await;
    assert_ok(&out);
    assert_eq!(out.result, json!({"token_type": "Bearer", "expires_in": 1800}));
    assert_eq!(out.http_status, Some(201));
    let resp_body = &out.response.as_ref().unwrap().body;
    assert!(resp_body.contains(r#""access_token":"<redacted>""#), "{resp_body}");
    let req_body = out.request.as_ref().unwrap().body.as_deref().unwrap();
    assert!(req_body.contains(r#""clientSecret":"<redacted>""#), "{req_body}");

    // The external id of the docs' example; the token from get-token is reused.
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 1, "cached token reused");
    assert_eq!(out.result["message"], "Webhook resent successfully");
    assert_eq!(out.result["statusCode"], 200);
    assert!(out.result["webhookLogId"].as_i64().unwrap() > 0);
    assert!(out.result["sentAt"].as_str().unwrap().ends_with('Z'));
    let (headers, body) = rec.0.lock().unwrap()[0].clone();
    assert!(headers.iter().any(|(k, v)| k == "x-webhook-secret" && v == avista_sb::demo::WEBHOOK_SECRET));
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["data"]["externalId"], "PAG-2024-0001");
    let numeric = payload["data"]["transactionId"].as_i64().unwrap();
    let e2e = payload["data"]["e2eId"].as_str().unwrap().to_owned();
    assert_eq!(e2e.len(), 33);

    // The numeric id, given as a JSON number and as text, and the e2eId reach the same transaction.
    for id in [json!(numeric), json!(numeric.to_string()), json!(e2e)] {
        let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": id})).await;
        assert_ok(&out);
        let (_, body) = rec.0.lock().unwrap().last().cloned().unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["data"]["externalId"], "PAG-2024-0001", "{id}");
    }
    assert_eq!(rec.0.lock().unwrap().len(), 4);

    // A one-off http URL is refused by the engine before anything is sent (not even a token call).
    let calls_before = env.sb.state()["calls"]["avista"].as_u64().unwrap();
    let out = env
        .run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001", "url": "http://127.0.0.1:9/hook"}))
        .await;
    assert_failed(&out, ErrorCode::InputInvalid);
    assert_eq!(out.error.as_ref().unwrap().params["reason"], "https_required");
    assert!(out.request.is_none() && out.calls.is_empty());
    assert_eq!(env.sb.state()["calls"]["avista"].as_u64().unwrap(), calls_before);
    // So is an https one-off URL on this computer (or a private network, or with user-info): Avista would
    // deliver the transaction's payload there.
    let https = env.sb.base_url().replace("http://", "https://") + "/nowhere";
    for (url, reason) in
        [(https.as_str(), "not_public_host"), ("https://u:p@hooks.example.com/x", "userinfo_not_allowed")]
    {
        let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0002", "url": url})).await;
        assert_failed(&out, ErrorCode::InputInvalid);
        assert_eq!(out.error.as_ref().unwrap().params["reason"], reason);
        assert!(out.calls.is_empty());
    }
    assert_eq!(env.sb.state()["calls"]["avista"].as_u64().unwrap(), calls_before);
    // A public https one-off URL is sent as parsed (host lower-cased, default port dropped); the sandbox
    // delivers only on this computer, so it refuses it as Avista refuses an unusable URL (400).
    let out = env
        .run(
            &a,
            "resend-webhook",
            json!({"transaction_identifier": "PAG-2024-0002", "url": " https://Hooks.Example.com:443/avista "}),
        )
        .await;
    assert_failed(&out, ErrorCode::ProviderNoWebhookUrl);
    assert_eq!(out.request.as_ref().unwrap().body.as_deref(), Some(r#"{"url":"https://hooks.example.com/avista"}"#));

    // Unknown transaction and no webhook URL at all.
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-1999-9999"})).await;
    assert_failed(&out, ErrorCode::ProviderNotFound);
    env.sb.set_callback_url(None).unwrap();
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0003"})).await;
    assert_failed(&out, ErrorCode::ProviderNoWebhookUrl);
}

/// Fire Banking runs Avista's API but documents only its external and internal ids: a Fire Banking
/// account refuses a PIX end-to-end id before anything is sent (not even a token call); an Avista account
/// sends the same id.
#[tokio::test]
async fn firebanking_accounts_refuse_end_to_end_ids_before_sending() {
    let env = start_with(false, |c| c.receiver = false).await;
    let (url, rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let fb = env.account_with("avista", "brand", json!("firebanking"));
    let out = env.run(&fb, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    let (_, body) = rec.0.lock().unwrap()[0].clone();
    let e2e = serde_json::from_slice::<Value>(&body).unwrap()["data"]["e2eId"].as_str().unwrap().to_owned();
    let calls_before = env.sb.state()["calls"]["avista"].as_u64().unwrap();
    for id in [e2e.clone(), format!("  {e2e} "), "E12345678202401151030abcdefghijk".to_owned()] {
        let out = env.run(&fb, "resend-webhook", json!({ "transaction_identifier": id })).await;
        assert_failed(&out, ErrorCode::InputInvalid);
        let e = out.error.as_ref().unwrap();
        assert_eq!(
            (e.params["field"].as_str(), e.params["reason"].as_str()),
            (Some("transaction_identifier"), Some("end_to_end_id_not_at_brand"))
        );
        assert!(out.calls.is_empty());
    }
    assert_eq!(env.sb.state()["calls"]["avista"].as_u64().unwrap(), calls_before);
    let out = env.run(&env.account("avista"), "resend-webhook", json!({ "transaction_identifier": e2e })).await;
    assert_ok(&out);
    // A brand Callback Desk does not know is refused when the account is read.
    let mut j = env.account_json("avista");
    j["brand"] = json!("safirapay");
    let e = Account::from_map(j.as_object().unwrap()).unwrap_err();
    assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("brand"), Some("not_allowed")));
}

#[tokio::test]
async fn avista_reports_the_destination_outcome() {
    let env = start_with(false, |c| c.settings_mut::<avista_sb::Settings>().delivery_timeout_ms = 300).await;
    let (url, _rec) = receiver().await;
    let a = env.account("avista");
    // The destination answers 404: Avista answers 502 and names the destination's status.
    env.sb.set_callback_url(Some(url.replace("/hook", "/missing"))).unwrap();
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_failed(&out, ErrorCode::ProviderDestinationError);
    assert_eq!(out.http_status, Some(502));
    assert_eq!(out.error.as_ref().unwrap().params["destination_status"], 404);
    // The destination does not answer in time: 504.
    env.sb.set_callback_url(Some(url.replace("/hook", "/slow"))).unwrap();
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_failed(&out, ErrorCode::ProviderDestinationTimeout);
    assert_eq!(out.http_status, Some(504));
}

#[tokio::test]
async fn avista_token_is_refreshed_after_a_401() {
    // The sandbox clock runs ahead of the client's: the cached token looks valid locally, the sandbox
    // has expired it.
    let env = start_split_clocks(false).await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let a = env.account("avista");
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    let ops: Vec<&str> = out.calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(ops, ["get-token", "resend-webhook"]);
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 1, "token cached");
    env.clock.advance_ms(1_801_000);
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    let trail: Vec<(String, Option<u16>)> =
        out.calls.iter().map(|c| (c.operation.clone(), c.response.as_ref().map(|r| r.status))).collect();
    assert_eq!(
        trail,
        vec![
            ("resend-webhook".to_owned(), Some(401)),
            ("get-token".to_owned(), Some(201)),
            ("resend-webhook".to_owned(), Some(200)),
        ]
    );
    // The refreshed token is cached in turn.
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_ok(&out);
    assert_eq!(out.calls.len(), 1);
}

fn v1_window(env: &Env) -> Value {
    json!({"start_timestamp": env.now_s() - 3_600, "end_timestamp": env.now_s(),
           "webhook_result": "Failed", "transaction_type": "All Type"})
}

fn v2_window(env: &Env) -> Value {
    json!({"startTimestamp": env.now_s() - 3_600, "endTimestamp": env.now_s(),
           "webhookResult": "Failed", "transactionType": "AllType"})
}

#[tokio::test]
async fn ccpayment_v1_and_v2_resend_webhooks() {
    let env = start().await;
    let (url, rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    let v1 = env.account("ccpayment-v1");
    let out = env.run(&v1, "resend-webhooks", v1_window(&env)).await;
    assert_ok(&out);
    assert_eq!(out.result["code"], 10000);
    let n1 = out.result["resend_count"].as_i64().unwrap();
    assert!(n1 > 0, "{out:?}");
    // Only the start: the provider's default window (one hour).
    let out = env.run(&v1, "resend-webhooks", json!({"start_timestamp": env.now_s() - 3_600})).await;
    assert_ok(&out);
    let out = env
        .run(&v1, "resend-webhooks", json!({"start_timestamp": env.now_s() - 7_200, "webhook_result": "All Result"}))
        .await;
    assert_ok(&out);
    assert!(out.result["resend_count"].as_i64().unwrap() > 0);

    // (The sandbox's v1 and v2 apps share one record set, and the v1 resends above delivered the failed
    // ones, so ask v2 for every result.)
    let v2 = env.account("ccpayment-v2");
    let mut p = v2_window(&env);
    p["webhookResult"] = json!("AllResult");
    let out = env.run(&v2, "resend-webhooks", p).await;
    assert_ok(&out);
    assert_eq!(out.result["msg"], "Success");
    let n2 = out.result["resend_count"].as_i64().unwrap();
    assert!(n2 > 0);
    let d = env.sb.wait_for_deliveries((n1 + n2) as usize, Duration::from_secs(5)).await;
    assert!(d.len() >= (n1 + n2) as usize);
    // v2 by record ids: take ids from a delivered v2 webhook.
    let ids: Vec<String> = rec
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(_, b)| serde_json::from_slice::<Value>(b).ok())
        .filter_map(|v| v["msg"]["recordId"].as_str().map(str::to_owned))
        .take(2)
        .collect();
    assert_eq!(ids.len(), 2);
    let out = env
        .run(
            &v2,
            "resend-webhooks",
            json!({"recordIds": ids, "startTimestamp": env.now_s() - 86_000, "webhookResult": "AllResult"}),
        )
        .await;
    assert_ok(&out);
    assert_eq!(out.result["resend_count"], 2);

    // Windows over an hour are refused before sending.
    let before = env.sb.state()["calls"].clone();
    let out = env
        .run(&v1, "resend-webhooks", json!({"start_timestamp": env.now_s() - 3_601, "end_timestamp": env.now_s()}))
        .await;
    assert_failed(&out, ErrorCode::InputWindowTooLarge);
    assert!(out.calls.is_empty());
    let out = env
        .run(&v2, "resend-webhooks", json!({"startTimestamp": env.now_s() - 7_200, "endTimestamp": env.now_s()}))
        .await;
    assert_failed(&out, ErrorCode::InputWindowTooLarge);
    assert_eq!(out.error.as_ref().unwrap().params["max_seconds"], 3600);
    assert_eq!(env.sb.state()["calls"], before);

    // A v1-only merchant on v2.
    let legacy = Account::from_map(ccpayment_sb::legacy_account(&env.sb.base_url()).as_object().unwrap()).unwrap();
    let out = env.run(&legacy, "resend-webhooks", v2_window(&env)).await;
    assert_failed(&out, ErrorCode::ProviderVersionUnsupported);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11013);
}

// ---------------------------------------------------------------------------------------------------------
// Documented auth errors, provoked for real

#[tokio::test]
async fn wrong_secret_is_a_rejected_signature() {
    let env = start().await;
    let bad = json!("wrong-secret-canary");
    let a = env.account_with("cybavo", "api_secret", bad.clone());
    let out = env.run(&a, "resend-withdrawal-callbacks", json!({"notification_id": 0})).await;
    assert_failed(&out, ErrorCode::AuthSignatureRejected);
    assert_eq!(out.error.as_ref().unwrap().detail.as_deref(), Some("Forbidden. Checksum unmatch"));

    // Ceffu: a key pair that is not the one registered for the API key.
    let a = env.account_with("ceffu", "private_key", json!(include_str!("fixtures/ceffu_unregistered_key.pem")));
    let out = env.run(&a, "resend-webhooks", ceffu_params(&env, "1")).await;
    assert_failed(&out, ErrorCode::AuthSignatureRejected);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], "G20009");

    // Avista signs nothing: a wrong client secret is a refused token request.
    let a = env.account_with("avista", "client_secret", bad.clone());
    let out = env.run(&a, "get-token", json!({})).await;
    assert_failed(&out, ErrorCode::AuthTokenRejected);
    assert_eq!(out.http_status, Some(401));
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_failed(&out, ErrorCode::AuthTokenRejected);
    assert_eq!(out.calls.len(), 1, "no resend without a token");

    for key in ["ccpayment-v1", "ccpayment-v2"] {
        let a = env.account_with(key, "app_secret", bad.clone());
        let p = if key.ends_with("v1") { v1_window(&env) } else { v2_window(&env) };
        let out = env.run(&a, "resend-webhooks", p).await;
        assert_failed(&out, ErrorCode::AuthSignatureRejected);
        assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11005);
    }
}

#[tokio::test]
async fn stale_clock_is_clock_skew() {
    let env = start().await;
    let stale = FixedClock::at_ms(T0_MS - 600_000);
    let out =
        env.run_at(&env.account("cybavo"), "resend-withdrawal-callbacks", json!({"notification_id": 0}), &stale).await;
    assert_failed(&out, ErrorCode::AuthClockSkew);
    assert_eq!(out.error.as_ref().unwrap().detail.as_deref(), Some("Forbidden. Invalid timestamp"));
    // The skew is measured against the provider's `Date` (the sandbox's clock): 10 minutes behind.
    assert_eq!(out.error.as_ref().unwrap().params["skew_seconds"], -600);
    let out = env.run_at(&env.account("ceffu"), "resend-webhooks", ceffu_params(&env, "1"), &stale).await;
    assert_failed(&out, ErrorCode::AuthClockSkew);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], "G20007");
    assert_eq!(out.error.as_ref().unwrap().params["skew_seconds"], -600);
    // CCPayment: the documented two-minute window.
    let stale = FixedClock::at_ms(T0_MS - 121_000);
    let out = env.run_at(&env.account("ccpayment-v1"), "resend-webhooks", v1_window(&env), &stale).await;
    assert_failed(&out, ErrorCode::AuthClockSkew);
    let out = env.run_at(&env.account("ccpayment-v2"), "resend-webhooks", v2_window(&env), &stale).await;
    assert_failed(&out, ErrorCode::AuthClockSkew);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11006);
    assert_eq!(out.error.as_ref().unwrap().params["skew_seconds"], -121);
    let fine = FixedClock::at_ms(T0_MS - 119_000);
    let out = env.run_at(&env.account("ccpayment-v2"), "resend-webhooks", v2_window(&env), &fine).await;
    assert_ok(&out);
}

/// Sends one signed request twice (the engine never does this: it signs every attempt afresh).
async fn send_twice(env: &Env, account: &Account, op: &str, params: Value, nonce: Option<&str>) -> ErrorCode {
    let p = params.as_object().unwrap();
    let ctx = BuildCtx { now_ms: env.clock.now_ms(), nonce: nonce.map(str::to_owned), token: None };
    let req = providers::build_request(account, op, p, &ctx).unwrap();
    let first = env.transport.send(&req, None).await.unwrap();
    providers::parse_response(account, op, &first).expect("first attempt accepted");
    let second = env.transport.send(&req, None).await.unwrap();
    providers::parse_response(account, op, &second).unwrap_err().code
}

#[tokio::test]
async fn replayed_requests_are_rejected() {
    let env = start().await;
    let code = send_twice(
        &env,
        &env.account("cybavo"),
        "query-callbacks",
        json!({"ids": [90_000_000_001i64]}),
        Some("Rpl4yAb1"),
    )
    .await;
    assert_eq!(code, ErrorCode::AuthReplayRejected);
    let code = send_twice(&env, &env.account("ceffu"), "resend-webhooks", ceffu_params(&env, "3"), None).await;
    assert_eq!(code, ErrorCode::AuthReplayRejected);
    // Through the engine the same operation twice at the same instant is fine (fresh r / new timestamp
    // only for Ceffu when the clock moves: it is the caller's clock, and the engine re-signs).
    let out = env.run(&env.account("cybavo"), "query-callbacks", json!({"ids": [90_000_000_001i64]})).await;
    assert_ok(&out);
}

#[tokio::test]
async fn unknown_keys_are_invalid_api_keys() {
    let env = start().await;
    let a = env.account_with("cybavo", "api_code", json!("sbxNOSUCHCODE"));
    let out = env.run(&a, "query-callbacks", json!({"ids": [1]})).await;
    assert_failed(&out, ErrorCode::AuthInvalidApiKey);
    // A real API code of another wallet.
    let a = env.account_with("cybavo", "api_code", json!(cybavo_sb::demo::WALLET2_API_CODE));
    let out = env.run(&a, "query-callbacks", json!({"ids": [1]})).await;
    assert_failed(&out, ErrorCode::AuthInvalidApiKey);
    assert_eq!(out.error.as_ref().unwrap().detail.as_deref(), Some("Invalid API code for wallet 55743"));
    // A wallet the sandbox does not know.
    let a = env.account_with("cybavo", "wallet_id", json!(1));
    let out = env.run(&a, "query-callbacks", json!({"ids": [1]})).await;
    assert_failed(&out, ErrorCode::ProviderWalletInvalid);

    let a = env.account_with("ceffu", "api_key", json!("no-such-key"));
    let out = env.run(&a, "resend-webhooks", ceffu_params(&env, "1")).await;
    assert_failed(&out, ErrorCode::AuthInvalidApiKey);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], "G20010");

    // Avista: an unknown client id is a refused token request.
    let a = env.account_with("avista", "client_id", json!("account-00-000000"));
    let out = env.run(&a, "get-token", json!({})).await;
    assert_failed(&out, ErrorCode::AuthTokenRejected);

    for key in ["ccpayment-v1", "ccpayment-v2"] {
        let a = env.account_with(key, "app_id", json!("202401010000000000000000000000000"));
        let p = if key.ends_with("v1") { v1_window(&env) } else { v2_window(&env) };
        let out = env.run(&a, "resend-webhooks", p).await;
        assert_failed(&out, ErrorCode::AuthInvalidApiKey);
        assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11001);
    }
}

#[tokio::test]
async fn rate_limits_carry_the_limit() {
    let env = start_with(true, |c| {
        c.settings_mut::<cybavo_sb::Settings>().per_minute = 5;
        c.settings_mut::<ceffu_sb::Settings>().per_minute = 3;
        c.settings_mut::<avista_sb::Settings>().per_minute = 2;
    })
    .await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();

    let a = env.account("cybavo");
    for _ in 0..5 {
        assert_ok(&env.run(&a, "query-callbacks", json!({"ids": [90_000_000_001i64]})).await);
    }
    let out = env.run(&a, "query-callbacks", json!({"ids": [90_000_000_001i64]})).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["limit"], 5);
    assert_eq!(out.error.as_ref().unwrap().params["per"], "minute");
    assert_eq!(out.http_status, Some(403));
    env.clock.advance_ms(60_000);
    assert_ok(&env.run(&a, "query-callbacks", json!({"ids": [90_000_000_001i64]})).await);

    let a = env.account("ceffu");
    for _ in 0..3 {
        env.clock.advance_ms(1);
        assert_ok(&env.run(&a, "resend-webhooks", ceffu_params(&env, "4")).await);
    }
    env.clock.advance_ms(1);
    let out = env.run(&a, "resend-webhooks", ceffu_params(&env, "4")).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.http_status, Some(429));
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], "G20012");

    let a = env.account("avista");
    for _ in 0..2 {
        assert_ok(&env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await);
    }
    let out = env.run(&a, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["limit"], 60, "Avista's documented limit");

    // CCPayment v1: once per minute (documented).
    let a = env.account("ccpayment-v1");
    assert_ok(&env.run(&a, "resend-webhooks", v1_window(&env)).await);
    let out = env.run(&a, "resend-webhooks", v1_window(&env)).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["limit"], 1);
    assert_eq!(out.error.as_ref().unwrap().params["per"], "minute");
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11004);
    let a = env.account("ccpayment-v2");
    assert_ok(&env.run(&a, "resend-webhooks", v2_window(&env)).await);
    let out = env.run(&a, "resend-webhooks", v2_window(&env)).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11004);
}

#[tokio::test]
async fn ccpayment_daily_limit() {
    let env = start_with(true, |_| {}).await;
    let a = env.account("ccpayment-v1");
    // 25 calls a day, one a minute, on the sandbox's clock (all within one UTC day).
    let day_start = env.now_s() - env.now_s().rem_euclid(86_400);
    env.clock.set_ms(day_start * 1000 + 3_600_000);
    for i in 0..25 {
        let out = env.run(&a, "resend-webhooks", v1_window(&env)).await;
        assert_ok(&out);
        let _ = i;
        env.clock.advance_ms(61_000);
    }
    let out = env.run(&a, "resend-webhooks", v1_window(&env)).await;
    assert_failed(&out, ErrorCode::ProviderDailyLimit);
    assert_eq!(out.error.as_ref().unwrap().params["limit"], 25);
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], 11009);
    // The next day the quota is back.
    env.clock.set_ms((day_start + 86_400) * 1000 + 60_000);
    assert_ok(&env.run(&a, "resend-webhooks", v1_window(&env)).await);
    // v2 has its own counter: the sandbox applies the same quota and the engine maps 11009.
    let a = env.account("ccpayment-v2");
    for _ in 0..25 {
        assert_ok(&env.run(&a, "resend-webhooks", v2_window(&env)).await);
        env.clock.advance_ms(61_000);
    }
    let out = env.run(&a, "resend-webhooks", v2_window(&env)).await;
    assert_failed(&out, ErrorCode::ProviderDailyLimit);
}

// ---------------------------------------------------------------------------------------------------------
// Injected faults, per provider

struct Case {
    key: &'static str,
    provider: &'static str,
    op: &'static str,
    params: fn(&Env) -> Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            key: "cybavo",
            provider: "cybavo",
            op: "resend-withdrawal-callbacks",
            params: |_| json!({"notification_id": 90_000_000_002i64}),
        },
        Case { key: "ceffu", provider: "ceffu", op: "resend-webhooks", params: |e| ceffu_params(e, "1") },
        Case {
            key: "avista",
            provider: "avista",
            op: "resend-webhook",
            params: |_| json!({"transaction_identifier": "PAG-2024-0001"}),
        },
        Case { key: "ccpayment-v1", provider: "ccpayment-v1", op: "resend-webhooks", params: v1_window },
        Case { key: "ccpayment-v2", provider: "ccpayment-v2", op: "resend-webhooks", params: v2_window },
    ]
}

/// Runs `case` once with `fault` queued (Avista: after a token is cached, so the fault hits the resend).
async fn with_fault(env: &Env, case: &Case, fault: FaultKind) -> CallOutcome {
    let a = env.account(case.key);
    if case.provider == "avista" {
        assert_ok(&env.run(&a, "get-token", json!({})).await);
    }
    env.sb.inject(Fault::new(case.provider, fault));
    env.client_clock.advance_ms(1);
    let out = env.run(&a, case.op, (case.params)(env)).await;
    assert!(env.sb.pending_faults().is_empty(), "fault consumed");
    out
}

#[tokio::test]
async fn fault_status_codes() {
    let env = start().await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    for case in cases() {
        // Every case is a resend: a server error leaves what the provider did unknown.
        let out = with_fault(&env, &case, FaultKind::Status { status: 500 }).await;
        assert_eq!((code(&out), out.outcome), (Some(ErrorCode::ProviderServerError), OutcomeKind::Unknown));
        assert_eq!(out.http_status, Some(500), "{}", case.key);

        // 502/504: a gateway error for most; Avista documents them as the destination's failure.
        for status in [502u16, 504] {
            let out = with_fault(&env, &case, FaultKind::Status { status }).await;
            let expected = match (case.provider, status) {
                ("avista", 502) => (ErrorCode::ProviderDestinationError, OutcomeKind::Failed),
                ("avista", _) => (ErrorCode::ProviderDestinationTimeout, OutcomeKind::Failed),
                _ => (ErrorCode::ProviderServerError, OutcomeKind::Unknown),
            };
            assert_eq!((code(&out), out.outcome), (Some(expected.0), expected.1), "{}", case.key);
            assert_eq!(out.http_status, Some(status));
        }

        // 429 (and the provider's own throttle answer: CYBAVO's is a 403).
        for fault in [FaultKind::Status { status: 429 }, FaultKind::RateLimit] {
            let out = with_fault(&env, &case, fault).await;
            assert_failed(&out, ErrorCode::ProviderRateLimited);
            if case.provider == "cybavo" {
                assert_eq!(out.http_status, Some(403));
                assert_eq!(out.error.as_ref().unwrap().params["limit"], 60);
            }
        }
        // The call after a fault goes through.
        env.client_clock.advance_ms(1);
        let out = env.run(&env.account(case.key), case.op, (case.params)(&env)).await;
        assert_ok(&out);
    }
}

#[tokio::test]
async fn fault_delay_and_reset_leave_the_outcome_unknown() {
    let env = start().await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    for case in cases() {
        let started = std::time::Instant::now();
        let out = with_fault(&env, &case, FaultKind::Delay { ms: TIMEOUT.as_millis() as u64 + 700 }).await;
        assert_eq!(code(&out), Some(ErrorCode::NetworkTimeout), "{}: {out:?}", case.key);
        assert_eq!(out.outcome, OutcomeKind::Unknown, "{}", case.key);
        assert_eq!(out.http_status, None);
        assert!(out.response.is_none());
        assert!(started.elapsed() < TIMEOUT * 3);

        let out = with_fault(&env, &case, FaultKind::Reset).await;
        assert_eq!(code(&out), Some(ErrorCode::NetworkConnectionReset), "{}: {out:?}", case.key);
        assert_eq!(out.outcome, OutcomeKind::Unknown, "{}", case.key);
        assert!(out.request.is_some(), "the request was sent");
    }
    // A delay within the timeout is only slow.
    let case = &cases()[0];
    let out = with_fault(&env, case, FaultKind::Delay { ms: 200 }).await;
    assert_ok(&out);
}

/// A resend whose answer could not be read or trusted: it may have happened.
fn assert_unknown(out: &CallOutcome, expected: ErrorCode) {
    assert_eq!(code(out), Some(expected), "{}", serde_json::to_string_pretty(out).unwrap());
    assert_eq!(out.outcome, OutcomeKind::Unknown, "{}", serde_json::to_string_pretty(out).unwrap());
}

#[tokio::test]
async fn fault_malformed_body_and_wrong_signature() {
    let env = start().await;
    let (url, _rec) = receiver().await;
    env.sb.set_callback_url(Some(url)).unwrap();
    // Every case is a resend: an answer that cannot be read or trusted leaves its outcome unknown.
    for case in cases() {
        let out = with_fault(&env, &case, FaultKind::MalformedBody).await;
        assert_unknown(&out, ErrorCode::ProviderMalformedResponse);
        assert_eq!(out.http_status, Some(200));
    }
    // Providers that sign responses: CYBAVO (X-CHECKSUM) and CCPayment v1 (Appid/Timestamp/Sign).
    for case in cases().into_iter().filter(|c| matches!(c.provider, "cybavo" | "ccpayment-v1")) {
        let out = with_fault(&env, &case, FaultKind::WrongSignature).await;
        assert_unknown(&out, ErrorCode::ProviderSignatureInvalid);
        assert_eq!(out.http_status, Some(200));
    }
    // The others do not sign responses, so the fault changes nothing for them.
    for case in cases().into_iter().filter(|c| !matches!(c.provider, "cybavo" | "ccpayment-v1")) {
        let out = with_fault(&env, &case, FaultKind::WrongSignature).await;
        assert_ok(&out);
    }
}

#[tokio::test]
async fn cybavo_split_query_stops_at_the_first_failing_call() {
    // One call a minute: the second batch of a split query is throttled.
    let env = start_with(true, |c| c.settings_mut::<cybavo_sb::Settings>().per_minute = 1).await;
    let a = env.account("cybavo");
    let ids: Vec<i64> = (0..150).map(|i| 90_000_000_001 + i).collect();
    let out = env.run(&a, "query-callbacks", json!({ "ids": ids })).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["limit"], 1);
    assert_eq!(out.calls.len(), 2);
    // What the first batch returned is kept.
    assert_eq!(out.result["notifications"].as_array().unwrap().len(), 60);
    env.clock.advance_ms(60_000);
    env.sb.inject(Fault::new("cybavo", FaultKind::WrongSignature));
    let out = env.run(&a, "list-callbacks", json!({})).await;
    assert_failed(&out, ErrorCode::ProviderSignatureInvalid);
    assert_eq!(out.result, Value::Null, "an unverified answer is never shown");
}
