//! The sandbox over HTTP, with hand-written signing (independent of any client code in the crate).

use base64::Engine;
use callback_desk::clock::{Clock, FixedClock};
use callback_desk::providers::{
    avista::sandbox as avista_sb, ccpayment::sandbox as ccpayment_sb, ceffu::sandbox as ceffu_sb,
    cybavo::sandbox as cybavo_sb,
};
use callback_desk::sandbox::{Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{json, Value};
use sha2::{Digest, Sha256, Sha512};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const T0_MS: i64 = 1_760_000_000_000;

struct Env {
    sb: SandboxHandle,
    clock: FixedClock,
    http: reqwest::Client,
}

async fn start_with(f: impl FnOnce(&mut SandboxConfig)) -> Env {
    let clock = FixedClock::at_ms(T0_MS);
    let mut cfg = SandboxConfig { clock: Arc::new(clock.clone()), ..SandboxConfig::default() };
    f(&mut cfg);
    let sb = Sandbox::start(cfg).await.expect("sandbox starts");
    callback_desk::transport::install_crypto_provider();
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap();
    Env { sb, clock, http }
}

async fn start() -> Env {
    start_with(|_| {}).await
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
    }
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("request answered");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap().to_vec();
    Reply { status, headers, body }
}

// ---- CYBAVO signing, by hand --------------------------------------------------------------------------

fn cybavo_checksum(tokens: &[String], body: &str, secret: &str) -> String {
    let mut parts: Vec<String> = tokens.to_vec();
    if !body.is_empty() {
        parts.push(body.to_owned());
    }
    parts.sort();
    parts.push(format!("secret={secret}"));
    hex::encode(Sha256::digest(parts.join("&").as_bytes()))
}

fn cybavo_response_checksum(body: &[u8], secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(body);
    h.update(secret.as_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(h.finalize())
}

struct CybavoCall<'a> {
    wallet: i64,
    code: &'a str,
    secret: &'a str,
    method: &'a str,
    rest: &'a str,
    query: Vec<String>,
    body: &'a str,
    t: i64,
    r: &'a str,
    checksum_override: Option<String>,
}

impl<'a> CybavoCall<'a> {
    fn new(rest: &'a str, body: &'a str, t: i64, r: &'a str) -> Self {
        CybavoCall {
            wallet: cybavo_sb::demo::WALLET_ID,
            code: cybavo_sb::demo::API_CODE,
            secret: cybavo_sb::demo::API_SECRET,
            method: if body.is_empty() { "GET" } else { "POST" },
            rest,
            query: Vec::new(),
            body,
            t,
            r,
            checksum_override: None,
        }
    }

    fn wallet2(mut self) -> Self {
        self.wallet = cybavo_sb::demo::WALLET2_ID;
        self.code = cybavo_sb::demo::WALLET2_API_CODE;
        self.secret = cybavo_sb::demo::WALLET2_API_SECRET;
        self
    }

    async fn send(&self, env: &Env) -> Reply {
        let mut tokens = vec![format!("t={}", self.t), format!("r={}", self.r)];
        tokens.extend(self.query.iter().cloned());
        let checksum =
            self.checksum_override.clone().unwrap_or_else(|| cybavo_checksum(&tokens, self.body, self.secret));
        let url = format!("{}/v1/sofa/wallets/{}/{}?{}", env.sb.base_url(), self.wallet, self.rest, tokens.join("&"));
        let req = if self.method == "GET" { env.http.get(url) } else { env.http.post(url) };
        let mut req = req.header("X-API-CODE", self.code).header("X-CHECKSUM", checksum).header("User-Agent", "test");
        if !self.body.is_empty() {
            req = req.header("Content-Type", "application/json").body(self.body.to_owned());
        }
        send(req).await
    }
}

fn now_s(env: &Env) -> i64 {
    env.clock.now_secs()
}

fn assert_cybavo_error(reply: &Reply, message: &str) {
    assert_eq!(reply.status, 403, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["error"], message);
}

#[tokio::test]
async fn cybavo_resend_withdrawals_is_counted_and_signed() {
    let env = start().await;
    let t = now_s(&env);
    let reply =
        CybavoCall::new("sender/notifications/manual", r#"{"notification_id":0}"#, t, "Ab3dE6gH").send(&env).await;
    assert_eq!(reply.status, 200);
    let count = reply.json()["count"].as_i64().unwrap();
    assert!(count >= 1, "seeded data has failed withdrawal callbacks");
    assert_eq!(reply.header("x-checksum").unwrap(), cybavo_response_checksum(&reply.body, cybavo_sb::demo::API_SECRET));

    let reply = CybavoCall::new("collection/notifications/manual", r#"{"notification_id":90000000001}"#, t, "zz1")
        .send(&env)
        .await;
    assert_eq!(reply.json(), json!({"count": 1}));
}

#[tokio::test]
async fn cybavo_get_by_id_returns_the_seed_callbacks() {
    let env = start().await;
    let body = r#"{"ids":[90000000140,90000000139]}"#;
    let reply = CybavoCall::new("notifications/get_by_id", body, now_s(&env), "q1").wallet2().send(&env).await;
    assert_eq!(reply.status, 200);
    let list = reply.json()["notifications"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["serial"], 90000000140i64);
    assert_eq!(list[1]["amount"], "24447");
    assert_eq!(list[1]["wallet_id"], 56788);
    assert_eq!(list[0]["to_address"].as_str().unwrap().len(), 114);
    let text = String::from_utf8(reply.body.clone()).unwrap();
    assert!(text.contains(r#"{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","#));
}

#[tokio::test]
async fn cybavo_lookups_by_txid_order_id_and_time() {
    let env = start().await;
    let t = now_s(&env);
    let rest = format!("receiver/notifications/txid/{}/{}", cybavo_sb::DEMO_DEPOSIT_TXID, cybavo_sb::DEMO_DEPOSIT_VOUT);
    let reply = CybavoCall::new(&rest, "", t, "a1").send(&env).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["notification"]["serial"], 90000000001i64);

    let rest = format!("sender/notifications/order_id/{}", cybavo_sb::DEMO_WITHDRAWAL_ORDER_ID);
    let reply = CybavoCall::new(&rest, "", t, "a2").send(&env).await;
    assert_eq!(reply.json()["notification"]["serial"], 90000000002i64);

    let mut call = CybavoCall::new("notifications", "", t, "a3");
    call.query = vec![format!("from_time={}", t - 8 * 86_400), format!("to_time={t}"), "type=2".to_owned()];
    let reply = call.send(&env).await;
    assert_eq!(reply.status, 200);
    let list = reply.json()["notifications"].as_array().unwrap().clone();
    assert!(!list.is_empty());
    assert!(list.iter().all(|c| c["type"] == 2));
    assert_eq!(reply.header("x-checksum").unwrap(), cybavo_response_checksum(&reply.body, cybavo_sb::demo::API_SECRET));

    let reply = CybavoCall::new("receiver/notifications/txid/deadbeef/0", "", t, "a4").send(&env).await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn cybavo_documented_auth_errors() {
    let env = start().await;
    let t = now_s(&env);
    let body = r#"{"notification_id":0}"#;
    let path = "sender/notifications/manual";

    // Missing X-CHECKSUM.
    let url = format!("{}/v1/sofa/wallets/55743/{path}?t={t}&r=x", env.sb.base_url());
    let reply = send(env.http.post(url).header("X-API-CODE", cybavo_sb::demo::API_CODE).body(body)).await;
    assert_cybavo_error(&reply, "Forbidden. Header not found");
    assert_eq!(reply.json()["error_code"], 0);

    let reply = CybavoCall::new(path, body, t - 301, "stale").send(&env).await;
    assert_cybavo_error(&reply, "Forbidden. Invalid timestamp");

    let first = CybavoCall::new(path, body, t, "same-r").send(&env).await;
    assert_eq!(first.status, 200);
    let replay = CybavoCall::new(path, body, t, "same-r").send(&env).await;
    assert_cybavo_error(&replay, "Forbidden. Invalid checksum");

    let mut c = CybavoCall::new(path, body, t, "c1");
    c.code = "no-such-code";
    assert_cybavo_error(&c.send(&env).await, "Forbidden. Invalid API code");

    let mut c = CybavoCall::new(path, body, t, "c2");
    c.code = cybavo_sb::demo::WALLET2_API_CODE;
    assert_cybavo_error(&c.send(&env).await, "Invalid API code for wallet 55743");

    let mut c = CybavoCall::new(path, body, t, "c3");
    c.checksum_override = Some("0".repeat(64));
    assert_cybavo_error(&c.send(&env).await, "Forbidden. Checksum unmatch");

    let mut c = CybavoCall::new(path, body, t, "c4");
    c.wallet = 11111;
    assert_cybavo_error(&c.send(&env).await, "Forbidden. Invalid wallet ID");

    let c = CybavoCall::new(path, "{not json", t, "c5");
    let reply = c.send(&env).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json(), json!({"error": "Invalid parameter", "error_code": 112, "message": ""}));

    let state: Value =
        env.http.get(format!("{}/__sandbox/state", env.sb.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["calls"]["cybavo"], 9);
    assert_eq!(state["rejections"]["cybavo"], 8);
}

#[tokio::test]
async fn cybavo_throttle_follows_the_clock() {
    let env = start_with(|c| c.settings_mut::<cybavo_sb::Settings>().per_minute = 3).await;
    for i in 0..3 {
        let r = format!("r{i}");
        let reply = CybavoCall::new("notifications", "", now_s(&env), &r).send(&env).await;
        assert_eq!(reply.status, 200);
    }
    let reply = CybavoCall::new("notifications", "", now_s(&env), "r3").send(&env).await;
    assert_cybavo_error(&reply, "Forbidden. Call too frequently (3 calls/minute)");
    // The other wallet has its own budget.
    let reply = CybavoCall::new("notifications", "", now_s(&env), "w2").wallet2().send(&env).await;
    assert_eq!(reply.status, 200);
    env.clock.advance_ms(60_001);
    let reply = CybavoCall::new("notifications", "", now_s(&env), "r4").send(&env).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn limits_can_be_switched_off() {
    let env = start_with(|c| {
        c.settings_mut::<cybavo_sb::Settings>().per_minute = 1;
        c.limits = false;
    })
    .await;
    for i in 0..4 {
        let r = format!("off{i}");
        let reply = CybavoCall::new("notifications", "", now_s(&env), &r).send(&env).await;
        assert_eq!(reply.status, 200);
    }
}

// ---- Ceffu ---------------------------------------------------------------------------------------------

fn ceffu_sign(body: &str, private_key_b64: &str) -> String {
    let der = base64::engine::general_purpose::STANDARD.decode(private_key_b64).unwrap();
    let key = rsa::RsaPrivateKey::from_pkcs8_der(&der).unwrap();
    let sig = SigningKey::<Sha512>::new(key).sign(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
}

async fn ceffu_call(env: &Env, body: &str, api_key: &str, signature: &str) -> Reply {
    send(
        env.http
            .post(format!("{}/open-api/entity/webhook/resend", env.sb.base_url()))
            .header("open-apikey", api_key)
            .header("signature", signature)
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

fn ceffu_body(env: &Env, event_type: &str, offset_ms: i64) -> String {
    let ts = env.clock.now_ms() + offset_ms;
    format!(
        r#"{{"webhookId":"1721442311151521794","eventType":"{event_type}","resendFromDateTime":{},"timestamp":{ts}}}"#,
        ts - 90 * 86_400_000
    )
}

#[tokio::test]
async fn ceffu_resend_and_documented_errors() {
    let env = start_with(|c| c.settings_mut::<ceffu_sb::Settings>().per_minute = 3).await;
    let accounts = env.sb.demo_accounts();
    let key = accounts["ceffu"]["private_key"].as_str().unwrap().to_owned();
    let api_key = accounts["ceffu"]["api_key"].as_str().unwrap().to_owned();

    let body = ceffu_body(&env, "1", 0);
    let sig = ceffu_sign(&body, &key);
    let ok = ceffu_call(&env, &body, &api_key, &sig).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json(), json!({"data": true, "code": "000000", "message": "Success"}));
    assert!(ok.header("x-request-id").is_some_and(|v| !v.is_empty()));

    let dup = ceffu_call(&env, &body, &api_key, &sig).await;
    assert_eq!(dup.json()["code"], "G20015");

    let body2 = ceffu_body(&env, "2", 1);
    let bad = ceffu_call(&env, &body2, &api_key, &sig).await;
    assert_eq!((bad.status, bad.json()["code"].clone()), (200, json!("G20009")));
    assert_eq!(bad.json()["data"], Value::Null);

    let unknown = ceffu_call(&env, &body2, "nobody", &ceffu_sign(&body2, &key)).await;
    assert_eq!(unknown.json()["code"], "G20010");

    let stale = ceffu_body(&env, "3", -3_600_000);
    let r = ceffu_call(&env, &stale, &api_key, &ceffu_sign(&stale, &key)).await;
    assert_eq!(r.json()["code"], "G20007");

    let bad_type = ceffu_body(&env, "9", 2);
    let r = ceffu_call(&env, &bad_type, &api_key, &ceffu_sign(&bad_type, &key)).await;
    assert_eq!(r.json()["code"], "G20005");

    // Limit 3/min: ok, bad_type (accepted by the limiter), one more, then 429.
    let b3 = ceffu_body(&env, "3", 3);
    assert_eq!(ceffu_call(&env, &b3, &api_key, &ceffu_sign(&b3, &key)).await.status, 200);
    let b4 = ceffu_body(&env, "4", 4);
    let limited = ceffu_call(&env, &b4, &api_key, &ceffu_sign(&b4, &key)).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["code"], "G20012");
    env.clock.advance_ms(61_000);
    let b5 = ceffu_body(&env, "4", 0);
    assert_eq!(ceffu_call(&env, &b5, &api_key, &ceffu_sign(&b5, &key)).await.json()["code"], "000000");
}

// ---- Avista --------------------------------------------------------------------------------------------

fn cert_header(pem: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(pem, SET).collect()
}

async fn avista_token(env: &Env, cert_pem: &str, secret: &str) -> Reply {
    let accounts = env.sb.demo_accounts();
    let body = json!({"clientId": accounts["avista"]["client_id"], "clientSecret": secret});
    send(
        env.http
            .post(format!("{}/api/auth/token", env.sb.base_url()))
            .header("X-SSL-Client-Cert", cert_header(cert_pem))
            .json(&body),
    )
    .await
}

async fn avista_resend(env: &Env, token: &str, identifier: &str, body: Option<Value>) -> Reply {
    let mut req = env
        .http
        .post(format!("{}/api/resend-webhook/{identifier}", env.sb.base_url()))
        .header("Authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

#[derive(Clone, Default)]
struct Receiver {
    hits: Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
}

async fn receiver() -> (String, Receiver) {
    use axum::{extract::State, http::HeaderMap, routing::post, Router};
    let rx = Receiver { status: Arc::new(AtomicU16::new(200)), ..Receiver::default() };
    async fn hook(
        State(rx): State<Receiver>,
        headers: HeaderMap,
        body: String,
    ) -> (axum::http::StatusCode, &'static str) {
        let delay = rx.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in headers.iter() {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        rx.hits.lock().unwrap().push((h, body));
        (axum::http::StatusCode::from_u16(rx.status.load(Ordering::SeqCst)).unwrap(), "success")
    }
    let app = Router::new().route("/hook", post(hook)).with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), rx)
}

#[tokio::test]
async fn avista_token_and_resend() {
    let (hook, rx) = receiver().await;
    // A merchant without an account webhook (no built-in receiver either).
    let env = start_with(|c| {
        c.settings_mut::<avista_sb::Settings>().per_minute = 5;
        c.receiver = false;
    })
    .await;
    let accounts = env.sb.demo_accounts();
    let cert = accounts["avista"]["client_cert_pem"].as_str().unwrap().to_owned();
    let secret = accounts["avista"]["client_secret"].as_str().unwrap().to_owned();

    let tok = avista_token(&env, &cert, &secret).await;
    assert_eq!(tok.status, 201);
    let tj = tok.json();
    assert_eq!(tj["token_type"], "Bearer");
    assert_eq!(tj["expires_in"], 1800);
    let token = tj["access_token"].as_str().unwrap().to_owned();

    // No URL configured and none in the body.
    let r = avista_resend(&env, &token, "PAG-2024-0001", None).await;
    assert_eq!(r.status, 400);

    let r = avista_resend(&env, &token, "PAG-2024-0001", Some(json!({"url": hook}))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["message"], "Webhook resent successfully");
    assert_eq!(j["statusCode"], 200);
    assert!(j["webhookLogId"].as_i64().is_some());
    assert_eq!(j["sentAt"], "2025-10-09T08:53:20.000Z");
    {
        let hits = rx.hits.lock().unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0.get("x-webhook-secret").unwrap(), avista_sb::demo::WEBHOOK_SECRET);
        assert!(hits[0].1.contains("PAG-2024-0001"));
    }

    // The same transaction by numeric id and by e2eId, to the account webhook (callback URL).
    env.sb.set_callback_url(Some(hook.clone())).unwrap();
    let payload: Value = serde_json::from_str(&rx.hits.lock().unwrap()[0].1).unwrap();
    let id = payload["data"]["transactionId"].as_i64().unwrap().to_string();
    let e2e = payload["data"]["e2eId"].as_str().unwrap().to_owned();
    assert_eq!(e2e.len(), 33);
    assert_eq!(avista_resend(&env, &token, &id, None).await.status, 200);
    assert_eq!(avista_resend(&env, &token, &e2e, None).await.status, 200);
    assert_eq!(avista_resend(&env, &token, "PAG-9999-9999", None).await.status, 404);
    // Sixth call reaching the limiter in the same minute (the 400 and the 404 count too).
    let limited = avista_resend(&env, &token, &id, None).await;
    assert_eq!(limited.status, 429);

    env.clock.advance_ms(1_801_000);
    assert_eq!(avista_resend(&env, &token, &id, None).await.status, 401);
    assert_eq!(avista_resend(&env, "made-up", &id, None).await.status, 401);
}

#[tokio::test]
async fn avista_rejects_wrong_secret_unlinked_or_missing_certificate() {
    let env = start().await;
    let cert = avista_sb::TEST_CERT_PEM;
    assert_eq!(avista_token(&env, cert, "wrong").await.status, 401);
    assert_eq!(avista_token(&env, "not a certificate", avista_sb::demo::CLIENT_SECRET).await.status, 401);
    let no_cert = send(
        env.http
            .post(format!("{}/api/auth/token", env.sb.base_url()))
            .json(&json!({"clientId": avista_sb::demo::CLIENT_ID, "clientSecret": avista_sb::demo::CLIENT_SECRET})),
    )
    .await;
    assert_eq!(no_cert.status, 401);
}

#[tokio::test]
async fn avista_reports_destination_failures() {
    let (hook, rx) = receiver().await;
    let env = start_with(|c| {
        c.settings_mut::<avista_sb::Settings>().delivery_timeout_ms = 300;
        c.callback_url = Some(hook.clone());
    })
    .await;
    let token = avista_token(&env, avista_sb::TEST_CERT_PEM, avista_sb::demo::CLIENT_SECRET).await.json()
        ["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    rx.status.store(500, Ordering::SeqCst);
    let r = avista_resend(&env, &token, "PAG-2024-0002", None).await;
    assert_eq!(r.status, 502);
    rx.status.store(200, Ordering::SeqCst);
    rx.delay_ms.store(2_000, Ordering::SeqCst);
    let r = avista_resend(&env, &token, "PAG-2024-0002", None).await;
    assert_eq!(r.status, 504);
}

// ---- CCPayment -----------------------------------------------------------------------------------------

fn ccp_v1_sign(app: &str, secret: &str, ts: &str, body: &[u8]) -> String {
    let mut pre = format!("{app}{secret}{ts}").into_bytes();
    pre.extend_from_slice(body);
    hex::encode(Sha256::digest(&pre))
}

fn ccp_v2_sign(app: &str, secret: &str, ts: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(app.as_bytes());
    mac.update(ts.as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn ccp_call(env: &Env, version: &str, app: &str, secret: &str, ts: i64, body: &str, bad_sign: bool) -> Reply {
    let ts = ts.to_string();
    let mut sign = if version == "v1" {
        ccp_v1_sign(app, secret, &ts, body.as_bytes())
    } else {
        ccp_v2_sign(app, secret, &ts, body.as_bytes())
    };
    if bad_sign {
        sign = "0".repeat(64);
    }
    send(
        env.http
            .post(format!("{}/ccpayment/{version}/webhook/resend", env.sb.base_url()))
            .header("Appid", app)
            .header("Timestamp", ts)
            .header("Sign", sign)
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body.to_owned()),
    )
    .await
}

fn v1_body(start: i64, end: i64) -> String {
    format!(
        r#"{{"start_timestamp":{start},"end_timestamp":{end},"webhook_result":"Failed","transaction_type":"All Type"}}"#
    )
}

async fn v1(env: &Env, body: &str) -> Reply {
    ccp_call(env, "v1", ccpayment_sb::demo::V1_APP_ID, ccpayment_sb::demo::V1_APP_SECRET, now_s(env), body, false).await
}

#[tokio::test]
async fn ccpayment_v1_resend_limits_and_errors() {
    let env = start_with(|c| c.settings_mut::<ccpayment_sb::Settings>().v1_per_day = 2).await;
    let now = now_s(&env);
    let r = v1(&env, &v1_body(now - 3_600, now)).await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["code"], 10000);
    assert_eq!(j["msg"], "success");
    let count: i64 = j["data"]["resend_count"].as_str().unwrap().parse().unwrap();
    assert!(count > 0);
    // Signed response over the raw body.
    let (app, ts, sign) = (r.header("appid").unwrap(), r.header("timestamp").unwrap(), r.header("sign").unwrap());
    assert_eq!(app, ccpayment_sb::demo::V1_APP_ID);
    assert_eq!(sign, ccp_v1_sign(&app, ccpayment_sb::demo::V1_APP_SECRET, &ts, &r.body));

    // Second call within the minute.
    assert_eq!(v1(&env, &v1_body(now - 3_600, now)).await.json()["code"], 11004);
    env.clock.advance_ms(60_000);
    let now = now_s(&env);
    assert_eq!(v1(&env, &v1_body(now - 3_600, now)).await.json()["code"], 10000);
    env.clock.advance_ms(60_000);
    let now = now_s(&env);
    assert_eq!(v1(&env, &v1_body(now - 3_600, now)).await.json()["code"], 11009);
    // A new day (UTC) resets the budget.
    env.clock.advance_ms(86_400_000);
    let now = now_s(&env);
    assert_eq!(v1(&env, &v1_body(now - 3_600, now)).await.json()["code"], 10000);

    env.clock.advance_ms(60_000);
    let now = now_s(&env);
    assert_eq!(v1(&env, &v1_body(now - 3_601, now)).await.json()["code"], 11000);
    let stale = ccp_call(
        &env,
        "v1",
        ccpayment_sb::demo::V1_APP_ID,
        ccpayment_sb::demo::V1_APP_SECRET,
        now - 121,
        &v1_body(now - 60, now),
        false,
    )
    .await;
    assert_eq!(stale.json()["code"], 11006);
    let bad = ccp_call(
        &env,
        "v1",
        ccpayment_sb::demo::V1_APP_ID,
        ccpayment_sb::demo::V1_APP_SECRET,
        now,
        &v1_body(now - 60, now),
        true,
    )
    .await;
    assert_eq!(bad.json()["code"], 11005);
}

#[tokio::test]
async fn ccpayment_v2_resend_and_errors() {
    let env = start().await;
    let now = now_s(&env);
    let body = format!(
        r#"{{"startTimestamp":{},"endTimestamp":{now},"webhookResult":"AllResult","transactionType":"AllType"}}"#,
        now - 3_600
    );
    let r =
        ccp_call(&env, "v2", ccpayment_sb::demo::V2_APP_ID, ccpayment_sb::demo::V2_APP_SECRET, now, &body, false).await;
    let j = r.json();
    assert_eq!(j["code"], 10000, "{j}");
    assert!(j["data"]["resendCount"].as_i64().unwrap() > 0);

    let r =
        ccp_call(&env, "v2", ccpayment_sb::demo::V2_APP_ID, ccpayment_sb::demo::V2_APP_SECRET, now, &body, true).await;
    assert_eq!(r.json()["code"], 11005);
    let r =
        ccp_call(&env, "v2", ccpayment_sb::demo::V2_APP_ID, ccpayment_sb::demo::V2_APP_SECRET, now - 500, &body, false)
            .await;
    assert_eq!(r.json()["code"], 11006);
    let r =
        ccp_call(&env, "v2", ccpayment_sb::demo::V2_APP_ID, ccpayment_sb::demo::V2_APP_SECRET, now, &body, false).await;
    assert_eq!(r.json()["code"], 11004);
    let legacy = ccpayment_sb::legacy_account(&env.sb.base_url());
    let r = ccp_call(
        &env,
        "v2",
        legacy["app_id"].as_str().unwrap(),
        legacy["app_secret"].as_str().unwrap(),
        now,
        &body,
        false,
    )
    .await;
    assert_eq!(r.json()["code"], 11013);
}

// ---- Faults --------------------------------------------------------------------------------------------

#[tokio::test]
async fn fault_status_override_and_rate_limit() {
    let env = start().await;
    env.sb.inject(Fault::new("cybavo", FaultKind::Status { status: 502 }).times(2));
    for i in 0..2 {
        let r = format!("f{i}");
        assert_eq!(CybavoCall::new("notifications", "", now_s(&env), &r).send(&env).await.status, 502);
    }
    assert_eq!(CybavoCall::new("notifications", "", now_s(&env), "f2").send(&env).await.status, 200);

    env.sb.inject(Fault::new("cybavo", FaultKind::RateLimit));
    let r = CybavoCall::new("notifications", "", now_s(&env), "f3").send(&env).await;
    assert_cybavo_error(&r, "Forbidden. Call too frequently (60 calls/minute)");

    // Scoped: a Ceffu fault does not touch CYBAVO.
    env.sb.inject(Fault::new("ceffu", FaultKind::Status { status: 500 }));
    assert_eq!(CybavoCall::new("notifications", "", now_s(&env), "f4").send(&env).await.status, 200);
    assert_eq!(env.sb.pending_faults().len(), 1);
    env.sb.clear_faults();
    assert!(env.sb.pending_faults().is_empty());
}

#[tokio::test]
async fn fault_delay_reset_malformed_and_wrong_signature() {
    let env = start().await;
    env.sb.inject(Fault::any(FaultKind::Delay { ms: 300 }));
    let t0 = std::time::Instant::now();
    assert_eq!(CybavoCall::new("notifications", "", now_s(&env), "d1").send(&env).await.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));

    env.sb.inject(Fault::new("cybavo", FaultKind::Reset));
    let url = format!("{}/v1/sofa/wallets/55743/notifications?t=1&r=x", env.sb.base_url());
    let err = env.http.get(url).send().await.expect_err("connection is reset");
    assert!(!err.is_timeout(), "{err:?}");
    let chain = format!("{err:?}").to_lowercase();
    assert!(chain.contains("connectionreset"), "{chain}");

    env.sb.inject(Fault::new("cybavo", FaultKind::MalformedBody));
    let r = CybavoCall::new("notifications", "", now_s(&env), "m1").send(&env).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    assert_eq!(r.header("x-checksum").unwrap(), cybavo_response_checksum(&r.body, cybavo_sb::demo::API_SECRET));

    env.sb.inject(Fault::new("cybavo", FaultKind::WrongSignature));
    let r = CybavoCall::new("notifications", "", now_s(&env), "w1").send(&env).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_ok());
    assert_ne!(r.header("x-checksum").unwrap(), cybavo_response_checksum(&r.body, cybavo_sb::demo::API_SECRET));

    // The server keeps serving after a reset.
    assert_eq!(CybavoCall::new("notifications", "", now_s(&env), "after").send(&env).await.status, 200);
}

#[tokio::test]
async fn faults_over_http_and_state() {
    let env = start().await;
    let base = env.sb.base_url();
    let r = send(env.http.post(format!("{base}/__sandbox/faults")).json(&json!([
        {"provider": "ccpayment-v1", "kind": "status", "status": 504, "count": 1},
        {"provider": "avista", "kind": "rate_limit"}
    ])))
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["pending_faults"].as_array().unwrap().len(), 2);
    let now = now_s(&env);
    assert_eq!(v1(&env, &v1_body(now - 60, now)).await.status, 504);
    let r = avista_resend(&env, "x", "PAG-2024-0001", None).await;
    assert_eq!(r.status, 429);

    let r = send(env.http.post(format!("{base}/__sandbox/faults")).json(&json!({"kind": "reset", "count": 3}))).await;
    assert_eq!(r.status, 200);
    let r = send(env.http.delete(format!("{base}/__sandbox/faults"))).await;
    assert_eq!(r.json()["pending_faults"], json!([]));
    let bad = send(env.http.post(format!("{base}/__sandbox/faults")).json(&json!({"kind": "explode"}))).await;
    assert_eq!(bad.status, 400);

    let state = send(env.http.get(format!("{base}/__sandbox/state"))).await.json();
    assert_eq!(state["calls"]["ccpayment-v1"], 1);
    assert_eq!(state["faults_applied"]["avista"], 1);
    assert_eq!(state["rejections"]["avista"], 1);
    assert_eq!(state["deliveries"]["total"], 0);

    let accounts = send(env.http.get(format!("{base}/__sandbox/accounts"))).await.json();
    assert_eq!(accounts, env.sb.demo_accounts());
}

// ---- Re-delivery ---------------------------------------------------------------------------------------

#[tokio::test]
async fn resent_callbacks_are_redelivered_signed() {
    let (hook, rx) = receiver().await;
    let env = start().await;
    let r =
        send(env.http.put(format!("{}/__sandbox/callback-url", env.sb.base_url())).json(&json!({"url": hook}))).await;
    assert_eq!(r.status, 200);

    let reply =
        CybavoCall::new("collection/notifications/manual", r#"{"notification_id":90000000140}"#, now_s(&env), "rd1")
            .wallet2()
            .send(&env)
            .await;
    assert_eq!(reply.json(), json!({"count": 1}));
    let d = env.sb.wait_for_deliveries(1, Duration::from_secs(10)).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].status, Some(200));
    {
        let hits = rx.hits.lock().unwrap();
        let (headers, body) = &hits[0];
        let cb: Value = serde_json::from_str(body).unwrap();
        assert_eq!(cb["serial"], 90000000140i64);
        assert_eq!(
            headers.get("x-checksum").unwrap().to_str().unwrap(),
            cybavo_response_checksum(body.as_bytes(), cybavo_sb::demo::WALLET2_API_SECRET)
        );
    }

    let now = now_s(&env);
    let r = v1(&env, &v1_body(now - 3_600, now)).await;
    let count: usize = r.json()["data"]["resend_count"].as_str().unwrap().parse().unwrap();
    let d = env.sb.wait_for_deliveries(1 + count, Duration::from_secs(10)).await;
    assert_eq!(d.len(), 1 + count);
    {
        let hits = rx.hits.lock().unwrap();
        let (headers, body) = &hits[1];
        let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
        assert_eq!(h("appid"), ccpayment_sb::demo::V1_APP_ID);
        assert_eq!(
            h("sign"),
            ccp_v1_sign(&h("appid"), ccpayment_sb::demo::V1_APP_SECRET, &h("timestamp"), body.as_bytes())
        );
    }

    // Delivered callbacks are no longer failed: a second "all failed" resend finds none.
    tokio::time::sleep(Duration::from_millis(100)).await;
    env.clock.advance_ms(60_000);
    let r = v1(&env, &v1_body(now - 3_600, now)).await;
    assert_eq!(r.json()["data"]["resend_count"], "0");
}

#[tokio::test]
async fn callback_url_must_be_loopback() {
    let env = start().await;
    assert!(env.sb.set_callback_url(Some("http://example.com/hook".into())).is_err());
    assert!(env.sb.set_callback_url(Some("http://127.0.0.1:9/hook".into())).is_ok());
    assert!(env.sb.set_callback_url(None).is_ok());
    let accounts = env.sb.demo_accounts();
    for k in ["cybavo", "ceffu", "avista", "ccpayment-v1", "ccpayment-v2"] {
        assert!(accounts[k]["base_url"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{k}");
    }
    assert_eq!(accounts["cybavo"]["wallet_id"], 55743);
    assert_eq!(
        cybavo_sb::demo_account(&env.sb.base_url(), 56788).unwrap()["api_code"],
        cybavo_sb::demo::WALLET2_API_CODE
    );
    assert_eq!(accounts["ccpayment-v2"]["base_url"].as_str().unwrap(), format!("{}/ccpayment/v2", env.sb.base_url()));
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let env = start().await;
    let base = env.sb.base_url();
    assert_eq!(send(env.http.get(format!("{base}/__sandbox/state"))).await.status, 200);
    env.sb.shutdown().await;
    let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
    assert!(fresh.get(format!("{base}/__sandbox/state")).send().await.is_err());
}
