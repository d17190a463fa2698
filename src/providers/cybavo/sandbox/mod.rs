//! CYBAVO SOFA (VAULT wallet API) simulator, written independently of the client's signing code
//! (`sign.rs`), so a shared bug cannot make both sides agree.
//!
//! Requests carry `X-API-CODE`, `X-CHECKSUM` and the query tokens `t` (unix seconds) and `r` (random).
//! The checksum is lowercase hex SHA-256 over the `&`-joined, byte-sorted list of every query token (as
//! sent) plus the raw body (when present), with `secret=<API secret>` appended after sorting. Successful
//! responses and callbacks carry `X-CHECKSUM` = base64url-with-padding(SHA-256(raw body + secret)).

use crate::error::Result;
use crate::simulator::{
    lock, DeliveryFailure, DemoAccount, OnDelivered, Outgoing, ProviderResponse, SbRequest, SeedRng, SignWith, SignatureCheck, SimApi,
    SimEnv, SimFuture, SimSettings, Simulation, Simulator, StartCtx, Window,
};
use base64::Engine;
use hyper::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

mod seed;

use seed::{build, generate, Callback, DeliveryState, Spec, COINS, SEED_001};

/// The key of the simulated API (counters, faults, deliveries, demo account).
pub const API: &str = "cybavo";

/// The `msg` of CYBAVO's endpoint test.
pub const CONNECTION_TEST: &str = "CONNECTION TEST";

/// Demo credentials (public on purpose: they only open this simulator).
pub mod demo {
    pub const WALLET_ID: i64 = 55743;
    pub const API_CODE: &str = "sbx55743Kq7WmZ2pXv";
    pub const API_SECRET: &str = "sbx55743-secret-9f3c1a7e5b2d4c6e8a0b";
    pub const WALLET2_ID: i64 = 56788;
    pub const WALLET2_API_CODE: &str = "sbx56788Hn4RtY8uLc";
    pub const WALLET2_API_SECRET: &str = "sbx56788-secret-2b7e9d1f3a5c7e9b1d3f";
    /// A read-only API code that reads both wallets.
    pub const READONLY_API_CODE: &str = "sbxROxH7cV2nQ9tL";
    pub const READONLY_API_SECRET: &str = "sbxRO-secret-6d1f8a3c5e7b9d2f4a6c";
    pub const READONLY_WALLETS: [i64; 2] = [WALLET_ID, WALLET2_ID];
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Calls per minute per wallet ("Forbidden. Call too frequently (N calls/minute)").
    pub per_minute: u32,
    /// Accepted distance of `t` from the sandbox clock, in seconds.
    pub timestamp_window_secs: i64,
    /// How long the endpoint test waits for the merchant's endpoint, in milliseconds.
    pub inspect_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { per_minute: 60, timestamp_window_secs: 300, inspect_timeout_ms: 10_000 }
    }
}

/// A deposit callback of wallet 55743 with a fixed txid (vout 1), for look-ups.
pub const DEMO_DEPOSIT_TXID: &str = "7d1a3c9e5b2f4a6c8e0d1f3b5a7c9e1d3f5b7a9c1e3d5f7b9a1c3e5d7f9b1a3c";
pub const DEMO_DEPOSIT_VOUT: i64 = 1;
/// A completed withdrawal callback of wallet 55743, for look-ups.
pub const DEMO_WITHDRAWAL_ORDER_ID: &str = "WD-55743-0001";

/// `X-CHECKSUM` of a request: `tokens` are the query tokens as sent (including `t=` and `r=`).
pub fn request_checksum(tokens: &[&str], body: &[u8], secret: &str) -> String {
    let mut parts: Vec<&[u8]> = tokens.iter().filter(|t| !t.is_empty()).map(|t| t.as_bytes()).collect();
    if !body.is_empty() {
        parts.push(body);
    }
    parts.sort();
    let mut h = Sha256::new();
    for p in &parts {
        h.update(p);
        h.update(b"&");
    }
    h.update(b"secret=");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// `X-CHECKSUM` of a response or callback body.
pub fn response_checksum(body: &[u8], secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(body);
    h.update(secret.as_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(h.finalize())
}

#[derive(Debug)]
struct Wallet {
    api_code: String,
    api_secret: String,
    callbacks: Vec<Callback>,
    /// What the read-only wallet list says of it.
    address: String,
    currency: i64,
    currency_name: &'static str,
    decimals: u32,
    kind: i64,
}

/// A read-only API code: it reads every wallet of its list (`VIEW` calls only).
#[derive(Debug)]
struct ReadOnlyCode {
    api_code: String,
    api_secret: String,
    wallets: Vec<i64>,
}

/// Whose API code a request carries.
enum Caller {
    Wallet(i64),
    /// Index into [`State::readonly`].
    ReadOnly(usize),
}

#[derive(Debug, Default)]
struct State {
    wallets: BTreeMap<i64, Wallet>,
    /// Read-only API codes, each with the wallets it may read.
    readonly: Vec<ReadOnlyCode>,
    /// Per wallet (`0`: calls about no wallet).
    throttle: HashMap<i64, Window>,
    /// (t, r, checksum) of accepted requests → t, for replay detection.
    seen: HashMap<String, i64>,
}

impl State {
    fn caller(&self, code: &str) -> Option<Caller> {
        if let Some((id, _)) = self.wallets.iter().find(|(_, w)| w.api_code == code) {
            return Some(Caller::Wallet(*id));
        }
        self.readonly.iter().position(|r| r.api_code == code).map(Caller::ReadOnly)
    }

    fn may_read(&self, caller: &Caller, wallet_id: i64) -> bool {
        match caller {
            Caller::Wallet(owner) => *owner == wallet_id,
            Caller::ReadOnly(i) => self.readonly[*i].wallets.contains(&wallet_id),
        }
    }

    fn secret_of(&self, caller: &Caller) -> String {
        match caller {
            Caller::Wallet(id) => self.wallets[id].api_secret.clone(),
            Caller::ReadOnly(i) => self.readonly[*i].api_secret.clone(),
        }
    }

    /// `readonly/walletlist`: each wallet of the code's list, as CYBAVO describes it.
    fn wallet_list(&self, ro: usize) -> Value {
        let wallets: Vec<Value> = self.readonly[ro]
            .wallets
            .iter()
            .filter_map(|id| self.wallets.get(id).map(|w| (id, w)))
            .map(|(id, w)| {
                json!({"address": w.address, "currency": w.currency, "currency_name": w.currency_name,
                    "decimals": w.decimals.to_string(), "type": w.kind, "wallet_id": id,
                    "token_name": "", "token_symbol": "", "token_contract_address": "", "token_decimals": "0"})
            })
            .collect();
        json!({"total": wallets.len(), "wallets": wallets})
    }

    fn seeded(seed: u64, now_ms: i64) -> Self {
        let now_secs = now_ms.div_euclid(1000);
        let mut rng = SeedRng::new(seed, 1);
        let w1 = demo::WALLET_ID;
        let w2 = demo::WALLET2_ID;
        let mut cb1 = vec![
            build(
                Spec {
                    wallet_id: w1,
                    serial: 90_000_000_001,
                    kind: 1,
                    coin: &COINS[0],
                    txid: DEMO_DEPOSIT_TXID.to_owned(),
                    vout: DEMO_DEPOSIT_VOUT,
                    order_id: String::new(),
                    state: 3,
                    processing_state: 2,
                    broadcast_at: now_secs - 3_600,
                    amount: "150000000".to_owned(),
                    delivery: DeliveryState::Failed,
                },
                &mut rng,
            ),
            build(
                Spec {
                    wallet_id: w1,
                    serial: 90_000_000_002,
                    kind: 2,
                    coin: &COINS[2],
                    txid: format!("0x{}", "4e".repeat(32)),
                    vout: 0,
                    order_id: DEMO_WITHDRAWAL_ORDER_ID.to_owned(),
                    state: 3,
                    processing_state: 2,
                    broadcast_at: now_secs - 1_800,
                    amount: "2500000000".to_owned(),
                    delivery: DeliveryState::Failed,
                },
                &mut rng,
            ),
        ];
        for serial in 90_000_000_003..=90_000_000_060 {
            cb1.push(generate(&mut rng, w1, serial, now_secs));
        }
        let mut cb2: Vec<Callback> =
            (90_000_000_101..=90_000_000_130).map(|s| generate(&mut rng, w2, s, now_secs)).collect();
        let seeded: Vec<Value> = serde_json::from_str(SEED_001).unwrap_or_default();
        for (i, value) in seeded.into_iter().enumerate() {
            let serial = value.get("serial").and_then(Value::as_i64).unwrap_or(0);
            let delivery = if i == 0 { DeliveryState::Delivered } else { DeliveryState::Failed };
            cb2.push(Callback { value, serial, kind: 3, delivery });
        }
        let mut wallets = BTreeMap::new();
        wallets.insert(
            w1,
            Wallet {
                api_code: demo::API_CODE.to_owned(),
                api_secret: demo::API_SECRET.to_owned(),
                callbacks: cb1,
                address: format!("0x{}", rng.hex(40)),
                currency: 60,
                currency_name: "ETH",
                decimals: 18,
                kind: 2,
            },
        );
        wallets.insert(
            w2,
            Wallet {
                api_code: demo::WALLET2_API_CODE.to_owned(),
                api_secret: demo::WALLET2_API_SECRET.to_owned(),
                callbacks: cb2,
                address: format!("addr1{}", rng.alnum(50).to_ascii_lowercase()),
                currency: 1815,
                currency_name: "ADA",
                decimals: 6,
                kind: 1,
            },
        );
        let readonly = vec![ReadOnlyCode {
            api_code: demo::READONLY_API_CODE.to_owned(),
            api_secret: demo::READONLY_API_SECRET.to_owned(),
            wallets: demo::READONLY_WALLETS.to_vec(),
        }];
        State { wallets, readonly, throttle: HashMap::new(), seen: HashMap::new() }
    }
}

fn error(status: u16, error: &str, code: i64) -> ProviderResponse {
    ProviderResponse::json(status, &json!({"error": error, "error_code": code, "message": ""})).rejected()
}

/// The throttle error (also used by the rate-limit fault).
fn throttled(per_minute: u32) -> ProviderResponse {
    error(403, &format!("Forbidden. Call too frequently ({per_minute} calls/minute)"), 0)
}

/// What a code gets for a call its permission does not cover (a read-only code's resend, a wallet code's
/// read-only wallet list).
fn permission_denied() -> ProviderResponse {
    error(403, "API Secret not valid", 385)
}

fn invalid_parameter() -> ProviderResponse {
    error(400, "Invalid parameter", 112)
}

enum Route {
    ResendWithdrawal,
    ResendDeposit,
    GetById,
    List,
    ByTxid(String, i64),
    ByOrderId(String),
    Inspect,
}

/// What an authenticated request gets: an answer now, or the endpoint test, which calls the merchant's
/// endpoint before it answers.
enum Answer {
    Now(ProviderResponse),
    /// `secret` signs the answer (the caller's); `wallet_secret` the test message (the wallet's, like its
    /// callbacks).
    Inspect { secret: String, wallet_secret: String, test_number: i64 },
}

impl From<ProviderResponse> for Answer {
    fn from(r: ProviderResponse) -> Self {
        Answer::Now(r)
    }
}

fn route(method: &Method, rest: &str) -> Option<Route> {
    let segs: Vec<&str> = rest.split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        ("POST", ["sender", "notifications", "manual"]) => Some(Route::ResendWithdrawal),
        ("POST", ["collection", "notifications", "manual"]) => Some(Route::ResendDeposit),
        ("POST", ["notifications", "get_by_id"]) => Some(Route::GetById),
        ("GET", ["notifications"]) => Some(Route::List),
        ("GET", ["receiver", "notifications", "txid", txid, vout]) => {
            Some(Route::ByTxid(decode(txid), vout.parse().ok()?))
        }
        ("GET", ["sender", "notifications", "order_id", order_id]) => Some(Route::ByOrderId(decode(order_id))),
        ("POST", ["notifications", "inspect"]) => Some(Route::Inspect),
        _ => None,
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// One run of the simulator.
struct CybavoSimulation {
    state: Arc<Mutex<State>>,
    settings: Settings,
    limits: bool,
}

impl Simulation for CybavoSimulation {
    fn handle<'a>(&'a self, _api: &'static str, req: &'a SbRequest, env: &'a SimEnv) -> SimFuture<'a> {
        match self.answer(req, env) {
            Answer::Now(r) => r.ready(),
            Answer::Inspect { secret, wallet_secret, test_number } => {
                Box::pin(self.inspect(env, secret, wallet_secret, test_number))
            }
        }
    }

    fn status_fault(&self, _api: &'static str, status: u16) -> ProviderResponse {
        let reason = status_reason(status);
        ProviderResponse::json(status, &json!({"error": reason, "error_code": 0, "message": ""}))
    }

    fn rate_limited(&self, _api: &'static str) -> ProviderResponse {
        throttled(self.settings.per_minute)
    }

    /// `X-CHECKSUM` with the secret of the wallet the callback names.
    fn verify_delivery(&self, _api: &'static str, headers: &[(String, String)], body: &[u8]) -> SignatureCheck {
        let Some((_, checksum)) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("x-checksum")) else {
            return SignatureCheck::Invalid { reason: "no X-CHECKSUM header".into() };
        };
        let v = serde_json::from_slice::<Value>(body).ok();
        let st = lock(&self.state);
        let matches = |secret: &str| bool::from(response_checksum(body, secret).as_bytes().ct_eq(checksum.trim().as_bytes()));
        // The endpoint test names no wallet: it is signed with the secret of the wallet tested.
        if v.as_ref().and_then(|v| v.get("msg")).and_then(Value::as_str) == Some(CONNECTION_TEST) {
            return if st.wallets.values().any(|w| matches(&w.api_secret)) {
                SignatureCheck::Valid
            } else {
                SignatureCheck::Invalid { reason: "X-CHECKSUM matches no wallet's secret".into() }
            };
        }
        let wallet_id = v.and_then(|v| v.get("wallet_id")?.as_i64());
        let Some(wallet) = wallet_id.and_then(|id| st.wallets.get(&id)) else {
            return SignatureCheck::Invalid { reason: "the body names no wallet of this sandbox".into() };
        };
        if matches(&wallet.api_secret) {
            SignatureCheck::Valid
        } else {
            SignatureCheck::Invalid { reason: "X-CHECKSUM does not match the body and the wallet's secret".into() }
        }
    }
}

/// The reason phrase of an HTTP status ("Bad Gateway").
fn status_reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

impl CybavoSimulation {
/// The endpoint test: CYBAVO posts its "CONNECTION TEST" message (signed like a callback) to the wallet's
/// callback endpoint and answers 200 with what the endpoint did, whatever it did.
async fn inspect(&self, env: &SimEnv, secret: String, wallet_secret: String, test_number: i64) -> ProviderResponse {
    let now = env.now_secs();
    let endpoint = match env.callback_url(API) {
        None => json!({"error": "no endpoint found"}),
        Some(url) => {
            let body = serde_json::to_vec(
                &json!({"msg": CONNECTION_TEST, "server_time": now, "client_ip": "127.0.0.1", "test_number": test_number}),
            )
            .unwrap_or_default();
            let headers = vec![("X-CHECKSUM".to_owned(), response_checksum(&body, &wallet_secret))];
            let escaped = percent_encoding::utf8_percent_encode(&url, percent_encoding::NON_ALPHANUMERIC).to_string();
            match env.deliver_and_read(API, &url, headers, body, self.settings.inspect_timeout_ms).await {
                Ok(a) => json!({"url": escaped, "status_code": a.status,
                    "response": base64::engine::general_purpose::STANDARD.encode(&a.body)}),
                Err(DeliveryFailure::Timeout) => json!({"url": escaped, "error": format!("Post \"{url}\": context deadline exceeded")}),
                Err(DeliveryFailure::Connection) => json!({"url": escaped, "error": format!("Post \"{url}\": connection refused")}),
            }
        }
    };
    let answer = json!({"server_time": now, "client_ip": "127.0.0.1", "notification_endpoint": endpoint,
        "withdrawal_authentication_endpoint": {"error": "no endpoint found"}});
    ProviderResponse::json(200, &answer).signed(move |body: &[u8], with: SignWith| {
        vec![("X-CHECKSUM".to_owned(), response_checksum(body, &with.secret(&secret)))]
    })
}

fn answer(&self, req: &SbRequest, env: &SimEnv) -> Answer {
    let Some(rest) = req.path.strip_prefix("/v1/sofa/wallets/") else {
        return error(404, "Not Found", 0).into();
    };
    let (wallet_part, rest) = rest.split_once('/').unwrap_or((rest, ""));
    // `readonly/…` calls are about no wallet in particular.
    let target = if wallet_part == "readonly" {
        None
    } else {
        let Ok(wallet_id) = wallet_part.parse::<i64>() else {
            return error(403, "Forbidden. Invalid wallet ID", 0).into();
        };
        Some(wallet_id)
    };
    let now = env.now_secs();
    let window = self.settings.timestamp_window_secs;
    let mut st = lock(&self.state);
    if target.is_some_and(|w| !st.wallets.contains_key(&w)) {
        return error(403, "Forbidden. Invalid wallet ID", 0).into();
    }
    let tokens: Vec<&str> = req.raw_query.split('&').filter(|t| !t.is_empty()).collect();
    let t_value = tokens.iter().find_map(|t| t.strip_prefix("t="));
    let r_value = tokens.iter().find_map(|t| t.strip_prefix("r=")).unwrap_or("");
    let (Some(code), Some(checksum), Some(t_value)) = (req.header("x-api-code"), req.header("x-checksum"), t_value)
    else {
        return error(403, "Forbidden. Header not found", 0).into();
    };
    match t_value.parse::<i64>() {
        Ok(t) if (now - t).abs() <= window => {}
        _ => return error(403, "Forbidden. Invalid timestamp", 0).into(),
    }
    let replay_key = format!("{t_value}\n{r_value}\n{}", checksum.to_ascii_lowercase());
    if st.seen.contains_key(&replay_key) {
        return error(403, "Forbidden. Invalid checksum", 0).into();
    }
    let Some(caller) = st.caller(code) else {
        return error(403, "Forbidden. Invalid API code", 0).into();
    };
    // A wallet's code opens its own wallet; a read-only code the wallets of its list.
    if let Some(w) = target.filter(|w| !st.may_read(&caller, *w)) {
        return error(403, &format!("Invalid API code for wallet {w}"), 0).into();
    }
    let secret = st.secret_of(&caller);
    let expected = request_checksum(&tokens, &req.body, &secret);
    if !bool::from(expected.as_bytes().ct_eq(checksum.to_ascii_lowercase().as_bytes())) {
        return error(403, "Forbidden. Checksum unmatch", 0).into();
    }
    st.seen.retain(|_, t| (now - *t).abs() <= window);
    st.seen.insert(replay_key, t_value.parse().unwrap_or(now));
    let per_minute = self.settings.per_minute;
    if self.limits && !st.throttle.entry(target.unwrap_or(0)).or_default().try_hit(env.now_ms(), 60_000, per_minute) {
        return throttled(per_minute).into();
    }
    let ok = |value: Value| {
        let secret = secret.clone();
        ProviderResponse::json(200, &value).signed(move |body: &[u8], with: SignWith| {
            vec![("X-CHECKSUM".to_owned(), response_checksum(body, &with.secret(&secret)))]
        })
    };
    let Some(wallet_id) = target else {
        // The wallet list is for a read-only code only ("The API code must be a read-only API code").
        return match (&caller, req.method.as_str(), rest) {
            (Caller::ReadOnly(ro), "GET", "walletlist") => ok(st.wallet_list(*ro)).into(),
            (Caller::Wallet(_), "GET", "walletlist") => permission_denied().into(),
            _ => error(404, "Not Found", 0).into(),
        };
    };
    let Some(route) = route(&req.method, rest) else {
        return error(404, "Not Found", 0).into();
    };
    let ok = |value: Value| {
        let secret = secret.clone();
        ProviderResponse::json(200, &value).signed(move |body: &[u8], with: SignWith| {
            vec![("X-CHECKSUM".to_owned(), response_checksum(body, &with.secret(&secret)))]
        })
    };
    // A read-only code may make `VIEW` calls only.
    if matches!(caller, Caller::ReadOnly(_)) && matches!(route, Route::ResendWithdrawal | Route::ResendDeposit) {
        return permission_denied().into();
    }
    let wallet = st.wallets.get(&wallet_id).expect("wallet checked above");
    let resp = match route {
        Route::Inspect => {
            let test_number = serde_json::from_slice::<Value>(&req.body).ok().and_then(|b| b.get("test_number")?.as_i64());
            return match test_number {
                Some(test_number) => Answer::Inspect { secret, wallet_secret: wallet.api_secret.clone(), test_number },
                None => invalid_parameter().into(),
            };
        }
        Route::ResendWithdrawal | Route::ResendDeposit => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return invalid_parameter().into();
            };
            let Some(id) = body.get("notification_id").and_then(Value::as_i64) else {
                return invalid_parameter().into();
            };
            let kinds: &[i64] = if matches!(route, Route::ResendWithdrawal) { &[2] } else { &[1, 3, 4] };
            let picked: Vec<&Callback> = wallet
                .callbacks
                .iter()
                .filter(|c| kinds.contains(&c.kind))
                .filter(|c| if id == 0 { c.delivery != DeliveryState::Delivered } else { c.serial == id })
                .collect();
            let items = picked
                .iter()
                .map(|c| {
                    let body = serde_json::to_vec(&c.value).unwrap_or_default();
                    let headers = vec![("X-CHECKSUM".to_owned(), response_checksum(&body, &secret))];
                    let serial = c.serial;
                    let state = Arc::clone(&self.state);
                    let on_done: OnDelivered = Box::new(move |ok: bool| {
                        let mut st = lock(&state);
                        if let Some(cb) = st
                            .wallets
                            .get_mut(&wallet_id)
                            .and_then(|w| w.callbacks.iter_mut().find(|c| c.serial == serial))
                        {
                            cb.delivery = if ok { DeliveryState::Delivered } else { DeliveryState::Failed };
                        }
                    });
                    Outgoing { headers, body, on_done: Some(on_done) }
                })
                .collect::<Vec<_>>();
            let count = items.len();
            drop(st);
            env.deliver_in_background(API, items);
            ok(json!({"count": count}))
        }
        Route::GetById => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return invalid_parameter().into();
            };
            let Some(ids) = body.get("ids").and_then(Value::as_array) else {
                return invalid_parameter().into();
            };
            let found: Vec<Value> = ids
                .iter()
                .take(100)
                .filter_map(Value::as_i64)
                .filter_map(|id| wallet.callbacks.iter().find(|c| c.serial == id))
                .map(|c| c.value.clone())
                .collect();
            ok(json!({"notifications": found}))
        }
        Route::List => {
            let param = |name: &str| -> Option<&str> {
                tokens.iter().find_map(|t| t.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            };
            let parse = |name: &str, default: i64| -> Result<i64, ()> {
                match param(name) {
                    None | Some("") => Ok(default),
                    Some(v) => decode(v).parse().map_err(|_| ()),
                }
            };
            let (Ok(from), Ok(to), Ok(kind)) = (parse("from_time", 0), parse("to_time", now), parse("type", -1)) else {
                return invalid_parameter().into();
            };
            let mut found: Vec<&Callback> = wallet
                .callbacks
                .iter()
                .filter(|c| kind == -1 || c.kind == kind)
                .filter(|c| {
                    let at = c.int_field("broadcast_at");
                    at >= from && at <= to
                })
                .collect();
            found.sort_by_key(|c| c.serial);
            ok(json!({"notifications": found.iter().map(|c| c.value.clone()).collect::<Vec<_>>()}))
        }
        Route::ByTxid(txid, vout) => {
            match wallet.callbacks.iter().find(|c| {
                matches!(c.kind, 1 | 3 | 4) && c.str_field("txid") == txid && c.int_field("vout_index") == vout
            }) {
                Some(c) => ok(json!({"notification": c.value})),
                None => error(404, "Notification not found", 0),
            }
        }
        Route::ByOrderId(order_id) => {
            match wallet
                .callbacks
                .iter()
                .find(|c| c.kind == 2 && c.str_field("order_id") == order_id && c.int_field("state") == 3)
            {
                Some(c) => ok(json!({"notification": c.value})),
                None => error(404, "Notification not found", 0),
            }
        }
    };
    resp.into()
}
}

/// CYBAVO's simulator (see [`Simulator`]).
pub struct CybavoSimulator;

impl Simulator for CybavoSimulator {
    fn apis(&self) -> &'static [SimApi] {
        &[SimApi { key: API, prefix: "/v1/sofa/" }]
    }

    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount> {
        demo_account(base_url, demo::WALLET_ID)
            .map(|account| DemoAccount { key: API, label: "CYBAVO SOFA", account })
            .into_iter()
            .collect()
    }

    fn default_settings(&self) -> Box<dyn SimSettings> {
        Box::new(Settings::default())
    }

    fn start(&self, ctx: &StartCtx<'_>) -> Result<Box<dyn Simulation>> {
        Ok(Box::new(CybavoSimulation {
            state: Arc::new(Mutex::new(State::seeded(ctx.seed, ctx.now_ms))),
            settings: ctx.settings::<Settings>(),
            limits: ctx.limits,
        }))
    }
}

/// The account file of a seeded wallet ([`demo::WALLET_ID`] or [`demo::WALLET2_ID`]) of a sandbox at
/// `base_url`.
pub fn demo_account(base_url: &str, wallet_id: i64) -> Option<Value> {
    let (code, secret) = match wallet_id {
        demo::WALLET_ID => (demo::API_CODE, demo::API_SECRET),
        demo::WALLET2_ID => (demo::WALLET2_API_CODE, demo::WALLET2_API_SECRET),
        _ => return None,
    };
    Some(json!({
        "provider": "cybavo",
        "base_url": base_url,
        "wallet_id": wallet_id,
        "api_code": code,
        "api_secret": secret,
    }))
}

/// The account file of the sandbox's read-only API code (it reads both demo wallets), about `wallet_id`
/// when given. Not among the demo accounts: the window's form and the tests make it.
pub fn readonly_demo_account(base_url: &str, wallet_id: Option<i64>) -> Value {
    let mut account = json!({
        "provider": "cybavo",
        "base_url": base_url,
        "access": "read_only",
        "api_code": demo::READONLY_API_CODE,
        "api_secret": demo::READONLY_API_SECRET,
    });
    if let Some(w) = wallet_id {
        account["wallet_id"] = json!(w);
    }
    account
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "TESTSECRET0123456789abcdef";

    #[test]
    fn published_request_vectors_verify() {
        let tokens = ["t=1700000000", "r=Ab3dE6gH"];
        assert_eq!(
            request_checksum(&tokens, br#"{"notification_id":0}"#, SECRET),
            "861bfbeafdb7c4c8d2e5bece994fc03d16bafddfd9ffa42cc6940bd2251e0226"
        );
        assert_eq!(
            request_checksum(&tokens, br#"{"ids":[90000000140,90000000139]}"#, SECRET),
            "4b87be0817ea14e5a1f09647f1a7dd31e31e141e6e8f5d9fdfa1dd3f82c5eaa1"
        );
    }

    #[test]
    fn vendor_examples_verify() {
        assert_eq!(
            request_checksum(
                &["from_time=1561651200", "to_time=1562255999", "type=2", "t=1629346605", "r=RANDOM_STRING"],
                b"",
                "API_SECRET"
            ),
            "d30ac1bc916e44feaf224f3905b4a41a084fa7149f92cba1b5cfdfa63e3da330"
        );
        assert_eq!(
            request_checksum(&["t=1629346575", "r=RANDOM_STRING"], br#"{"block_num":1}"#, "API_SECRET"),
            "f6fe2bd77e8aecbc5348b6d532e99f5c544da1305abeea6c1da361190ac3ff11"
        );
    }

    #[test]
    fn published_response_vector_verifies() {
        assert_eq!(response_checksum(br#"{"count":3}"#, SECRET), "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=");
    }

    #[test]
    fn seed_callbacks_are_kept_byte_for_byte() {
        let st = State::seeded(1, 1_700_000_000_000);
        let w = &st.wallets[&56788];
        let c = w.callbacks.iter().find(|c| c.serial == 90_000_000_139).unwrap();
        let text = serde_json::to_string(&c.value).unwrap();
        assert!(text.starts_with(r#"{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","#));
        assert!(text.ends_with(r#""state":3,"confirm_blocks":2,"processing_state":1,"addon":{}}"#));
        assert!(w.callbacks.iter().any(|c| c.serial == 90_000_000_140));
        assert_eq!(st.wallets[&55743].callbacks.len(), 60);
    }
}
