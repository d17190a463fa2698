//! The sandbox's built-in receiver and its inbox: with nothing configured, every demo account's resend
//! succeeds and what each simulated provider delivered lands in the inbox (real HTTP deliveries to the
//! sandbox's own port) with its signature checked by the simulator; a tampered delivery does not verify;
//! a sandbox Avista account may send its one-off URL to the receiver, and no other account may.

use callback_desk::accounts::{AccountInput, AccountView, Environment};
use callback_desk::actions::{ActionRequest, ActionResult};
use callback_desk::clock::FixedClock;
use callback_desk::error::ErrorCode;
use callback_desk::providers::{self, Account, BuildCtx, OutcomeKind};
use callback_desk::sandbox::{InboxEntry, Sandbox, SandboxConfig, SandboxHandle, SignatureCheck, INBOX_CAPACITY};
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// 2025-10-09T08:53:20Z.
const T0_MS: i64 = 1_760_000_000_000;
const T0_S: i64 = T0_MS / 1000;

struct Env {
    sb: SandboxHandle,
    store: Store,
    _dir: tempfile::TempDir,
    accounts: Vec<AccountView>,
    transport: HttpTransport,
    http: reqwest::Client,
}

/// A sandbox as configured by `f` (limits off), and a store holding its demo accounts as sandbox accounts.
async fn start_with(f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig { clock: Arc::new(clock.clone()), limits: false, ..SandboxConfig::default() };
    f(&mut cfg);
    let sb = Sandbox::start(cfg).await.expect("sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Arc::new(MemoryStore::default()), Arc::new(clock)).unwrap();
    let accounts = store.accounts.create_sandbox_demo(&sb.base_url()).unwrap();
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(15),
    })
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap();
    Env { sb, store, _dir: dir, accounts, transport, http }
}

impl Env {
    /// The sandbox account of a demo key (`cybavo`, `ccpayment-v1`, …).
    fn account(&self, key: &str) -> i64 {
        let (provider, version) = match key.split_once('-') {
            Some((p, v)) => (p, Some(v)),
            None => (key, None),
        };
        self.accounts
            .iter()
            .find(|a| {
                a.provider.as_str() == provider
                    && version.is_none_or(|v| a.fields.get("api_version").and_then(Value::as_str) == Some(v))
            })
            .unwrap_or_else(|| panic!("no sandbox account {key}"))
            .id
    }

    async fn run(&self, account_id: i64, operation: &str, params: Value) -> callback_desk::error::Result<ActionResult> {
        let req = ActionRequest {
            account_id,
            operation: operation.to_owned(),
            params: params.as_object().cloned().unwrap_or_default(),
        };
        self.store.actions.run(&req, Some(&self.sb.base_url()), &self.transport, None).await
    }

    /// Runs the demo resend of `key` and waits until every callback it queued is in the inbox; returns
    /// the inbox (newest first).
    async fn resend_and_wait(&self, key: &str) -> Vec<InboxEntry> {
        let (_, operation, params) = resends().into_iter().find(|(k, _, _)| *k == key).unwrap();
        let out = self.run(self.account(key), operation, params).await.unwrap();
        assert_eq!(out.outcome, OutcomeKind::Ok, "{key}: {:?}", out.error);
        // How many callbacks the resend queued (Ceffu does not say: at least one in 30 days).
        let count = out.result.get("resend_count").and_then(Value::as_u64).map_or(1, |n| n as usize);
        assert!(count > 0, "{key} resent nothing");
        // CYBAVO, Ceffu and CCPayment deliver in the background, one after the other.
        let mut inbox = self.sb.inbox();
        while of(&inbox, key).len() < count {
            let more = self.sb.wait_for_inbox(inbox.len() + 1, Duration::from_secs(10)).await;
            assert!(more.len() > inbox.len(), "deliveries stopped at {inbox:#?}");
            inbox = more;
        }
        inbox
    }

    fn receiver(&self, api: &str) -> String {
        self.sb.receiver_urls().into_iter().find(|r| r.api.as_str() == api).expect("a receiver URL").url
    }

    /// Posts to the receiver as a provider would.
    async fn deliver(&self, url: &str, headers: &[(String, String)], body: &str) -> u16 {
        let mut req = self.http.post(url).body(body.to_owned());
        for (k, v) in headers {
            if !["host", "content-length"].contains(&k.as_str()) {
                req = req.header(k.as_str(), v.as_str());
            }
        }
        req.send().await.expect("the receiver answers").status().as_u16()
    }
}

/// A resend of each demo account, as the Resend screen sends it.
fn resends() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("cybavo", "resend-withdrawal-callbacks", json!({"notification_id": 90_000_000_002i64})),
        (
            "ceffu",
            "resend-webhooks",
            json!({"webhookId": "1721442311151521794", "eventType": "1", "resendFromDateTime": (T0_S - 30 * 86_400) * 1000}),
        ),
        ("avista", "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})),
        (
            "ccpayment-v1",
            "resend-webhooks",
            json!({"start_timestamp": T0_S - 3_600, "end_timestamp": T0_S, "webhook_result": "All Result"}),
        ),
        (
            "ccpayment-v2",
            "resend-webhooks",
            json!({"startTimestamp": T0_S - 3_600, "endTimestamp": T0_S, "webhookResult": "AllResult"}),
        ),
    ]
}

fn of<'a>(inbox: &'a [InboxEntry], api: &str) -> Vec<&'a InboxEntry> {
    inbox.iter().filter(|e| e.api.as_str() == api).collect()
}

fn header<'a>(entry: &'a InboxEntry, name: &str) -> Option<&'a str> {
    entry.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn every_demo_resend_succeeds_out_of_the_box_and_lands_in_the_inbox_verified() {
    let env = start_with(|_| {}).await;
    assert!(env.sb.delivers_to_receiver());
    assert_eq!(env.sb.callback_url(), None);
    let mut inbox = Vec::new();
    for (key, _, _) in resends() {
        inbox = env.resend_and_wait(key).await;
    }
    // Every delivery went to the receiver and was taken (2xx).
    for d in env.sb.deliveries() {
        assert!(d.url.starts_with(&format!("{}/__sandbox/inbox/receive/", env.sb.base_url())), "{}", d.url);
        assert_eq!(d.status, Some(200), "{}", d.url);
    }
    let expected = [
        ("cybavo", SignatureCheck::Valid),
        ("ceffu", SignatureCheck::NotSigned),
        ("avista", SignatureCheck::NotSigned),
        ("ccpayment-v1", SignatureCheck::Valid),
        ("ccpayment-v2", SignatureCheck::Valid),
    ];
    for (api, signature) in expected {
        let entries = of(&inbox, api);
        assert!(!entries.is_empty(), "nothing from {api} in the inbox");
        for e in entries {
            assert_eq!(e.signature, signature, "{api}: {}", e.body);
            assert_eq!(e.url, env.receiver(api));
            assert_eq!(e.received_at_ms, T0_MS);
            assert_eq!(e.provider.as_str(), api.split('-').next().unwrap());
            assert!(serde_json::from_str::<Value>(&e.body).is_ok(), "{api}: the raw JSON body");
        }
    }
    // What each provider sends besides the body.
    let cybavo = of(&inbox, "cybavo")[0];
    assert!(cybavo.body.contains("90000000002") && header(cybavo, "x-checksum").is_some());
    let v1 = of(&inbox, "ccpayment-v1")[0];
    assert!(header(v1, "appid").is_some() && header(v1, "sign").is_some() && header(v1, "timestamp").is_some());
    let avista = of(&inbox, "avista")[0];
    assert!(avista.body.contains("PAG-2024-0001"));
    assert_eq!(
        header(avista, "x-webhook-secret"),
        Some(callback_desk::providers::avista::sandbox::demo::WEBHOOK_SECRET)
    );
    // Newest first.
    assert!(inbox.windows(2).all(|w| w[0].id > w[1].id));
    // What the window gets: signature and credential headers masked, the rest as received.
    for e in &inbox {
        let shown = e.redacted();
        for (k, v) in &shown.headers {
            let masked = ["x-checksum", "sign", "x-webhook-secret"].contains(&k.as_str());
            assert_eq!(v == "<redacted>", masked, "{k}: {v}");
        }
        assert_eq!((shown.signature.clone(), shown.body.clone()), (e.signature.clone(), e.body.clone()));
    }
}

/// The stored sandbox Ceffu account keeps the sandbox's webhook endpoint id: the resend form offers it
/// (the operation's field takes its value from that account field), and a resend with it succeeds and
/// lands in the inbox, nothing typed.
#[tokio::test]
async fn the_sandbox_ceffu_account_stores_its_webhook_id_and_a_resend_with_it_succeeds() {
    let env = start_with(|_| {}).await;
    let id = env.account("ceffu");
    let view = env.store.accounts.get(id).unwrap();
    let op = providers::descriptor(view.provider).operations.into_iter().find(|o| o.name == "resend-webhooks").unwrap();
    let field = op.fields.iter().find(|f| f.name == "webhookId").unwrap();
    let stored = field.from_account.as_deref().expect("the webhook id is offered from the account");
    let ids = providers::named_ids::read(stored, view.fields.get(stored)).unwrap();
    assert_eq!(ids.len(), 1, "{:?}", view.fields);
    let params = json!({"webhookId": ids[0].id, "eventType": "1", "resendFromDateTime": (T0_S - 30 * 86_400) * 1000});
    let out = env.run(id, "resend-webhooks", params).await.unwrap();
    assert_eq!(out.outcome, OutcomeKind::Ok, "{:?}", out.error);
    let inbox = env.sb.wait_for_inbox(1, Duration::from_secs(10)).await;
    assert!(!of(&inbox, "ceffu").is_empty());
}

/// "Reset the sandbox": the same address, nothing received, no faults waiting, no calls counted, and the
/// sandbox accounts work at once.
#[tokio::test]
async fn a_reset_sandbox_starts_afresh_at_the_same_address() {
    let mut env = start_with(|_| {}).await;
    env.resend_and_wait("avista").await;
    env.sb.inject_all(
        callback_desk::sandbox::training_faults(
            providers::ProviderId::parse("cybavo").unwrap(),
            callback_desk::sandbox::TrainingFault::Down,
            3,
        )
        .unwrap(),
    );
    let root = env.sb.base_url();
    let sb = std::mem::replace(&mut env.sb, Sandbox::start(SandboxConfig::default()).await.unwrap());
    let clock = FixedClock::at_ms(T0_MS);
    let sb =
        sb.reset(SandboxConfig { clock: Arc::new(clock), limits: false, ..SandboxConfig::default() }).await.unwrap();
    assert_eq!(sb.base_url(), root);
    assert!(sb.inbox().is_empty());
    assert!(sb.pending_faults().is_empty());
    assert_eq!(sb.state()["calls"]["avista"], 0);
    env.sb = sb;
    env.resend_and_wait("cybavo").await;
}

#[tokio::test]
async fn a_tampered_delivery_does_not_verify() {
    let env = start_with(|_| {}).await;
    for key in ["cybavo", "ccpayment-v1", "ccpayment-v2"] {
        let inbox = env.resend_and_wait(key).await;
        let original = of(&inbox, key)[0].clone();
        assert_eq!(original.signature, SignatureCheck::Valid, "{key}");
        env.sb.clear_inbox();

        // The same bytes again verify; one byte changed in the body, or the signature header, does not.
        let url = env.receiver(key);
        assert_eq!(env.deliver(&url, &original.headers, &original.body).await, 200);
        let tampered_body = original.body.replacen("\"", "\" ", 1);
        assert_eq!(env.deliver(&url, &original.headers, &tampered_body).await, 200);
        let sig_name = if key == "cybavo" { "x-checksum" } else { "sign" };
        let wrong_sig: Vec<(String, String)> = original
            .headers
            .iter()
            .map(|(k, v)| if k == sig_name { (k.clone(), v.replace(['a', 'A'], "b")) } else { (k.clone(), v.clone()) })
            .collect();
        assert_eq!(env.deliver(&url, &wrong_sig, &original.body).await, 200);
        let unsigned: Vec<(String, String)> = original.headers.iter().filter(|(k, _)| k != sig_name).cloned().collect();
        assert_eq!(env.deliver(&url, &unsigned, &original.body).await, 200);

        let inbox = env.sb.wait_for_inbox(4, Duration::from_secs(10)).await;
        let checks: Vec<bool> = inbox.iter().rev().map(|e| e.signature == SignatureCheck::Valid).collect();
        assert_eq!(checks, [true, false, false, false], "{key}: {inbox:#?}");
        assert!(inbox.iter().all(|e| e.api.as_str() == key));
        assert!(matches!(&inbox[0].signature, SignatureCheck::Invalid { reason } if !reason.is_empty()));
        env.sb.clear_inbox();
    }
}

#[tokio::test]
async fn the_inbox_over_http_is_bounded_newest_first_and_can_be_emptied() {
    let env = start_with(|_| {}).await;
    let url = env.receiver("ceffu");
    for i in 0..INBOX_CAPACITY + 3 {
        assert_eq!(env.deliver(&url, &[], &format!("{{\"n\":{i}}}")).await, 200);
    }
    let inbox: Vec<InboxEntry> =
        env.http.get(format!("{}/__sandbox/inbox", env.sb.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(inbox.len(), INBOX_CAPACITY);
    assert_eq!(inbox[0].body, format!("{{\"n\":{}}}", INBOX_CAPACITY + 2));
    assert_eq!(inbox[INBOX_CAPACITY - 1].body, "{\"n\":3}");
    assert_eq!(env.sb.state()["inbox"], INBOX_CAPACITY);
    // An API no simulator serves, or another method, is not taken.
    let unknown = format!("{}/__sandbox/inbox/receive/nobody", env.sb.base_url());
    assert_eq!(env.deliver(&unknown, &[], "{}").await, 404);
    assert_eq!(env.http.get(&url).send().await.unwrap().status().as_u16(), 405);
    let cleared = env.http.delete(format!("{}/__sandbox/inbox", env.sb.base_url())).send().await.unwrap();
    assert_eq!(cleared.status().as_u16(), 200);
    assert!(env.sb.inbox().is_empty());
}

#[tokio::test]
async fn without_the_receiver_an_avista_resend_has_no_webhook() {
    let env = start_with(|c| c.receiver = false).await;
    assert!(!env.sb.delivers_to_receiver());
    let out =
        env.run(env.account("avista"), "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})).await;
    assert_eq!(out.unwrap().error.map(|e| e.code), Some(ErrorCode::ProviderNoWebhookUrl));
    assert!(env.sb.inbox().is_empty());
}

#[tokio::test]
async fn a_sandbox_avista_account_may_send_its_one_off_url_to_the_receiver_and_no_other_account_may() {
    // Resent callbacks go elsewhere by default, so what reaches the inbox came through the one-off URL.
    let elsewhere = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    };
    let env = start_with(|c| c.callback_url = Some(elsewhere.clone())).await;
    let receiver = env.receiver("avista");
    let sandbox_account = env.account("avista");
    let params = json!({"transaction_identifier": "PAG-2024-0002", "url": receiver});

    let preview = env
        .store
        .actions
        .preview(
            &ActionRequest {
                account_id: sandbox_account,
                operation: "resend-webhook".into(),
                params: params.as_object().cloned().unwrap(),
            },
            Some(&env.sb.base_url()),
        )
        .unwrap();
    assert_eq!(preview.body.as_deref(), Some(format!(r#"{{"url":"{receiver}"}}"#).as_str()));
    let out = env.run(sandbox_account, "resend-webhook", params.clone()).await.unwrap();
    assert_eq!(out.outcome, OutcomeKind::Ok, "{:?}", out.error);
    let inbox = env.sb.inbox();
    assert_eq!(inbox.len(), 1);
    assert_eq!((inbox[0].api.as_str(), inbox[0].url.as_str()), ("avista", receiver.as_str()));
    assert!(inbox[0].body.contains("PAG-2024-0002"));
    assert_eq!(inbox[0].signature, SignatureCheck::NotSigned);

    // Only the receiver's path: another path of the sandbox is still refused.
    let other = receiver.replace("/receive/avista", "/elsewhere");
    let e = env
        .run(sandbox_account, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0002", "url": other}))
        .await
        .unwrap_err();
    assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputInvalid, Some("url")));

    // A custom account pointed at the same sandbox, with the same credentials: refused before anything
    // is sent, as for any account that is not a sandbox account.
    let calls_before = env.sb.state()["calls"]["avista"].clone();
    let demo = env.sb.demo_accounts()["avista"].as_object().unwrap().clone();
    let mut custom =
        AccountInput::from_account_file(&demo, "Custom Avista".into(), Some(Environment::Custom), String::new())
            .unwrap();
    custom.base_url = Some(env.sb.base_url());
    let custom = env.store.accounts.create(&custom).unwrap();
    let req = ActionRequest {
        account_id: custom.id,
        operation: "resend-webhook".into(),
        params: params.as_object().cloned().unwrap(),
    };
    for root in [None, Some(env.sb.base_url())] {
        let e = env.store.actions.run(&req, root.as_deref(), &env.transport, None).await.unwrap_err();
        assert_eq!((e.code, e.params["reason"].as_str()), (ErrorCode::InputInvalid, Some("https_required")));
    }
    // And so is the account file of the CLI.
    let file = Account::from_map(&demo).unwrap();
    let e = providers::build_request(&file, "resend-webhook", params.as_object().unwrap(), &BuildCtx::at(T0_MS))
        .unwrap_err();
    assert_eq!(e.params["reason"], "https_required");
    assert_eq!(env.sb.state()["calls"]["avista"], calls_before);
    assert_eq!(env.sb.inbox().len(), 1);
}
