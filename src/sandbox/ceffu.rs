//! Ceffu OpenAPI simulator: `POST /open-api/entity/webhook/resend`.
//!
//! Requests carry `open-apikey` and `signature` = base64(RSASSA-PKCS1-v1_5 SHA-512 over the raw body);
//! the body has a top-level `timestamp` in milliseconds. Business errors come back as HTTP 200 with
//! `{"data":null,"code":"G200xx","message":…}`; the rate limiter answers HTTP 429 with code G20012.
//! Every response carries an `x-request-id` header.

use super::{lock, random_hex, Inner, ProviderId, ProviderResponse, SbRequest, SeedRng, Window};
use crate::error::{Error, Result};
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha512;
use std::collections::HashMap;
use std::sync::Arc;

/// The test-only RSA key published in the provider reference (§2.5). Never use it for anything real.
/// (Kept with the test fixtures so that no private-key material lives in the source tree.)
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../../tests/fixtures/ceffu_test_key.pem");

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
pub(crate) struct Notification {
    pub event_type: u8,
    pub failed: bool,
    pub created_ms: i64,
    pub body: Value,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    keys: HashMap<String, RsaPublicKey>,
    pub webhooks: HashMap<String, Vec<Notification>>,
    seen_signatures: HashMap<String, i64>,
    limiter: HashMap<String, Window>,
}

impl State {
    pub fn seeded(seed: u64, now_ms: i64) -> Result<Self> {
        let private = RsaPrivateKey::from_pkcs8_pem(TEST_PRIVATE_KEY_PEM)
            .map_err(|e| Error::internal(format!("sandbox ceffu key: {e}")))?;
        let mut keys = HashMap::new();
        keys.insert(super::demo::CEFFU_API_KEY.to_owned(), private.to_public_key());
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
                "webhookId": super::demo::CEFFU_WEBHOOK_ID,
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
        webhooks.insert(super::demo::CEFFU_WEBHOOK_ID.to_owned(), list);
        Ok(State { keys, webhooks, seen_signatures: HashMap::new(), limiter: HashMap::new() })
    }
}

fn business(code: &str, message: &str) -> ProviderResponse {
    ProviderResponse::json(200, &json!({"data": null, "code": code, "message": message})).rejected()
}

/// HTTP 429 with code G20012 (also used by the rate-limit fault).
pub(crate) fn rate_limited() -> ProviderResponse {
    ProviderResponse::json(429, &json!({"data": null, "code": "G20012", "message": "Rate limit exceeded"}))
        .header("x-request-id", random_hex(16))
}

pub(crate) fn handle(inner: &Arc<Inner>, req: &SbRequest) -> ProviderResponse {
    let request_id = random_hex(16);
    handle_inner(inner, req).header("x-request-id", request_id)
}

fn handle_inner(inner: &Arc<Inner>, req: &SbRequest) -> ProviderResponse {
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
    let now = inner.now_ms();
    if (now - timestamp).abs() > inner.config.ceffu_timestamp_window_ms {
        return business("G20007", "Request timestamp expired");
    }
    let mut st = lock(&inner.ceffu);
    let Some(key) = st.keys.get(api_key) else {
        return business("G20010", "Invalid API key");
    };
    if !verify_signature(key, &req.body, signature) {
        return business("G20009", "Invalid signature");
    }
    let window = inner.config.ceffu_timestamp_window_ms;
    st.seen_signatures.retain(|_, t| (now - *t).abs() <= window);
    if st.seen_signatures.contains_key(signature) {
        return business("G20015", "Duplicated request");
    }
    st.seen_signatures.insert(signature.to_owned(), timestamp);
    let limits = &inner.config.limits;
    if limits.enabled
        && !st.limiter.entry(api_key.to_owned()).or_default().try_hit(now, 60_000, limits.ceffu_per_minute)
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
            let on_done: super::OnDelivered = Box::new(move |inner: &Arc<Inner>, ok: bool| {
                if ok {
                    if let Some(n) = lock(&inner.ceffu).webhooks.get_mut(&wid).and_then(|l| l.get_mut(i)) {
                        n.failed = false;
                    }
                }
            });
            (Vec::new(), serde_json::to_vec(&n.body).unwrap_or_default(), Some(on_done))
        })
        .collect::<Vec<_>>();
    drop(st);
    inner.deliver_in_background(ProviderId::Ceffu, items);
    ProviderResponse::json(200, &json!({"data": true, "code": "000000", "message": "Success"}))
}

/// Ceffu's simulator (see [`Simulator`](super::Simulator)).
pub struct CeffuSimulator;

impl super::Simulator for CeffuSimulator {
    fn apis(&self) -> &'static [super::SimApi] {
        &[super::SimApi { key: "ceffu", prefix: "/open-api/" }]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<super::DemoAccount> {
        let account = serde_json::json!({
            "provider": "ceffu",
            "base_url": base_url,
            "api_key": super::demo::CEFFU_API_KEY,
            "private_key": demo_private_key_base64(),
        });
        vec![super::DemoAccount { key: "ceffu", label: "Ceffu", account }]
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
