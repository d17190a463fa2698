//! Ceffu OpenAPI simulator: `POST /open-api/entity/webhook/resend`, written independently of the client's
//! signing code (`sign.rs`).
//!
//! Requests carry `open-apikey` and `signature` = base64(RSASSA-PKCS1-v1_5 SHA-512 over the raw body);
//! the body has a top-level `timestamp` in milliseconds. Business errors come back as HTTP 200 with
//! `{"data":null,"code":"G200xx","message":…}`; the rate limiter answers HTTP 429 with code G20012.
//! Every response carries an `x-request-id` header. Ceffu does not sign the webhooks it delivers.

use crate::error::{Error, Result};
use crate::simulator::{
    lock, random_hex, DemoAccount, OnDelivered, Outgoing, ProviderResponse, SbRequest, SeedRng, SignatureCheck, SimApi,
    SimEnv, SimFuture, SimSettings, Simulation, Simulator, StartCtx, Window,
};
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha512;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The key of the simulated API (counters, faults, deliveries, demo account).
pub const API: &str = "ceffu";

/// Demo credentials (public on purpose: they only open this simulator).
pub mod demo {
    pub const API_KEY: &str = "sbx-ceffu-key-8d2f6a1c9e4b7d03";
    pub const WEBHOOK_ID: &str = "1721442311151521794";
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Calls per minute per API key (G20012, HTTP 429).
    pub per_minute: u32,
    /// Accepted distance of `timestamp` from the sandbox clock, in milliseconds.
    pub timestamp_window_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { per_minute: 60, timestamp_window_ms: 300_000 }
    }
}

/// The test-only RSA key published in the provider reference (§2.5). Never use it for anything real.
/// (Kept with the test fixtures so that no private-key material lives in the source tree.)
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../../../tests/fixtures/ceffu_test_key.pem");

/// The demo key as Ceffu hands it out: base64 of the PKCS#8 DER (the PEM body on one line).
pub fn demo_private_key_base64() -> String {
    TEST_PRIVATE_KEY_PEM.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// Verifies a Ceffu `signature` header over the exact body bytes.
pub fn verify_signature(key: &RsaPublicKey, body: &[u8], signature_b64: &str) -> bool {
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let Ok(sig) = Signature::try_from(raw.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha512>::new(key.clone()).verify(body, &sig).is_ok()
}

#[derive(Debug, Clone)]
struct Notification {
    event_type: u8,
    failed: bool,
    created_ms: i64,
    body: Value,
}

#[derive(Debug, Default)]
struct State {
    keys: HashMap<String, RsaPublicKey>,
    webhooks: HashMap<String, Vec<Notification>>,
    seen_signatures: HashMap<String, i64>,
    limiter: HashMap<String, Window>,
}

impl State {
    fn seeded(seed: u64, now_ms: i64) -> Result<Self> {
        let private = RsaPrivateKey::from_pkcs8_pem(TEST_PRIVATE_KEY_PEM)
            .map_err(|e| Error::internal(format!("sandbox ceffu key: {e}")))?;
        let mut keys = HashMap::new();
        keys.insert(demo::API_KEY.to_owned(), private.to_public_key());
        let mut rng = SeedRng::new(seed, 2);
        let coins = [("USDT", "ETH"), ("BTC", "BTC"), ("ETH", "ETH"), ("USDC", "SOL"), ("BNB", "BSC")];
        let mut list = Vec::new();
        for i in 0..48u64 {
            let event_type = (i % 4) as u8 + 1;
            let created_ms = now_ms - 60_000 - (rng.below(30 * 86_400) as i64) * 1000;
            let (coin, network) = coins[rng.below(coins.len() as u64) as usize];
            let order_id = format!("{}", 1_800_000_000_000_000_000u64 + rng.below(100_000_000_000));
            let body = json!({
                "eventType": event_type.to_string(),
                "webhookId": demo::WEBHOOK_ID,
                "data": {
                    "orderViewId": order_id,
                    "walletId": "498713421234567890",
                    "coinSymbol": coin,
                    "network": network,
                    "amount": format!("{}.{:02}", rng.below(10_000), rng.below(100)),
                    "txId": format!("0x{}", rng.hex(64)),
                    "status": if event_type % 2 == 1 { "SUCCESS" } else { "FAILED" },
                    "time": created_ms,
                },
            });
            list.push(Notification { event_type, failed: rng.below(3) != 0, created_ms, body });
        }
        let mut webhooks = HashMap::new();
        webhooks.insert(demo::WEBHOOK_ID.to_owned(), list);
        Ok(State { keys, webhooks, seen_signatures: HashMap::new(), limiter: HashMap::new() })
    }
}

fn business(code: &str, message: &str) -> ProviderResponse {
    ProviderResponse::json(200, &json!({"data": null, "code": code, "message": message})).rejected()
}

/// HTTP 429 with code G20012 (also used by the rate-limit fault).
fn rate_limited() -> ProviderResponse {
    ProviderResponse::json(429, &json!({"data": null, "code": "G20012", "message": "Rate limit exceeded"}))
        .header("x-request-id", random_hex(16))
}

/// One run of the simulator.
struct CeffuSimulation {
    state: Arc<Mutex<State>>,
    settings: Settings,
    limits: bool,
}

impl Simulation for CeffuSimulation {
    fn handle<'a>(&'a self, _api: &'static str, req: &'a SbRequest, env: &'a SimEnv) -> SimFuture<'a> {
        let request_id = random_hex(16);
        self.answer(req, env).header("x-request-id", request_id).ready()
    }

    fn status_fault(&self, _api: &'static str, status: u16) -> ProviderResponse {
        let reason = hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
        ProviderResponse::json(status, &json!({"data": null, "code": "G20001", "message": reason}))
    }

    fn rate_limited(&self, _api: &'static str) -> ProviderResponse {
        rate_limited()
    }

    /// Ceffu does not sign the webhooks it delivers.
    fn verify_delivery(&self, _api: &'static str, _headers: &[(String, String)], _body: &[u8]) -> SignatureCheck {
        SignatureCheck::NotSigned
    }
}

impl CeffuSimulation {
fn answer(&self, req: &SbRequest, env: &SimEnv) -> ProviderResponse {
    if req.method != hyper::Method::POST || req.path != "/open-api/entity/webhook/resend" {
        return ProviderResponse::json(404, &json!({"data": null, "code": "G20002", "message": "Not Found"}));
    }
    let (Some(api_key), Some(signature)) = (req.header("open-apikey"), req.header("signature")) else {
        return business("G20008", "Missing API key or signature");
    };
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return business("G20002", "Bad request");
    };
    let Some(timestamp) = body.get("timestamp").and_then(Value::as_i64) else {
        return business("G20006", "Timestamp is empty");
    };
    let now = env.now_ms();
    let window = self.settings.timestamp_window_ms;
    if (now - timestamp).abs() > window {
        return business("G20007", "Request timestamp expired");
    }
    let mut st = lock(&self.state);
    let Some(key) = st.keys.get(api_key) else {
        return business("G20010", "Invalid API key");
    };
    if !verify_signature(key, &req.body, signature) {
        return business("G20009", "Invalid signature");
    }
    st.seen_signatures.retain(|_, t| (now - *t).abs() <= window);
    if st.seen_signatures.contains_key(signature) {
        return business("G20015", "Duplicated request");
    }
    st.seen_signatures.insert(signature.to_owned(), timestamp);
    if self.limits && !st.limiter.entry(api_key.to_owned()).or_default().try_hit(now, 60_000, self.settings.per_minute)
    {
        return rate_limited().rejected();
    }
    let webhook_id = match body.get("webhookId") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return business("G20005", "Invalid parameter value: webhookId"),
    };
    let event_type = match body.get("eventType") {
        Some(Value::String(s)) => s.parse::<u8>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u8::try_from(n).ok()),
        _ => None,
    };
    let Some(event_type) = event_type.filter(|e| (1..=4).contains(e)) else {
        return business("G20005", "Invalid parameter value: eventType");
    };
    let Some(from_ms) = body.get("resendFromDateTime").and_then(Value::as_i64) else {
        return business("G20005", "Invalid parameter value: resendFromDateTime");
    };
    let Some(list) = st.webhooks.get(&webhook_id) else {
        return business("G20005", "Invalid parameter value: webhookId not found");
    };
    let items = list
        .iter()
        .enumerate()
        .filter(|(_, n)| n.failed && n.event_type == event_type && n.created_ms >= from_ms)
        .map(|(i, n)| {
            let wid = webhook_id.clone();
            let state = Arc::clone(&self.state);
            let on_done: OnDelivered = Box::new(move |ok: bool| {
                if ok {
                    if let Some(n) = lock(&state).webhooks.get_mut(&wid).and_then(|l| l.get_mut(i)) {
                        n.failed = false;
                    }
                }
            });
            Outgoing { headers: Vec::new(), body: serde_json::to_vec(&n.body).unwrap_or_default(), on_done: Some(on_done) }
        })
        .collect::<Vec<_>>();
    drop(st);
    env.deliver_in_background(API, items);
    ProviderResponse::json(200, &json!({"data": true, "code": "000000", "message": "Success"}))
}
}

/// Ceffu's simulator (see [`Simulator`]).
pub struct CeffuSimulator;

impl Simulator for CeffuSimulator {
    fn apis(&self) -> &'static [SimApi] {
        &[SimApi { key: API, prefix: "/open-api/" }]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount> {
        let account = json!({
            "provider": "ceffu",
            "base_url": base_url,
            "api_key": demo::API_KEY,
            "private_key": demo_private_key_base64(),
        });
        vec![DemoAccount { key: API, label: "Ceffu", account }]
    }

    fn default_settings(&self) -> Box<dyn SimSettings> {
        Box::new(Settings::default())
    }

    fn start(&self, ctx: &StartCtx<'_>) -> Result<Box<dyn Simulation>> {
        Ok(Box::new(CeffuSimulation {
            state: Arc::new(Mutex::new(State::seeded(ctx.seed, ctx.now_ms)?)),
            settings: ctx.settings::<Settings>(),
            limits: ctx.limits,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;

    const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0jy3UtNZrdHnFt7aTSJR
UWuDTg/uaESR34DyeJvi5JIL3s4msAyldDAfUJNJ1AKaHKICbB6xkfK/lqAXrzGi
kC3Rb8INkLw5eB6yGSUi8JEachH6mvZIrr/r/Wk7XL/lYT0kfFpVQzSmPfJoiz3w
0erSAsa1sKrV+ynb88B5bG5yGSbYW5qzub11EXiZz37r0HUqr0haz7qCuW4U+ZYp
9FIyaxSaDeA6tOReK3VtMiZqhlO4+p8S+mkciOXeoptVFxF/Y0i6ezB9Vlja7h3a
1Z8U3EiWiV0KGAXUX7tWkqXdb//WGy2nWC1BNW2HT9+MEbM9p7kwxYo5HEytBWf/
kQIDAQAB
-----END PUBLIC KEY-----
";
    const BODY: &str = r#"{"webhookId":"1721442311151521794","eventType":"1","resendFromDateTime":1699256508000,"timestamp":1699256508000}"#;
    const SIG: &str = "VtXJT8CUxsdbiRUwHXwm6tW4CGi+oFXMR/CWF1TrND4VFdTKvM9FAwzOBk4eqCTQvWmdEZWNoq/tXy2bkvsl1oMmVkq9/yNp32aTfUuRHJ68fnMApuGxjWnvTiHeian7OrXarNA7/gnaKCJckAIVhvd5zd2xIYqI/SG+vxq+BypWzZV2Dq13y1hD90WRx6hWVdNJCfDk7iDzIwxQcznSl315P5FLxGw0xfHvVnR+ayV696oPIgct9+LCo8k1KOUapoVBJdAFHWSv/sU1mZ9qijgNgKZurMxEVb0kihcc8+4Wl9GqycfdJB03OQTEBOme1+/zGGrw8ImullHBiIllfw==";

    #[test]
    fn published_vector_verifies() {
        let key = RsaPublicKey::from_public_key_pem(PUBLIC_PEM).unwrap();
        assert_eq!(BODY.len(), 112);
        assert!(verify_signature(&key, BODY.as_bytes(), SIG));
        assert!(!verify_signature(&key, BODY.replace("\"1\"", "\"2\"").as_bytes(), SIG));
        assert!(!verify_signature(&key, BODY.as_bytes(), "not base64!"));
    }

    #[test]
    fn demo_key_matches_published_public_key() {
        let b64 = demo_private_key_base64();
        assert_eq!(b64.len(), 1628);
        let der = base64::engine::general_purpose::STANDARD.decode(&b64).unwrap();
        let private = RsaPrivateKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(private.to_public_key(), RsaPublicKey::from_public_key_pem(PUBLIC_PEM).unwrap());
    }
}
