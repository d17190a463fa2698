//! CYBAVO SOFA (VAULT wallet API) simulator, written independently of the client's signing code
//! (`sign.rs`), so a shared bug cannot make both sides agree.
//!
//! Requests carry `X-API-CODE`, `X-CHECKSUM` and the query tokens `t` (unix seconds) and `r` (random).
//! The checksum is lowercase hex SHA-256 over the `&`-joined, byte-sorted list of every query token (as
//! sent) plus the raw body (when present), with `secret=<API secret>` appended after sorting. Successful
//! responses and callbacks carry `X-CHECKSUM` = base64url-with-padding(SHA-256(raw body + secret)).

use crate::error::Result;
use crate::sandbox::{
    lock, DemoAccount, OnDelivered, Outgoing, ProviderResponse, SbRequest, SeedRng, SignWith, SignatureCheck, SimApi,
    SimEnv, SimFuture, SimSettings, Simulation, Simulator, StartCtx, Window,
};
use base64::Engine;
use hyper::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

/// The key of the simulated API (counters, faults, deliveries, demo account).
pub const API: &str = "cybavo";

/// Demo credentials (public on purpose: they only open this simulator).
pub mod demo {
    pub const WALLET_ID: i64 = 55743;
    pub const API_CODE: &str = "sbx55743Kq7WmZ2pXv";
    pub const API_SECRET: &str = "sbx55743-secret-9f3c1a7e5b2d4c6e8a0b";
    pub const WALLET2_ID: i64 = 56788;
    pub const WALLET2_API_CODE: &str = "sbx56788Hn4RtY8uLc";
    pub const WALLET2_API_SECRET: &str = "sbx56788-secret-2b7e9d1f3a5c7e9b1d3f";
}

/// The simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Calls per minute per wallet ("Forbidden. Call too frequently (N calls/minute)").
    pub per_minute: u32,
    /// Accepted distance of `t` from the sandbox clock, in seconds.
    pub timestamp_window_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { per_minute: 60, timestamp_window_secs: 300 }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeliveryState {
    Delivered,
    Pending,
    Failed,
}

#[derive(Debug, Clone)]
struct Callback {
    value: Value,
    serial: i64,
    kind: i64,
    delivery: DeliveryState,
}

impl Callback {
    fn str_field(&self, k: &str) -> &str {
        self.value.get(k).and_then(Value::as_str).unwrap_or("")
    }

    fn int_field(&self, k: &str) -> i64 {
        self.value.get(k).and_then(Value::as_i64).unwrap_or(0)
    }
}

#[derive(Debug)]
struct Wallet {
    api_code: String,
    api_secret: String,
    callbacks: Vec<Callback>,
}

#[derive(Debug, Default)]
struct State {
    wallets: BTreeMap<i64, Wallet>,
    throttle: HashMap<i64, Window>,
    /// (t, r, checksum) of accepted requests → t, for replay detection.
    seen: HashMap<String, i64>,
}

/// The two callbacks of seed document 001 (wallet 56788), byte for byte.
const SEED_001: &str = r#"[
{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","txid":"35c283a6f13f5886240fe2e815bc149154ec066cd2061202318dd4e4bf8af35e","block_height":1003304,"tindex":0,"vout_index":0,"amount":"24447","fees":"0","memo":"","broadcast_at":1584088556,"chain_at":1584088556,"from_address":"","to_address":"37btjrVyb4KG8gKeZjJguinwdsbcRV65ngHhBUaJWf36QxiakTV3UHiNUP9arReXMZQnpRBVVdkcBB4GyiWzPRSTmg41mTzMpxgfhtfRHtaBCKJNbX","wallet_id":56788,"state":3,"confirm_blocks":2,"processing_state":1,"addon":{}},
{"type":3,"serial":90000000140,"order_id":"","currency":"ADA","txid":"fa120b6283509f0ab2b136a3ac8b613aa3ca2f36ce7c2744e122668d013cfdb5","block_height":1003305,"tindex":0,"vout_index":0,"amount":"55497180","fees":"0","memo":"","broadcast_at":1584088576,"chain_at":1584088576,"from_address":"","to_address":"37btjrVyb4KDKCyAPRUPxpGiUPWunpBAkGRX8U3h7LYzS2UrHUnEQozcCyqR2GfBVnM3frTaUNEb8DoNGo9JakrskAtaWt6vED6R6ohkmaJ2qr4oCg","wallet_id":56788,"state":3,"confirm_blocks":1,"processing_state":1,"addon":{}}
]"#;

struct Coin {
    name: &'static str,
    bip44: i64,
    decimal: u32,
    fee_decimal: u32,
    token_address: &'static str,
    utxo: bool,
}

const COINS: &[Coin] = &[
    Coin { name: "BTC", bip44: 0, decimal: 8, fee_decimal: 8, token_address: "", utxo: true },
    Coin { name: "ETH", bip44: 60, decimal: 18, fee_decimal: 18, token_address: "", utxo: false },
    Coin {
        name: "USDT-ERC20",
        bip44: 60,
        decimal: 6,
        fee_decimal: 18,
        token_address: "0xdac17f958d2ee523a2206206994597c13d831ec7",
        utxo: false,
    },
    Coin { name: "TRX", bip44: 195, decimal: 6, fee_decimal: 6, token_address: "", utxo: false },
    Coin {
        name: "USDT-TRC20",
        bip44: 195,
        decimal: 6,
        fee_decimal: 6,
        token_address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        utxo: false,
    },
    Coin { name: "LTC", bip44: 2, decimal: 8, fee_decimal: 8, token_address: "", utxo: true },
];

struct Spec<'a> {
    wallet_id: i64,
    serial: i64,
    kind: i64,
    coin: &'a Coin,
    txid: String,
    vout: i64,
    order_id: String,
    state: i64,
    processing_state: i64,
    broadcast_at: i64,
    amount: String,
    delivery: DeliveryState,
}

fn build(spec: Spec<'_>, rng: &mut SeedRng) -> Callback {
    let in_chain = spec.state == 3;
    let fees = if spec.kind == 2 { (rng.below(90_000) + 1_000).to_string() } else { "0".to_owned() };
    let addr = |rng: &mut SeedRng, coin: &Coin| -> String {
        match coin.bip44 {
            0 => format!("bc1q{}", rng.hex(38)),
            2 => format!("ltc1q{}", rng.hex(38)),
            195 => format!("T{}", rng.alnum(33)),
            _ => format!("0x{}", rng.hex(40)),
        }
    };
    let from = addr(rng, spec.coin);
    let to = addr(rng, spec.coin);
    let mut addon = serde_json::Map::new();
    addon.insert("fee_decimal".into(), json!(spec.coin.fee_decimal));
    if spec.state == 5 {
        addon.insert("err_reason".into(), json!("insufficient fund"));
    }
    if spec.state == 11 {
        addon.insert("err_reason".into(), json!("transaction reverted"));
    }
    let value = json!({
        "type": spec.kind,
        "serial": spec.serial,
        "order_id": spec.order_id,
        "currency": spec.coin.name,
        "txid": spec.txid,
        "block_height": if in_chain { 800_000 + rng.below(100_000) as i64 } else { 0 },
        "tindex": if in_chain { rng.below(300) as i64 } else { 0 },
        "vout_index": spec.vout,
        "amount": spec.amount,
        "fees": fees,
        "memo": "",
        "broadcast_at": spec.broadcast_at,
        "chain_at": if in_chain { spec.broadcast_at + 30 + rng.below(600) as i64 } else { 0 },
        "from_address": from,
        "to_address": to,
        "wallet_id": spec.wallet_id,
        "state": spec.state,
        "confirm_blocks": if in_chain { 1 + rng.below(12) as i64 } else { 0 },
        "processing_state": spec.processing_state,
        "addon": addon,
        "decimal": spec.coin.decimal,
        "currency_bip44": spec.coin.bip44,
        "token_address": spec.coin.token_address,
    });
    Callback { value, serial: spec.serial, kind: spec.kind, delivery: spec.delivery }
}

fn generate(rng: &mut SeedRng, wallet_id: i64, serial: i64, now_secs: i64) -> Callback {
    let kind = [1, 1, 1, 2, 2, 2, 3][rng.below(7) as usize];
    let coin = &COINS[rng.below(COINS.len() as u64) as usize];
    let (state, processing_state) = if kind == 2 {
        [(3, 2), (3, 2), (3, 1), (2, 0), (1, 0), (5, -1), (11, -1), (8, -1)][rng.below(8) as usize]
    } else {
        [(3, 2), (3, 2), (3, 2), (3, 1)][rng.below(4) as usize]
    };
    let txid = if state == 1 || state == 5 {
        String::new()
    } else if coin.utxo {
        rng.hex(64)
    } else {
        format!("0x{}", rng.hex(64))
    };
    let vout = if coin.utxo && kind != 2 { rng.below(3) as i64 } else { 0 };
    let order_id = if kind == 2 { format!("WD-{wallet_id}-{:04}", serial % 10_000) } else { String::new() };
    let whole = 10u64.pow(coin.decimal.min(12));
    let amount = ((rng.below(5_000) + 1) * whole / 100).to_string();
    let delivery = match rng.below(20) {
        0..=11 => DeliveryState::Delivered,
        12..=16 => DeliveryState::Failed,
        _ => DeliveryState::Pending,
    };
    let broadcast_at = now_secs - 60 - rng.below(7 * 86_400) as i64;
    build(
        Spec {
            wallet_id,
            serial,
            kind,
            coin,
            txid,
            vout,
            order_id,
            state,
            processing_state,
            broadcast_at,
            amount,
            delivery,
        },
        rng,
    )
}

impl State {
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
            },
        );
        wallets.insert(
            w2,
            Wallet {
                api_code: demo::WALLET2_API_CODE.to_owned(),
                api_secret: demo::WALLET2_API_SECRET.to_owned(),
                callbacks: cb2,
            },
        );
        State { wallets, throttle: HashMap::new(), seen: HashMap::new() }
    }
}

fn error(status: u16, error: &str, code: i64) -> ProviderResponse {
    ProviderResponse::json(status, &json!({"error": error, "error_code": code, "message": ""})).rejected()
}

/// The throttle error (also used by the rate-limit fault).
fn throttled(per_minute: u32) -> ProviderResponse {
    error(403, &format!("Forbidden. Call too frequently ({per_minute} calls/minute)"), 0)
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
        self.answer(req, env).ready()
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
        let wallet_id = serde_json::from_slice::<Value>(body).ok().and_then(|v| v.get("wallet_id")?.as_i64());
        let st = lock(&self.state);
        let Some(wallet) = wallet_id.and_then(|id| st.wallets.get(&id)) else {
            return SignatureCheck::Invalid { reason: "the body names no wallet of this sandbox".into() };
        };
        let expected = response_checksum(body, &wallet.api_secret);
        if bool::from(expected.as_bytes().ct_eq(checksum.trim().as_bytes())) {
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
fn answer(&self, req: &SbRequest, env: &SimEnv) -> ProviderResponse {
    let Some(rest) = req.path.strip_prefix("/v1/sofa/wallets/") else {
        return error(404, "Not Found", 0);
    };
    let (wallet_part, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(wallet_id) = wallet_part.parse::<i64>() else {
        return error(403, "Forbidden. Invalid wallet ID", 0);
    };
    let now = env.now_secs();
    let window = self.settings.timestamp_window_secs;
    let mut st = lock(&self.state);
    if !st.wallets.contains_key(&wallet_id) {
        return error(403, "Forbidden. Invalid wallet ID", 0);
    }
    let tokens: Vec<&str> = req.raw_query.split('&').filter(|t| !t.is_empty()).collect();
    let t_value = tokens.iter().find_map(|t| t.strip_prefix("t="));
    let r_value = tokens.iter().find_map(|t| t.strip_prefix("r=")).unwrap_or("");
    let (Some(code), Some(checksum), Some(t_value)) = (req.header("x-api-code"), req.header("x-checksum"), t_value)
    else {
        return error(403, "Forbidden. Header not found", 0);
    };
    match t_value.parse::<i64>() {
        Ok(t) if (now - t).abs() <= window => {}
        _ => return error(403, "Forbidden. Invalid timestamp", 0),
    }
    let replay_key = format!("{t_value}\n{r_value}\n{}", checksum.to_ascii_lowercase());
    if st.seen.contains_key(&replay_key) {
        return error(403, "Forbidden. Invalid checksum", 0);
    }
    let Some(owner) = st.wallets.iter().find(|(_, w)| w.api_code == code).map(|(id, _)| *id) else {
        return error(403, "Forbidden. Invalid API code", 0);
    };
    if owner != wallet_id {
        return error(403, &format!("Invalid API code for wallet {wallet_id}"), 0);
    }
    let secret = st.wallets[&wallet_id].api_secret.clone();
    let expected = request_checksum(&tokens, &req.body, &secret);
    if !bool::from(expected.as_bytes().ct_eq(checksum.to_ascii_lowercase().as_bytes())) {
        return error(403, "Forbidden. Checksum unmatch", 0);
    }
    st.seen.retain(|_, t| (now - *t).abs() <= window);
    st.seen.insert(replay_key, t_value.parse().unwrap_or(now));
    let per_minute = self.settings.per_minute;
    if self.limits && !st.throttle.entry(wallet_id).or_default().try_hit(env.now_ms(), 60_000, per_minute) {
        return throttled(per_minute);
    }
    let Some(route) = route(&req.method, rest) else {
        return error(404, "Not Found", 0);
    };
    let ok = |value: Value| {
        let secret = secret.clone();
        ProviderResponse::json(200, &value).signed(move |body: &[u8], with: SignWith| {
            vec![("X-CHECKSUM".to_owned(), response_checksum(body, &with.secret(&secret)))]
        })
    };
    let wallet = st.wallets.get(&wallet_id).expect("wallet checked above");
    match route {
        Route::ResendWithdrawal | Route::ResendDeposit => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return invalid_parameter();
            };
            let Some(id) = body.get("notification_id").and_then(Value::as_i64) else {
                return invalid_parameter();
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
                return invalid_parameter();
            };
            let Some(ids) = body.get("ids").and_then(Value::as_array) else {
                return invalid_parameter();
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
                return invalid_parameter();
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
    }
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
