//! Fireblocks simulator (provider reference part 2, §4.7), written apart from the client's code: the
//! v2 webhook notification APIs, the v1 resends, transactions by id and by external id, and the list of
//! webhooks, under `/v1/`.
//!
//! * Every request needs `X-API-Key` and a `Bearer` JWT that passes the checks of [`auth`] (401
//!   `{"message", "code": -1}` otherwise, saying which check failed).
//! * API users have a role: the demo one is an Admin; [`demo::VIEWER_API_KEY`] is a Viewer, who may only
//!   read transactions (403 otherwise).
//! * Invalid requests are 400, unknown ids 404 (`{"message", "code"}` with the HTTP status as code).
//! * A resend of one notification or of a transaction's notifications is accepted (202, no body) and
//!   delivered at once in the background; a resend of failed notifications answers 200 `{"total": 0}`
//!   when none failed in the window, else 202 `{"total": n}` with the job's URL in `Location`. The job
//!   is QUEUED at its first look, IN_PROGRESS while deliveries remain, then COMPLETED.
//! * Each delivery is a new attempt of its notification (time, answer code or why there was none,
//!   duration), and the notification becomes COMPLETED once delivered.
//! * Deliveries carry both of Fireblocks' signatures, made with the simulator's own webhook key:
//!   `Fireblocks-Signature` (v1, RSA-SHA512 over the raw body) and `Fireblocks-Webhook-Signature` (v2,
//!   a detached RS512 JWS whose `kid` is in the JWKS served at `/v1/.well-known/jwks.json`).
//! * Calls are limited per API user, resends of failed notifications per webhook (429 with
//!   `Retry-After`); the same `Idempotency-Key` within 24 hours gets the first answer again; every answer
//!   carries an `X-Request-ID`.

mod auth;
mod data;

use crate::error::{Error, Result};
use crate::simulator::{
    lock, random_hex, DeliveryFailure, DemoAccount, ProviderResponse, SbRequest, SeedRng, SignatureCheck, SimApi,
    SimEnv, SimFuture, SimSettings, Simulation, Simulator, StartCtx, Window,
};
use base64::Engine as _;
use data::{Attempt, Job, Workspace};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Map, Value};
use sha2::Sha512;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use auth::Refusal;

/// The key of the simulated API (counters, faults, deliveries, demo account).
pub const API: &str = "fireblocks";

/// Demo credentials and ids (public on purpose: they only open this simulator).
pub mod demo {
    /// The Admin API user of the demo account.
    pub const API_KEY: &str = "0b7e4c2a-5d19-4f6e-8a3c-9d2b1e7f6a54";
    /// A Viewer API user (same test key): transactions only.
    pub const VIEWER_API_KEY: &str = "6a1f3e9c-2b7d-4c58-9e0a-3f5d7b1c8e26";
    pub const WEBHOOK_ID: &str = "44fcead0-7053-4831-a53a-df7fb90d440f";
    pub const WORKSPACE_ID: &str = "c1d2e3f4-0a1b-4c2d-8e3f-4a5b6c7d8e9f";
    /// The `kid` of the simulator's webhook key in its JWKS.
    pub const WEBHOOK_KID: &str = "sandbox-webhook-key-1";
    /// A transaction whose status update failed to reach the merchant within the last day.
    pub const TX_ID: &str = "cfe5be48-9307-4aa3-8ead-b959fca35dd6";
    pub const EXTERNAL_TX_ID: &str = "INV-20231114-0001";
    /// An external id that must be percent-encoded in a path.
    pub const SPECIAL_EXTERNAL_TX_ID: &str = "order/2024 #17";
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Calls per minute per API user (HTTP 429).
    pub per_minute: u32,
    /// Resends of failed notifications per minute per webhook (a "high compute" call).
    pub resend_failed_per_minute: u32,
    /// The longest `exp` − `iat` accepted: 55 (what Fireblocks' SDKs send, and Fireblocks accepts);
    /// 30 is what its documentation asks for.
    pub max_token_lifetime_secs: i64,
    /// How far in the future `iat` may be.
    pub future_skew_secs: i64,
    /// Accept the legacy SDKs' hash of `""` on requests without a body.
    pub accept_legacy_body_hash: bool,
    /// How long a delivery waits for the merchant's server, in milliseconds.
    pub delivery_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            per_minute: 600,
            resend_failed_per_minute: 1,
            max_token_lifetime_secs: 55,
            future_skew_secs: 5,
            accept_legacy_body_hash: true,
            delivery_timeout_ms: 10_000,
        }
    }
}

/// The API user key of the demo account: the provider reference's test key (§4.6). Never use it for
/// anything real. (Kept with the test fixtures so that no private-key material lives in the source tree.)
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../../../tests/fixtures/fireblocks_test_key.pem");

/// The simulator's own key signing its webhooks (test only, like the one above).
const WEBHOOK_KEY_PEM: &str = include_str!("../../../tests/fixtures/fireblocks_sandbox_webhook_key.pem");

/// What an API user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Viewer,
}

#[derive(Debug, Clone)]
pub struct User {
    pub public_key: RsaPublicKey,
    pub role: Role,
}

/// The simulator's webhook key: its public half as a PEM (the demo account's `webhook_public_key`).
pub fn webhook_public_key_pem() -> String {
    use rsa::pkcs8::EncodePublicKey;
    webhook_key().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap_or_default()
}

/// The JWKS of the simulator's webhook key (the demo account's `webhook_jwks`, served at
/// `/v1/.well-known/jwks.json`).
pub fn webhook_jwks() -> Value {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let public = webhook_key().to_public_key();
    json!({"keys": [{"kty": "RSA", "kid": demo::WEBHOOK_KID, "use": "sig", "alg": "RS512",
        "n": b64.encode(public.n().to_bytes_be()), "e": b64.encode(public.e().to_bytes_be())}]})
}

fn webhook_key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(WEBHOOK_KEY_PEM).expect("the simulator's webhook key parses")
}

/// Both webhook signature headers of a body.
fn sign_delivery(key: &rsa::pkcs1v15::SigningKey<Sha512>, body: &[u8]) -> Vec<(String, String)> {
    let std64 = base64::engine::general_purpose::STANDARD;
    let url64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let v1 = std64.encode(key.sign(body).to_bytes());
    let protected = url64.encode(format!(r#"{{"alg":"RS512","kid":"{}","typ":"JOSE"}}"#, demo::WEBHOOK_KID));
    let v2 = key.sign(format!("{protected}.{}", url64.encode(body)).as_bytes());
    vec![
        ("Fireblocks-Signature".to_owned(), v1),
        ("Fireblocks-Webhook-Signature".to_owned(), format!("{protected}..{}", url64.encode(v2.to_bytes()))),
    ]
}

/// A Fireblocks error answer.
fn error(status: u16, message: &str) -> ProviderResponse {
    let code = if status == 401 { -1 } else { i64::from(status) };
    ProviderResponse::json(status, &json!({"message": message, "code": code})).rejected()
}

/// 202 with no body: accepted, done in the background.
fn accepted() -> ProviderResponse {
    let mut resp = ProviderResponse::json(202, &Value::Null);
    resp.body = Vec::new();
    resp
}

fn too_many(retry_after_secs: i64) -> ProviderResponse {
    error(429, "Too many requests").header("Retry-After", retry_after_secs.max(1).to_string())
}

/// An answer kept for its `Idempotency-Key`: status, body, headers, and when it was given.
type Kept = (u16, Vec<u8>, Vec<(String, String)>, i64);

#[derive(Debug, Default)]
struct State {
    workspace: Workspace,
    nonces: HashMap<String, i64>,
    limiter: HashMap<String, Window>,
    resend_limiter: HashMap<String, Window>,
    /// Answers by (API key, Idempotency-Key).
    idempotent: HashMap<(String, String), Kept>,
    rng_counter: u64,
}

/// One run of the simulator.
struct FireblocksSimulation {
    state: Arc<Mutex<State>>,
    users: HashMap<String, User>,
    signer: Arc<rsa::pkcs1v15::SigningKey<Sha512>>,
    verifier: RsaPublicKey,
    settings: Settings,
    limits: bool,
    seed: u64,
}

impl Simulation for FireblocksSimulation {
    fn handle<'a>(&'a self, _api: &'static str, req: &'a SbRequest, env: &'a SimEnv) -> SimFuture<'a> {
        self.answer(req, env).header("X-Request-ID", random_hex(16)).ready()
    }

    fn status_fault(&self, _api: &'static str, status: u16) -> ProviderResponse {
        let reason = hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
        ProviderResponse::json(status, &json!({"message": reason, "code": status}))
    }

    fn rate_limited(&self, _api: &'static str) -> ProviderResponse {
        too_many(30)
    }

    /// Both signatures must verify with the simulator's webhook key.
    fn verify_delivery(&self, _api: &'static str, headers: &[(String, String)], body: &[u8]) -> SignatureCheck {
        let header = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.trim());
        let verifier = rsa::pkcs1v15::VerifyingKey::<Sha512>::new(self.verifier.clone());
        let v1_ok = header("Fireblocks-Signature")
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .and_then(|raw| rsa::pkcs1v15::Signature::try_from(raw.as_slice()).ok())
            .is_some_and(|sig| verifier.verify(body, &sig).is_ok());
        let url64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let v2_ok = header("Fireblocks-Webhook-Signature")
            .and_then(|jws| {
                let (protected, sig) = jws.split_once("..")?;
                let raw = url64.decode(sig).ok()?;
                let sig = rsa::pkcs1v15::Signature::try_from(raw.as_slice()).ok()?;
                Some(verifier.verify(format!("{protected}.{}", url64.encode(body)).as_bytes(), &sig).is_ok())
            })
            .unwrap_or(false);
        match (v1_ok, v2_ok) {
            (true, true) => SignatureCheck::Valid,
            (false, _) => SignatureCheck::Invalid { reason: "Fireblocks-Signature does not verify".into() },
            (_, false) => SignatureCheck::Invalid { reason: "Fireblocks-Webhook-Signature does not verify".into() },
        }
    }
}

/// A route of the API: what a request asks for.
enum Route {
    Jwks,
    ListWebhooks,
    ResendAllV1,
    ResendTransactionV1(String),
    ListNotifications(String),
    GetNotification(String, String),
    Attempts(String, String),
    ResendNotification(String, String),
    ResendByResource(String),
    ResendFailed(String),
    ResendJob(String, String),
    Transaction(String),
    TransactionByExternalId(String),
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

fn route(method: &hyper::Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/v1/")?;
    let seg: Vec<&str> = rest.split('/').collect();
    let get = *method == hyper::Method::GET;
    let post = *method == hyper::Method::POST;
    Some(match (get, post, seg.as_slice()) {
        (true, _, [".well-known", "jwks.json"]) => Route::Jwks,
        (true, _, ["webhooks"]) => Route::ListWebhooks,
        (_, true, ["webhooks", "resend"]) => Route::ResendAllV1,
        (_, true, ["webhooks", "resend", tx]) => Route::ResendTransactionV1(decode(tx)),
        (true, _, ["webhooks", w, "notifications"]) => Route::ListNotifications(decode(w)),
        (_, true, ["webhooks", w, "notifications", "resend_failed"]) => Route::ResendFailed(decode(w)),
        (_, true, ["webhooks", w, "notifications", "resend_by_resource"]) => Route::ResendByResource(decode(w)),
        (true, _, ["webhooks", w, "notifications", "resend_failed", "jobs", j]) => Route::ResendJob(decode(w), decode(j)),
        (true, _, ["webhooks", w, "notifications", n]) => Route::GetNotification(decode(w), decode(n)),
        (true, _, ["webhooks", w, "notifications", n, "attempts"]) => Route::Attempts(decode(w), decode(n)),
        (_, true, ["webhooks", w, "notifications", n, "resend"]) => Route::ResendNotification(decode(w), decode(n)),
        (true, _, ["transactions", "external_tx_id", e]) => Route::TransactionByExternalId(decode(e)),
        (true, _, ["transactions", t]) => Route::Transaction(decode(t)),
        _ => return None,
    })
}

/// The query parameters of a request, decoded, in order (lists are repeated parameters).
fn query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect()
}

fn one<'q>(q: &'q [(String, String)], name: &str) -> Option<&'q str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn all<'q>(q: &'q [(String, String)], name: &str) -> Vec<&'q str> {
    q.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

/// A page of `items` from the cursor `pageCursor` (an offset written as `c<n>`), `pageSize` long.
fn paged(items: Vec<Value>, q: &[(String, String)], default_size: usize) -> std::result::Result<Value, ProviderResponse> {
    let size = match one(q, "pageSize") {
        None => default_size,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err(error(400, "pageSize must be between 1 and 100")),
        },
    };
    let from = match one(q, "pageCursor") {
        None | Some("") => 0,
        Some(c) => match c.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return Err(error(400, "Invalid pageCursor")),
        },
    };
    let to = (from + size).min(items.len());
    let next = (to < items.len()).then(|| format!("c{to}"));
    Ok(json!({"data": items[from..to].to_vec(), "next": next}))
}

impl FireblocksSimulation {
    fn answer(&self, req: &SbRequest, env: &SimEnv) -> ProviderResponse {
        let Some(route) = route(&req.method, &req.path) else {
            return error(404, &format!("Cannot {} {}", req.method, req.path));
        };
        if let Route::Jwks = route {
            return ProviderResponse::json(200, &webhook_jwks()).header("Cache-Control", "public, max-age=3600");
        }
        let now_ms = env.now_ms();
        let uri = if req.raw_query.is_empty() { req.path.clone() } else { format!("{}?{}", req.path, req.raw_query) };
        let mut st = lock(&self.state);
        let presented = auth::Presented {
            api_key: req.header("x-api-key"),
            authorization: req.header("authorization"),
            uri: &uri,
            body: &req.body,
        };
        let user = match auth::check(&presented, &self.users, &mut st.nonces, now_ms.div_euclid(1000), &self.settings) {
            Ok(u) => u.clone(),
            Err(refusal) => return error(401, refusal.message()),
        };
        let api_key = req.header("x-api-key").unwrap_or_default().trim().to_owned();
        if self.limits {
            let window = st.limiter.entry(api_key.clone()).or_default();
            if !window.try_hit(now_ms, 60_000, self.settings.per_minute) {
                return too_many(60);
            }
        }
        let reads_transactions = matches!(route, Route::Transaction(_) | Route::TransactionByExternalId(_));
        if user.role == Role::Viewer && !reads_transactions {
            return error(403, "The API key doesn't have the necessary permissions for this operation");
        }
        // The same Idempotency-Key of the same API user within 24 hours: the first answer again.
        let idem = (req.method == hyper::Method::POST)
            .then(|| req.header("idempotency-key").map(|k| (api_key.clone(), k.to_owned())))
            .flatten();
        if let Some(key) = &idem {
            st.idempotent.retain(|_, (_, _, _, at)| now_ms - *at < 86_400_000);
            if let Some((status, body, headers, _)) = st.idempotent.get(key) {
                let mut resp = ProviderResponse::json(*status, &Value::Null);
                resp.body = body.clone();
                resp.headers = headers.clone();
                return resp;
            }
        }
        let q = query(&req.raw_query);
        let resp = self.route_answer(&mut st, route, req, &q, env, now_ms);
        if let Some(key) = idem {
            if resp.status < 500 {
                st.idempotent.insert(key, (resp.status, resp.body.clone(), resp.headers.clone(), now_ms));
            }
        }
        resp
    }

    fn route_answer(
        &self,
        st: &mut State,
        route: Route,
        req: &SbRequest,
        q: &[(String, String)],
        env: &SimEnv,
        now_ms: i64,
    ) -> ProviderResponse {
        let webhook_known = |w: &str| w == demo::WEBHOOK_ID;
        match route {
            Route::Jwks => ProviderResponse::json(200, &webhook_jwks()),
            Route::ListWebhooks => {
                let hook = json!({"id": demo::WEBHOOK_ID, "url": env.callback_url(API), "description": "Payments backend",
                    "events": ["transaction.created", "transaction.status.updated"], "status": "ENABLED",
                    "createdAt": now_ms - 90 * 86_400_000i64, "updatedAt": now_ms - 86_400_000});
                match paged(vec![hook], q, 10) {
                    Ok(page) => ProviderResponse::json(200, &page),
                    Err(e) => e,
                }
            }
            Route::Transaction(id) => match st.workspace.transaction(&id) {
                Some(tx) => ProviderResponse::json(200, &tx.json()),
                None => error(404, "Transaction not found"),
            },
            Route::TransactionByExternalId(ext) => {
                match st.workspace.transactions.iter().find(|t| t.external_tx_id == ext) {
                    Some(tx) => ProviderResponse::json(200, &tx.json()),
                    None => error(404, "Transaction not found"),
                }
            }
            Route::ListNotifications(w) if webhook_known(&w) => self.list(st, q, now_ms),
            Route::GetNotification(w, n) if webhook_known(&w) => match st.workspace.notifications.iter().find(|x| x.id == n) {
                Some(n) => {
                    let mut v = n.json();
                    v["eventVersion"] = 1.into();
                    v["attempts"] = n.attempts.iter().map(Attempt::json).collect();
                    if one(q, "includeData") == Some("true") {
                        v["data"] = st.workspace.payload(n, now_ms)["data"].clone();
                    }
                    ProviderResponse::json(200, &v)
                }
                None => error(404, "Notification not found"),
            },
            Route::Attempts(w, n) if webhook_known(&w) => match st.workspace.notifications.iter().find(|x| x.id == n) {
                Some(n) => match paged(n.attempts.iter().rev().map(Attempt::json).collect(), q, 10) {
                    Ok(page) => ProviderResponse::json(200, &page),
                    Err(e) => e,
                },
                None => error(404, "Notification not found"),
            },
            Route::ResendNotification(w, n) if webhook_known(&w) => {
                if !st.workspace.notifications.iter().any(|x| x.id == n) {
                    return error(404, "Notification not found");
                }
                self.deliver(st, vec![n], env, None);
                accepted()
            }
            Route::ResendByResource(w) if webhook_known(&w) => {
                let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
                    return error(400, "A JSON body is required");
                };
                let Some(resource) = body.get("resourceId").and_then(Value::as_str) else {
                    return error(400, "resourceId is required");
                };
                let exclude: Vec<String> = match body.get("excludeStatuses") {
                    None => vec!["COMPLETED".into()],
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    Some(_) => return error(400, "excludeStatuses must be a list"),
                };
                let ids: Vec<String> = st
                    .workspace
                    .notifications
                    .iter()
                    .filter(|n| n.resource_id == resource && !exclude.iter().any(|s| s == n.status))
                    .map(|n| n.id.clone())
                    .collect();
                if !st.workspace.notifications.iter().any(|n| n.resource_id == resource) {
                    return error(404, "No notifications for this resource");
                }
                self.deliver(st, ids, env, None);
                accepted()
            }
            Route::ResendFailed(w) if webhook_known(&w) => self.resend_failed(st, &w, req, env, now_ms),
            Route::ResendJob(w, j) if webhook_known(&w) => match st.workspace.jobs.iter_mut().find(|x| x.id == j) {
                Some(job) => ProviderResponse::json(200, &job.look()),
                None => error(404, "Job not found"),
            },
            Route::ResendAllV1 => {
                let ids: Vec<String> =
                    st.workspace.notifications.iter().filter(|n| n.status == "FAILED").map(|n| n.id.clone()).collect();
                let n = ids.len();
                self.deliver(st, ids, env, None);
                ProviderResponse::json(200, &json!({"messagesCount": n}))
            }
            Route::ResendTransactionV1(tx) => {
                let body: Map<String, Value> = match serde_json::from_slice(&req.body) {
                    Ok(Value::Object(m)) => m,
                    _ => return error(400, "A JSON body is required"),
                };
                if st.workspace.transaction(&tx).is_none() {
                    return error(404, "Transaction not found");
                }
                let flag = |k: &str| body.get(k).and_then(Value::as_bool).unwrap_or(false);
                let events: Vec<&str> = [("resendCreated", "transaction.created"), ("resendStatusUpdated", "transaction.status.updated")]
                    .into_iter()
                    .filter(|(k, _)| flag(k))
                    .map(|(_, e)| e)
                    .collect();
                let ids: Vec<String> = st
                    .workspace
                    .notifications
                    .iter()
                    .filter(|n| n.resource_id == tx && events.contains(&n.event_type))
                    .map(|n| n.id.clone())
                    .collect();
                self.deliver(st, ids, env, None);
                ProviderResponse::json(200, &json!({"success": true}))
            }
            _ => error(404, "Webhook not found"),
        }
    }

    fn list(&self, st: &State, q: &[(String, String)], now_ms: i64) -> ProviderResponse {
        let ms = |name: &str, default: i64| match one(q, name) {
            None => Ok(default),
            Some(s) => s.parse::<i64>().map_err(|_| error(400, &format!("{name} must be a time in milliseconds"))),
        };
        let (start, end) = match (ms("startTime", now_ms - 31 * 86_400_000), ms("endTime", now_ms)) {
            (Ok(s), Ok(e)) => (s, e),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        if end < start {
            return error(400, "endTime must not be before startTime");
        }
        let statuses = all(q, "statuses");
        if let Some(bad) = statuses.iter().find(|s| !["COMPLETED", "FAILED", "IN_PROGRESS", "ON_HOLD"].contains(s)) {
            return error(400, &format!("Unknown status {bad}"));
        }
        let events = all(q, "events");
        let resource = one(q, "resourceId");
        let mut list: Vec<&data::Notification> = st
            .workspace
            .notifications
            .iter()
            .filter(|n| n.created_at >= start && n.created_at <= end)
            .filter(|n| statuses.is_empty() || statuses.contains(&n.status))
            .filter(|n| events.is_empty() || events.contains(&n.event_type))
            .filter(|n| resource.is_none_or(|r| n.resource_id == r))
            .collect();
        let sort = one(q, "sortBy").unwrap_or("createdAt");
        match sort {
            "id" => list.sort_by(|a, b| a.id.cmp(&b.id)),
            "updatedAt" => list.sort_by_key(|n| n.updated_at),
            "status" => list.sort_by_key(|n| n.status),
            "eventType" => list.sort_by_key(|n| n.event_type),
            "resourceId" => list.sort_by(|a, b| a.resource_id.cmp(&b.resource_id)),
            "createdAt" => list.sort_by_key(|n| n.created_at),
            other => return error(400, &format!("Unknown sortBy {other}")),
        }
        match one(q, "order").unwrap_or("DESC") {
            "DESC" => list.reverse(),
            "ASC" => {}
            other => return error(400, &format!("Unknown order {other}")),
        }
        match paged(list.into_iter().map(data::Notification::json).collect(), q, 100) {
            Ok(page) => ProviderResponse::json(200, &page),
            Err(e) => e,
        }
    }

    fn resend_failed(&self, st: &mut State, webhook: &str, req: &SbRequest, env: &SimEnv, now_ms: i64) -> ProviderResponse {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
            return error(400, "A JSON body is required");
        };
        let start = match body.get("startTime") {
            None => now_ms - 86_400_000,
            Some(v) => match v.as_i64() {
                Some(t) => t,
                None => return error(400, "startTime must be a time in milliseconds"),
            },
        };
        if start < now_ms - 86_400_000 || start > now_ms {
            return error(400, "startTime must be within the last 24 hours");
        }
        let events: Vec<String> = match body.get("events") {
            None => Vec::new(),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Some(_) => return error(400, "events must be a list"),
        };
        if self.limits {
            let per = self.settings.resend_failed_per_minute;
            if !st.resend_limiter.entry(webhook.to_owned()).or_default().try_hit(now_ms, 60_000, per) {
                return too_many(60);
            }
        }
        let ids: Vec<String> = st
            .workspace
            .notifications
            .iter()
            .filter(|n| n.status == "FAILED" && n.created_at >= start)
            .filter(|n| events.is_empty() || events.iter().any(|e| e == n.event_type))
            .map(|n| n.id.clone())
            .collect();
        if ids.is_empty() {
            return ProviderResponse::json(200, &json!({"total": 0}));
        }
        st.rng_counter += 1;
        let job_id = data::uuid(&mut SeedRng::new(self.seed ^ now_ms as u64, st.rng_counter));
        let total = ids.len();
        st.workspace.jobs.push(Job { id: job_id.clone(), notifications: ids.clone(), delivered: 0, looks: 0 });
        self.deliver(st, ids, env, Some(job_id.clone()));
        ProviderResponse::json(202, &json!({"total": total}))
            .header("Location", format!("/v1/webhooks/{webhook}/notifications/resend_failed/jobs/{job_id}"))
    }

    /// Delivers notifications one after the other in the background to the merchant's webhook (the
    /// sandbox's callback target), signed, each a new attempt of its notification; a job counts them.
    fn deliver(&self, st: &mut State, ids: Vec<String>, env: &SimEnv, job: Option<String>) {
        let now_ms = env.now_ms();
        let items: Vec<(String, Vec<u8>)> = ids
            .iter()
            .filter_map(|id| st.workspace.notifications.iter().find(|n| &n.id == id))
            .map(|n| (n.id.clone(), serde_json::to_vec(&st.workspace.payload(n, now_ms)).unwrap_or_default()))
            .collect();
        let state = Arc::clone(&self.state);
        let signer = Arc::clone(&self.signer);
        let env = env.clone();
        let timeout = self.settings.delivery_timeout_ms;
        tokio::spawn(async move {
            let url = env.callback_url(API);
            for (id, body) in items {
                let started = std::time::Instant::now();
                let sent_time = env.now_ms();
                let outcome = match &url {
                    Some(url) => {
                        let headers = sign_delivery(&signer, &body);
                        Some(env.deliver_now(API, url, headers, body, timeout).await)
                    }
                    None => None,
                };
                let duration = started.elapsed().as_millis() as i64;
                let mut st = lock(&state);
                if let Some(n) = st.workspace.notifications.iter_mut().find(|n| n.id == id) {
                    let (response_code, failure_reason, ok) = match outcome {
                        Some(Ok(code)) => (Some(code), None, (200..300).contains(&code)),
                        Some(Err(DeliveryFailure::Timeout)) => (None, Some("TIMED_OUT"), false),
                        Some(Err(DeliveryFailure::Connection)) | None => (None, Some("NO_RESPONSE"), false),
                    };
                    n.attempts.push(Attempt { sent_time, duration, response_code, failure_reason });
                    n.status = if ok { "COMPLETED" } else { "FAILED" };
                    n.updated_at = sent_time;
                }
                if let Some(job) = job.as_ref().and_then(|j| st.workspace.jobs.iter_mut().find(|x| &x.id == j)) {
                    job.delivered += 1;
                }
            }
        });
    }
}

/// Fireblocks' simulator (see [`Simulator`]).
pub struct FireblocksSimulator;

impl Simulator for FireblocksSimulator {
    fn apis(&self) -> &'static [SimApi] {
        &[SimApi { key: API, prefix: "/v1/" }]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount> {
        let account = json!({
            "provider": "fireblocks",
            "base_url": format!("{base_url}/v1"),
            "api_key": demo::API_KEY,
            "private_key": TEST_PRIVATE_KEY_PEM,
            "webhook_id": demo::WEBHOOK_ID,
            "webhook_public_key": webhook_public_key_pem(),
            "webhook_jwks": webhook_jwks().to_string(),
        });
        vec![DemoAccount { key: API, label: "Fireblocks", account }]
    }

    fn base_url_for(&self, root: &str, _public: &Map<String, Value>) -> String {
        format!("{root}/v1")
    }

    fn default_settings(&self) -> Box<dyn SimSettings> {
        Box::new(Settings::default())
    }

    fn start(&self, ctx: &StartCtx<'_>) -> Result<Box<dyn Simulation>> {
        let api_user = RsaPrivateKey::from_pkcs8_pem(TEST_PRIVATE_KEY_PEM)
            .map_err(|e| Error::internal(format!("sandbox fireblocks key: {e}")))?
            .to_public_key();
        let mut users = HashMap::new();
        users.insert(demo::API_KEY.to_owned(), User { public_key: api_user.clone(), role: Role::Admin });
        users.insert(demo::VIEWER_API_KEY.to_owned(), User { public_key: api_user, role: Role::Viewer });
        let key = webhook_key();
        Ok(Box::new(FireblocksSimulation {
            state: Arc::new(Mutex::new(State { workspace: Workspace::seeded(ctx.seed, ctx.now_ms), ..State::default() })),
            users,
            verifier: key.to_public_key(),
            signer: Arc::new(rsa::pkcs1v15::SigningKey::<Sha512>::new(key)),
            settings: ctx.settings::<Settings>(),
            limits: ctx.limits,
            seed: ctx.seed,
        }))
    }
}
