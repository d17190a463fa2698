//! Fireblocks against the in-process sandbox over loopback HTTP: every operation through
//! `providers::execute` + `HttpTransport`, the resend job followed to its end, the signed deliveries
//! checked by the account's own webhook verification, and each documented refusal provoked for real:
//! a bad signature, an unknown API key, an expired or future token, a replayed nonce, a changed body or
//! path, a role without the permission, an unknown id, a request Fireblocks finds invalid, a rate limit
//! with its `Retry-After`, and an `Idempotency-Key` answered twice alike.

use callback_desk::clock::{Clock, FixedClock};
use callback_desk::error::ErrorCode;
use callback_desk::providers::fireblocks::sandbox::{self as fb_sb, demo};
use callback_desk::providers::{self, Account, BuildCtx, CallOutcome, OutcomeKind, RawResponse, SignedRequest};
use callback_desk::sandbox::{Sandbox, SandboxConfig, SandboxHandle, SignatureCheck};
use callback_desk::transport::{HttpTransport, Transport, TransportConfig};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

const T0_MS: i64 = 1_760_000_000_000;
const WAIT: Duration = Duration::from_secs(10);

struct Env {
    sb: SandboxHandle,
    clock: FixedClock,
    transport: HttpTransport,
}

async fn start_with(limits: bool, f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig { clock: Arc::new(clock.clone()), limits, ..SandboxConfig::default() };
    f(&mut cfg);
    let sb = Sandbox::start(cfg).await.expect("sandbox starts");
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    Env { sb, clock, transport }
}

async fn start() -> Env {
    start_with(false, |_| {}).await
}

impl Env {
    fn file(&self) -> Value {
        self.sb.demo_accounts()["fireblocks"].clone()
    }

    fn account(&self) -> Account {
        Account::from_map(self.file().as_object().unwrap()).unwrap()
    }

    fn account_with(&self, field: &str, value: Value) -> Account {
        let mut f = self.file();
        f[field] = value;
        Account::from_map(f.as_object().unwrap()).unwrap()
    }

    async fn run(&self, a: &Account, op: &str, params: Value) -> CallOutcome {
        self.run_at(a, op, params, &self.clock).await
    }

    async fn run_at(&self, a: &Account, op: &str, params: Value, clock: &dyn Clock) -> CallOutcome {
        let p: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
        let out = providers::execute(a, op, &p, clock, &self.transport).await;
        let text = serde_json::to_string(&out).unwrap();
        assert!(!text.contains(demo::API_KEY), "the API key leaked: {text}");
        assert!(!text.contains("Bearer ey"), "a token leaked: {text}");
        out
    }

    /// One request built and signed now, sent as it is (or as `tamper` changes it).
    async fn send(
        &self,
        a: &Account,
        op: &str,
        params: Value,
        nonce: Option<&str>,
        tamper: impl FnOnce(&mut SignedRequest),
    ) -> RawResponse {
        let ctx = BuildCtx { now_ms: self.clock.now_ms(), nonce: nonce.map(str::to_owned), token: None };
        let mut req = providers::build_request(a, op, params.as_object().unwrap(), &ctx).unwrap();
        tamper(&mut req);
        let mut resp = self.transport.send(&req, None).await.expect("an answer");
        resp.received_at_ms = self.clock.now_ms();
        resp
    }
}

#[track_caller]
fn assert_ok(out: &CallOutcome) {
    assert_eq!(out.outcome, OutcomeKind::Ok, "{}", serde_json::to_string_pretty(out).unwrap());
}

#[track_caller]
fn assert_failed(out: &CallOutcome, code: ErrorCode) {
    assert_eq!(
        (out.outcome, out.error_code()),
        (OutcomeKind::Failed, Some(code)),
        "{}",
        serde_json::to_string_pretty(out).unwrap()
    );
}

fn message(resp: &RawResponse) -> String {
    serde_json::from_slice::<Value>(&resp.body).unwrap()["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn webhooks_transactions_and_a_notifications_history_with_its_attempts() {
    let env = start().await;
    let a = env.account();
    // The workspace's webhooks: the demo account's is there.
    let out = env.run(&a, "list-webhooks", json!({})).await;
    assert_ok(&out);
    assert_eq!(out.result["webhooks"][0]["id"], demo::WEBHOOK_ID);
    // A transaction by its id, and by external ids (one needing percent-encoding).
    let out = env.run(&a, "get-transaction", json!({"txId": demo::TX_ID})).await;
    assert_ok(&out);
    assert_eq!(out.result["transaction"]["externalTxId"], demo::EXTERNAL_TX_ID);
    assert_eq!(out.result["transaction"]["resend_operation"], "resend-by-resource");
    let out =
        env.run(&a, "get-transaction-by-external-id", json!({"externalTxId": demo::SPECIAL_EXTERNAL_TX_ID})).await;
    assert_ok(&out);
    assert!(out.request.as_ref().unwrap().url.ends_with("/transactions/external_tx_id/order%2F2024%20%2317"));
    assert_eq!(out.result["transaction"]["externalTxId"], demo::SPECIAL_EXTERNAL_TX_ID);
    // The transaction's notifications, and the failed one's attempts.
    let out = env.run(&a, "list-notifications", json!({"resourceId": demo::TX_ID})).await;
    assert_ok(&out);
    let rows = out.result["notifications"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|n| n["resourceId"] == demo::TX_ID));
    let failed = rows.iter().find(|n| n["status"] == "FAILED").expect("the demo status update failed");
    assert_eq!(failed["eventType"], "transaction.status.updated");
    let out = env.run(&a, "get-notification-attempts", json!({"notificationId": failed["id"]})).await;
    assert_ok(&out);
    assert_eq!(out.result["attempts"][0]["failureReason"], "TIMED_OUT");
    assert_eq!(out.result["attempts"][0]["outcome"], "TIMED_OUT");
    // Filters and paging by cursor: every failed notification, two at a time, each once.
    let mut seen = Vec::new();
    let mut params = json!({"statuses": ["FAILED"], "pageSize": 2});
    loop {
        let out = env.run(&a, "list-notifications", params.clone()).await;
        assert_ok(&out);
        for n in out.result["notifications"].as_array().unwrap() {
            assert_eq!(n["status"], "FAILED");
            seen.push(n["id"].as_str().unwrap().to_owned());
        }
        match out.result["next"].as_str() {
            Some(c) => params["pageCursor"] = json!(c),
            None => break,
        }
    }
    assert!(seen.len() > 2, "more than one page: {seen:?}");
    let distinct: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len());
    let out = env
        .run(&a, "list-notifications", json!({"events": ["transaction.created"], "statuses": ["COMPLETED", "ON_HOLD"]}))
        .await;
    assert_ok(&out);
    for n in out.result["notifications"].as_array().unwrap() {
        assert_eq!(n["eventType"], "transaction.created");
        assert!(n["status"] == "COMPLETED" || n["status"] == "ON_HOLD");
    }
    // Unknown ids: 404.
    assert_failed(&env.run(&a, "get-transaction", json!({"txId": "no-such-tx"})).await, ErrorCode::ProviderNotFound);
    assert_failed(
        &env.run(&a, "get-notification-attempts", json!({"notificationId": "nope"})).await,
        ErrorCode::ProviderNotFound,
    );
    assert_failed(&env.run(&a, "get-resend-job", json!({"jobId": "nope"})).await, ErrorCode::ProviderNotFound);
    let other = env.account_with("webhook_id", json!("00000000-0000-4000-8000-000000000000"));
    assert_failed(&env.run(&other, "list-notifications", json!({})).await, ErrorCode::ProviderNotFound);
}

#[tokio::test]
async fn resends_reach_the_receiver_signed_and_become_new_attempts() {
    let env = start().await;
    let a = env.account();
    let failed = env.run(&a, "list-notifications", json!({"resourceId": demo::TX_ID, "statuses": ["FAILED"]})).await;
    let id = failed.result["notifications"][0]["id"].as_str().unwrap().to_owned();
    // One notification: accepted (202, no body), delivered in the background.
    let out = env.run(&a, "resend-notification", json!({"notificationId": id})).await;
    assert_ok(&out);
    assert_eq!((out.http_status, &out.result), (Some(202), &json!({"accepted": true})));
    let inbox = env.sb.wait_for_inbox(1, WAIT).await;
    assert_eq!(inbox[0].api.as_str(), "fireblocks");
    assert_eq!(inbox[0].signature, SignatureCheck::Valid);
    // The account's own verification (the CLI's `verify --kind callback`) accepts both signatures...
    let body = inbox[0].body.as_bytes();
    assert_eq!(providers::verify_signature(&a, &inbox[0].headers, body), Some(Ok(())));
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!((payload["id"].as_str(), payload["resourceId"].as_str()), (Some(id.as_str()), Some(demo::TX_ID)));
    // ...and refuses a changed body, or Fireblocks' published sandbox key (not the simulator's).
    let changed = inbox[0].body.replace(demo::TX_ID, "cfe5be48-0000-4aa3-8ead-b959fca35dd6");
    assert!(providers::verify_signature(&a, &inbox[0].headers, changed.as_bytes()).unwrap().is_err());
    let mut published = env.file();
    published.as_object_mut().unwrap().remove("webhook_public_key");
    published.as_object_mut().unwrap().remove("webhook_jwks");
    published["base_url"] = json!("https://sandbox-api.fireblocks.io/v1");
    let published = Account::from_map(published.as_object().unwrap()).unwrap();
    let v1_only: Vec<_> =
        inbox[0].headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("fireblocks-signature")).cloned().collect();
    assert!(providers::verify_signature(&published, &v1_only, body).unwrap().unwrap_err().contains("does not match"));
    // The delivery is a new attempt; the notification is now delivered.
    let mut status = String::new();
    for _ in 0..200 {
        let out = env.run(&a, "get-notification-attempts", json!({"notificationId": id})).await;
        if out.result["attempts"].as_array().unwrap().len() == 2 {
            assert_eq!(out.result["attempts"][0]["responseCode"], 200);
            let list = env.run(&a, "list-notifications", json!({"resourceId": demo::TX_ID})).await;
            let n = list.result["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == id.as_str())
                .unwrap()
                .clone();
            status = n["status"].as_str().unwrap().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "COMPLETED");

    // Every notification of a transaction that was not delivered (COMPLETED excluded by default), and
    // with an empty exclusion list, all of them.
    env.sb.clear_inbox();
    let out = env.run(&a, "resend-by-resource", json!({"resourceId": demo::TX_ID, "excludeStatuses": []})).await;
    assert_ok(&out);
    assert_eq!(env.sb.wait_for_inbox(2, WAIT).await.len(), 2);
    assert_failed(
        &env.run(&a, "resend-by-resource", json!({"resourceId": "no-such-tx"})).await,
        ErrorCode::ProviderNotFound,
    );

    // v1: every failed webhook, and one transaction's status webhooks.
    env.sb.clear_inbox();
    let out = env.run(&a, "resend-failed-webhooks-v1", json!({})).await;
    assert_ok(&out);
    let n = out.result["messagesCount"].as_u64().unwrap() as usize;
    assert!(n > 0);
    assert_eq!(env.sb.wait_for_inbox(n, WAIT).await.len(), n);
    let out = env
        .run(
            &a,
            "resend-transaction-webhooks-v1",
            json!({"txId": demo::TX_ID, "resendCreated": false, "resendStatusUpdated": true}),
        )
        .await;
    assert_ok(&out);
    assert_eq!(out.result, json!({"success": true}));
    assert_failed(
        &env.run(&a, "resend-transaction-webhooks-v1", json!({"txId": "no-such-tx", "resendCreated": true})).await,
        ErrorCode::ProviderNotFound,
    );
}

#[tokio::test]
async fn a_resend_of_failed_notifications_is_a_job_followed_to_its_end() {
    let env = start().await;
    let a = env.account();
    let since = T0_MS - 23 * 3_600_000;
    let out = env.run(&a, "resend-failed-notifications", json!({"startTime": since})).await;
    assert_ok(&out);
    assert_eq!(out.http_status, Some(202));
    let job = out.result["jobId"].as_str().expect("a job").to_owned();
    let total = out.result["total"].as_i64().unwrap();
    assert!(total >= 1);
    let descriptor = providers::fireblocks::descriptor();
    assert!(descriptor.operation_named("resend-failed-notifications").unwrap().follow.is_some());
    // Looked at until it is done: QUEUED first, IN_PROGRESS while deliveries remain, then COMPLETED.
    let mut states = Vec::new();
    for _ in 0..500 {
        let out = env.run(&a, "get-resend-job", json!({"jobId": job})).await;
        assert_ok(&out);
        assert_eq!((out.result["jobId"].as_str(), out.result["total"].as_i64()), (Some(job.as_str()), Some(total)));
        let s = out.result["status"].as_str().unwrap().to_owned();
        if states.last() != Some(&s) {
            states.push(s.clone());
        }
        if s == "COMPLETED" {
            assert_eq!(out.result["processed"].as_i64(), Some(total));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(states, ["QUEUED", "IN_PROGRESS", "COMPLETED"]);
    assert!(env.sb.inbox().iter().all(|e| e.signature == SignatureCheck::Valid));
    // Once resent, nothing failed is left in the window: 200 {"total": 0}, no job.
    let out = env.run(&a, "resend-failed-notifications", json!({"startTime": since})).await;
    assert_ok(&out);
    assert_eq!((out.http_status, &out.result), (Some(200), &json!({"total": 0, "jobId": null})));
    // Only some event types: sent in the body as given.
    let out = env.run(&a, "resend-failed-notifications", json!({"events": ["transaction.created"]})).await;
    assert_ok(&out);
    assert_eq!(out.request.unwrap().body.as_deref(), Some(r#"{"events":["transaction.created"]}"#));
}

#[tokio::test]
async fn each_documented_refusal_of_the_credentials() {
    let env = start().await;
    let a = env.account();
    let tx = json!({"txId": demo::TX_ID});
    // A key that is not the API user's: "invalid signature".
    let wrong_key = env.account_with("private_key", json!(include_str!("fixtures/ceffu_test_key.pem")));
    let out = env.run(&wrong_key, "get-transaction", tx.clone()).await;
    assert_failed(&out, ErrorCode::AuthSignatureRejected);
    assert_eq!(out.error.as_ref().unwrap().detail.as_deref(), Some("invalid signature"));
    assert_eq!(out.error.as_ref().unwrap().params["provider_code"], -1);
    // An API key Fireblocks does not know.
    let unknown = env.account_with("api_key", json!("99999999-2222-4333-8444-555555555555"));
    assert_failed(&env.run(&unknown, "get-transaction", tx.clone()).await, ErrorCode::AuthInvalidApiKey);
    // The computer's clock 2 minutes behind (token expired) or ahead (issued in the future): the clock,
    // with how far it is off, from the answer's Date.
    for offset in [-120_000i64, 120_000] {
        let skewed = FixedClock::at_ms(T0_MS + offset);
        let out = env.run_at(&a, "get-transaction", tx.clone(), &skewed).await;
        assert_failed(&out, ErrorCode::AuthClockSkew);
        assert_eq!(out.error.as_ref().unwrap().params["skew_seconds"], offset / 1000, "{out:?}");
        assert_eq!(out.error.as_ref().unwrap().params["window_seconds"], 30);
    }
    // A replayed nonce: the same nonce again within its token's lifetime.
    let nonce = "0f0e0d0c-0b0a-4908-8706-050403020100";
    let first = env.send(&a, "get-transaction", tx.clone(), Some(nonce), |_| {}).await;
    assert_eq!(first.status, 200);
    let again = env.send(&a, "get-transaction", tx.clone(), Some(nonce), |_| {}).await;
    assert_eq!((again.status, message(&again).as_str()), (401, "Unauthorized: nonce already used"));
    assert_eq!(
        providers::parse_response(&a, "get-transaction", &again).unwrap_err().code,
        ErrorCode::AuthReplayRejected
    );
    // A body other than the one hashed, a path other than the one signed.
    let p = json!({"resourceId": demo::TX_ID});
    let changed =
        env.send(&a, "resend-by-resource", p, None, |r| r.body = Some(br#"{"resourceId":"other"}"#.to_vec())).await;
    assert_eq!(
        (changed.status, message(&changed).as_str()),
        (401, "invalid signature: bodyHash does not match the request body")
    );
    assert_eq!(
        providers::parse_response(&a, "resend-by-resource", &changed).unwrap_err().code,
        ErrorCode::AuthSignatureRejected
    );
    let moved =
        env.send(&a, "get-transaction", tx.clone(), None, |r| r.url = r.url.replace(demo::TX_ID, "other-tx")).await;
    assert_eq!((moved.status, message(&moved).as_str()), (401, "invalid signature: uri does not match the request"));
    // No credentials at all.
    let bare = env.send(&a, "get-transaction", tx.clone(), None, |r| r.headers.clear()).await;
    assert_eq!((bare.status, message(&bare).as_str()), (401, "Unauthorized: missing or unknown API key"));
    // A Viewer may read transactions, not resend: 403.
    let viewer = env.account_with("api_key", json!(demo::VIEWER_API_KEY));
    assert_ok(&env.run(&viewer, "get-transaction", tx.clone()).await);
    assert_failed(
        &env.run(&viewer, "resend-notification", json!({"notificationId": "x"})).await,
        ErrorCode::AuthPermissionDenied,
    );
    // Every refusal left nothing behind: the right request still goes through.
    assert_ok(&env.run(&a, "get-transaction", tx).await);
}

#[tokio::test]
async fn the_simulator_refuses_a_longer_token_lifetime_when_strict() {
    let env = start_with(false, |c| c.settings_mut::<fb_sb::Settings>().max_token_lifetime_secs = 20).await;
    let resp = env.send(&env.account(), "get-transaction", json!({"txId": demo::TX_ID}), None, |_| {}).await;
    assert_eq!((resp.status, message(&resp).as_str()), (401, "Unauthorized: token lifetime too long"));
}

#[tokio::test]
async fn invalid_requests_and_rate_limits() {
    let env = start_with(true, |_| {}).await;
    let a = env.account();
    // Fireblocks' clock 10 s ahead: a start exactly 24 h back by ours is older than 24 h by its own (400).
    let sandbox_ahead = FixedClock::at_ms(T0_MS - 10_000);
    let out = env
        .run_at(
            &a,
            "resend-failed-notifications",
            json!({"startTime": T0_MS - 10_000 - 24 * 3_600_000}),
            &sandbox_ahead,
        )
        .await;
    assert_failed(&out, ErrorCode::ProviderInvalidParameter);
    assert_eq!(out.error.as_ref().unwrap().detail.as_deref(), Some("startTime must be within the last 24 hours"));
    // One resend of failed notifications per minute per webhook: the next is a 429 saying when to come back.
    assert_ok(&env.run(&a, "resend-failed-notifications", json!({})).await);
    let out = env.run(&a, "resend-failed-notifications", json!({})).await;
    assert_failed(&out, ErrorCode::ProviderRateLimited);
    assert_eq!(out.error.as_ref().unwrap().params["retry_after_seconds"], 60);
}

#[tokio::test]
async fn the_same_idempotency_key_gets_the_first_answer_again() {
    let env = start_with(true, |_| {}).await;
    let a = env.account();
    // The same job twice, where a second resend would have been refused (one a minute per webhook).
    let key = |r: &mut SignedRequest| r.headers.push(("Idempotency-Key".into(), "resend-after-outage-17".into()));
    let p = json!({"startTime": T0_MS - 23 * 3_600_000});
    let first = env.send(&a, "resend-failed-notifications", p.clone(), None, key).await;
    let second = env.send(&a, "resend-failed-notifications", p.clone(), None, key).await;
    assert_eq!((first.status, second.status), (202, 202));
    assert_eq!((first.header("Location"), &first.body), (second.header("Location"), &second.body));
    assert!(first.header("Location").unwrap().contains("/resend_failed/jobs/"));
    let without = env.send(&a, "resend-failed-notifications", p, None, |_| {}).await;
    assert_eq!(without.status, 429);
    // Every answer carries its request id.
    assert!(first.header("X-Request-ID").is_some_and(|id| id.len() == 32));
    assert!(without.header("X-Request-ID").is_some());
}
