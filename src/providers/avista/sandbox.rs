//! Avista (PIX) simulator: `POST /api/auth/token` and `POST /api/resend-webhook/{identifier}`, written
//! independently of the client's code.
//!
//! The token call carries `X-SSL-Client-Cert` (URL-encoded PEM); the sandbox decodes it, parses the
//! certificate and compares its SHA-256 fingerprint with the one linked to the client, then checks
//! `{clientId, clientSecret}` and answers 201 with an opaque bearer token that expires on the sandbox clock.
//! Resends are synchronous: the sandbox calls the destination and reports 200, 502 (destination answered
//! 4xx/5xx or could not be reached) or 504 (timeout), to the one-off `url` of the request (on this
//! computer only, such as the sandbox's own receiver) or else the account webhook (the sandbox's callback
//! target). Avista does not sign its webhooks; it sends the account webhook's custom headers.

use crate::error::{Error, Result};
use crate::simulator::{
    check_loopback_url, lock, random_hex, DeliveryFailure, DemoAccount, ProviderResponse, SbRequest, SeedRng,
    SignatureCheck, SimApi, SimEnv, SimFuture, SimSettings, Simulation, Simulator, StartCtx, Window,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// The key of the simulated API (counters, faults, deliveries, demo account).
pub const API: &str = "avista";

/// Demo credentials (public on purpose: they only open this simulator).
pub mod demo {
    pub const CLIENT_ID: &str = "account-93-550e8400";
    pub const CLIENT_SECRET: &str = "sbx-avista-7c1e4a9f2d6b";
    /// The custom header value configured on the demo account's webhook.
    pub const WEBHOOK_SECRET: &str = "sbx-avista-webhook-5e8a2c";
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Resend calls per minute per client (HTTP 429).
    pub per_minute: u32,
    /// Lifetime of an access token in seconds (docs: 1800).
    pub token_ttl_secs: i64,
    /// How long a synchronous resend waits for the destination (docs: 10 s), in milliseconds.
    pub delivery_timeout_ms: u64,
    /// The custom headers configured on the account webhook (sent with every delivery).
    pub webhook_headers: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            per_minute: 60,
            token_ttl_secs: 1800,
            delivery_timeout_ms: 10_000,
            webhook_headers: vec![("X-Webhook-Secret".to_owned(), demo::WEBHOOK_SECRET.to_owned())],
        }
    }
}
use subtle::ConstantTimeEq;

/// The test certificate published in the provider reference (§3.5), linked to the demo client.
pub const TEST_CERT_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBfTCCASKgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJhdmlzdGEt
dGVzdC1jbGllbnQwHhcNMjYxMTIzMDYxNTI4WhcNMzYxMTIwMDYxNTI4WjAdMRsw
GQYDVQQDDBJhdmlzdGEtdGVzdC1jbGllbnQwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAAS5jSsUcrlns7GN2FmaI0YQG1K6rddW8Z2/PE3k9yGLgD8ynjKRzo2kkYn0
SvZ4/GcDJAfnUcC/VfIiQc1POBxFo1MwUTAdBgNVHQ4EFgQUN2gtnZYeTP2zK0VK
1OmAP4XlNfAwHwYDVR0jBBgwFoAUN2gtnZYeTP2zK0VK1OmAP4XlNfAwDwYDVR0T
AQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAnQytzy9d/9R8QYCtqBzG+tbZ
kpH+CQKa0DAhxf7uYAgCIQC5Yqza/xiZRp66kEBa59olQcE87154RJM86ngbSHiU
Jw==
-----END CERTIFICATE-----
";

/// SHA-256 fingerprint of [`TEST_CERT_PEM`], as `openssl x509 -fingerprint -sha256` prints it.
pub const TEST_CERT_FINGERPRINT: &str =
    "89:DF:FD:DF:61:BC:E5:F2:2B:79:16:3D:B3:F2:0A:13:0F:2C:4F:60:FC:D7:9B:38:43:9C:8F:28:94:BE:7F:B1";

/// The demo transaction of the vendor docs' example.
pub const DEMO_EXTERNAL_ID: &str = "PAG-2024-0001";

/// Decodes the `X-SSL-Client-Cert` header (URL-encoded PEM), parses the certificate and returns the
/// SHA-256 of its DER encoding. `None` when the header is not a certificate.
pub fn header_cert_fingerprint(header: &str) -> Option<[u8; 32]> {
    let pem_text = percent_encoding::percent_decode_str(header).decode_utf8().ok()?;
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.as_bytes()).ok()?;
    pem.parse_x509().ok()?;
    Some(Sha256::digest(&pem.contents).into())
}

/// `AA:BB:…` form of a fingerprint.
pub fn fingerprint_colon_hex(fp: &[u8; 32]) -> String {
    fp.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

#[derive(Debug)]
struct Client {
    secret: String,
    fingerprint: [u8; 32],
}

#[derive(Debug, Clone)]
struct Transaction {
    id: i64,
    external_id: String,
    e2e_id: String,
    payload: Value,
}

#[derive(Debug, Default)]
struct State {
    clients: HashMap<String, Client>,
    tokens: HashMap<String, (String, i64)>,
    transactions: Vec<Transaction>,
    limiter: HashMap<String, Window>,
    next_log_id: i64,
}

impl State {
    fn seeded(seed: u64, now_ms: i64) -> Result<Self> {
        let fingerprint = header_cert_fingerprint(TEST_CERT_PEM)
            .ok_or_else(|| Error::internal("sandbox avista test certificate does not parse"))?;
        let mut clients = HashMap::new();
        clients.insert(
            demo::CLIENT_ID.to_owned(),
            Client { secret: demo::CLIENT_SECRET.to_owned(), fingerprint },
        );
        let mut rng = SeedRng::new(seed, 3);
        let mut transactions = Vec::new();
        for i in 0..25i64 {
            let id = 1_048_576 + i * 7 + rng.below(7) as i64;
            let kind = if i % 3 == 2 { "cash_out" } else { "cash_in" };
            let prefix = if kind == "cash_in" { 'E' } else { 'D' };
            let e2e_id = format!("{prefix}{}", rng.alnum(32));
            let external_id = format!("PAG-2024-{:04}", i + 1);
            let created = chrono::DateTime::from_timestamp_millis(now_ms - 60_000 - rng.below(86_400_000) as i64)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let status = ["CONFIRMED", "CONFIRMED", "CONFIRMED", "PENDING", "ERROR"][rng.below(5) as usize];
            let payload = json!({
                "type": kind,
                "data": {
                    "transactionId": id,
                    "externalId": external_id,
                    "e2eId": e2e_id,
                    "amount": format!("{}.{:02}", rng.below(5_000) + 1, rng.below(100)),
                    "currency": "BRL",
                    "status": status,
                    "createdAt": created,
                },
            });
            transactions.push(Transaction { id, external_id, e2e_id, payload });
        }
        Ok(State { clients, tokens: HashMap::new(), transactions, limiter: HashMap::new(), next_log_id: 12_345 })
    }
}

fn error(status: u16, message: &str) -> ProviderResponse {
    let error = hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    ProviderResponse::json(status, &json!({"message": message, "error": error, "statusCode": status})).rejected()
}

/// HTTP 429 (also used by the rate-limit fault).
fn rate_limited() -> ProviderResponse {
    error(429, "Rate limit exceeded (max 60 requests/minute)")
}

/// One run of the simulator.
struct AvistaSimulation {
    state: Mutex<State>,
    settings: Settings,
    limits: bool,
}

impl Simulation for AvistaSimulation {
    fn handle<'a>(&'a self, _api: &'static str, req: &'a SbRequest, env: &'a SimEnv) -> SimFuture<'a> {
        Box::pin(self.answer(req, env))
    }

    fn status_fault(&self, _api: &'static str, status: u16) -> ProviderResponse {
        let reason = hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
        ProviderResponse::json(status, &json!({"message": reason, "error": reason, "statusCode": status}))
    }

    fn rate_limited(&self, _api: &'static str) -> ProviderResponse {
        rate_limited()
    }

    /// Avista does not sign its webhooks.
    fn verify_delivery(&self, _api: &'static str, _headers: &[(String, String)], _body: &[u8]) -> SignatureCheck {
        SignatureCheck::NotSigned
    }
}

impl AvistaSimulation {
async fn answer(&self, req: &SbRequest, env: &SimEnv) -> ProviderResponse {
    if req.method != hyper::Method::POST {
        return error(404, &format!("Cannot {} {}", req.method, req.path));
    }
    if req.path == "/api/auth/token" {
        return self.token(req, env);
    }
    match req.path.strip_prefix("/api/resend-webhook/") {
        Some(id) if !id.is_empty() && !id.contains('/') => {
            let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned();
            self.resend(req, env, &id).await
        }
        _ => error(404, &format!("Cannot POST {}", req.path)),
    }
}

fn token(&self, req: &SbRequest, env: &SimEnv) -> ProviderResponse {
    let Some(cert) = req.header("x-ssl-client-cert") else {
        return error(401, "Client certificate required");
    };
    let Some(fingerprint) = header_cert_fingerprint(cert) else {
        return error(401, "Invalid client certificate");
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let (Some(client_id), Some(client_secret)) =
        (body.get("clientId").and_then(Value::as_str), body.get("clientSecret").and_then(Value::as_str))
    else {
        return error(400, "clientId and clientSecret are required");
    };
    let mut st = lock(&self.state);
    let Some(client) = st.clients.get(client_id) else {
        return error(401, "Invalid client credentials");
    };
    if !bool::from(client.secret.as_bytes().ct_eq(client_secret.as_bytes())) {
        return error(401, "Invalid client credentials");
    }
    if client.fingerprint != fingerprint {
        return error(401, "Certificate not linked to this account");
    }
    let now = env.now_ms();
    st.tokens.retain(|_, (_, exp)| *exp > now);
    let token = random_hex(32);
    let ttl = self.settings.token_ttl_secs;
    st.tokens.insert(token.clone(), (client_id.to_owned(), now + ttl * 1000));
    ProviderResponse::json(201, &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}))
}

async fn resend(&self, req: &SbRequest, env: &SimEnv, identifier: &str) -> ProviderResponse {
    let now = env.now_ms();
    let bearer = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim);
    let payload = {
        let mut st = lock(&self.state);
        let client_id = match bearer.and_then(|t| st.tokens.get(t)) {
            Some((client, exp)) if *exp > now => client.clone(),
            _ => return error(401, "Invalid or expired token"),
        };
        if self.limits && !st.limiter.entry(client_id).or_default().try_hit(now, 60_000, self.settings.per_minute) {
            return rate_limited();
        }
        let found = st
            .transactions
            .iter()
            .find(|t| t.id.to_string() == identifier || t.external_id == identifier || t.e2e_id == identifier);
        let Some(tx) = found else {
            return error(404, "Transaction not found");
        };
        tx.payload.clone()
    };
    let override_url = if req.body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(v) => v.get("url").and_then(Value::as_str).map(str::to_owned),
            Err(_) => return error(400, "Invalid JSON body"),
        }
    };
    let Some(url) = override_url.or_else(|| env.callback_url(API)) else {
        return error(
            400,
            "No webhook URL available. Configure a webhook for this operation type or provide a temporary url",
        );
    };
    if check_loopback_url(&url).is_err() {
        return error(400, "In the sandbox the url must point to 127.0.0.1 or localhost");
    }
    let headers = self.settings.webhook_headers.clone();
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let sent_at = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let outcome = env.deliver_now(API, &url, headers, body, self.settings.delivery_timeout_ms).await;
    let log_id = {
        let mut st = lock(&self.state);
        st.next_log_id += 1;
        st.next_log_id
    };
    match outcome {
        Ok(status) if (200..300).contains(&status) => ProviderResponse::json(
            200,
            &json!({"message": "Webhook resent successfully", "webhookLogId": log_id, "sentAt": sent_at, "statusCode": status}),
        ),
        Ok(status) => ProviderResponse::json(
            502,
            &json!({"message": format!("Webhook destination returned HTTP {status}"), "error": "Bad Gateway",
                    "statusCode": 502, "webhookLogId": log_id, "destinationStatusCode": status}),
        ),
        Err(DeliveryFailure::Timeout) => ProviderResponse::json(
            504,
            &json!({"message": "Webhook destination timed out", "error": "Gateway Timeout",
                    "statusCode": 504, "webhookLogId": log_id}),
        ),
        Err(DeliveryFailure::Connection) => ProviderResponse::json(
            502,
            &json!({"message": "Webhook destination unreachable", "error": "Bad Gateway",
                    "statusCode": 502, "webhookLogId": log_id}),
        ),
    }
}
}

/// Avista's simulator (see [`Simulator`]).
pub struct AvistaSimulator;

impl Simulator for AvistaSimulator {
    fn apis(&self) -> &'static [SimApi] {
        &[SimApi { key: API, prefix: "/api/", signs_answers: false }]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount> {
        let account = json!({
            "provider": "avista",
            "base_url": base_url,
            "client_id": demo::CLIENT_ID,
            "client_secret": demo::CLIENT_SECRET,
            "client_cert_pem": TEST_CERT_PEM,
        });
        vec![DemoAccount { key: API, label: "Avista", account }]
    }

    fn default_settings(&self) -> Box<dyn SimSettings> {
        Box::new(Settings::default())
    }

    fn start(&self, ctx: &StartCtx<'_>) -> Result<Box<dyn Simulation>> {
        Ok(Box::new(AvistaSimulation {
            state: Mutex::new(State::seeded(ctx.seed, ctx.now_ms)?),
            settings: ctx.settings::<Settings>(),
            limits: ctx.limits,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_fingerprint_matches() {
        let fp = header_cert_fingerprint(TEST_CERT_PEM).unwrap();
        assert_eq!(fingerprint_colon_hex(&fp), TEST_CERT_FINGERPRINT);
    }

    #[test]
    fn both_documented_header_encodings_decode() {
        // Python quote (keeps '/') and encodeURIComponent (encodes '/').
        use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
        const PY_QUOTE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
        let keep_slash: String = percent_encoding::utf8_percent_encode(TEST_CERT_PEM, PY_QUOTE).collect();
        assert_eq!(keep_slash.len(), 613);
        assert!(
            keep_slash.starts_with("-----BEGIN%20CERTIFICATE-----%0AMIIBfTCCASKgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYD")
        );
        let component = crate::providers::util::encode_uri_component(TEST_CERT_PEM);
        assert_eq!(component.len(), 627);
        for h in [keep_slash, component] {
            assert_eq!(header_cert_fingerprint(&h), header_cert_fingerprint(TEST_CERT_PEM));
        }
        assert_eq!(header_cert_fingerprint("not a certificate"), None);
    }
}
