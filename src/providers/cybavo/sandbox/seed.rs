//! The simulated wallets' callbacks: seed document 001's two, byte for byte, and generated ones of every
//! type, coin and state (deterministic for a seed).

use crate::simulator::SeedRng;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeliveryState {
    Delivered,
    Pending,
    Failed,
}

#[derive(Debug, Clone)]
pub(super) struct Callback {
    pub(super) value: Value,
    pub(super) serial: i64,
    pub(super) kind: i64,
    pub(super) delivery: DeliveryState,
}

impl Callback {
    pub(super) fn str_field(&self, k: &str) -> &str {
        self.value.get(k).and_then(Value::as_str).unwrap_or("")
    }

    pub(super) fn int_field(&self, k: &str) -> i64 {
        self.value.get(k).and_then(Value::as_i64).unwrap_or(0)
    }
}

/// The two callbacks of seed document 001 (wallet 56788), byte for byte.
pub(super) const SEED_001: &str = r#"[
{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","txid":"35c283a6f13f5886240fe2e815bc149154ec066cd2061202318dd4e4bf8af35e","block_height":1003304,"tindex":0,"vout_index":0,"amount":"24447","fees":"0","memo":"","broadcast_at":1584088556,"chain_at":1584088556,"from_address":"","to_address":"37btjrVyb4KG8gKeZjJguinwdsbcRV65ngHhBUaJWf36QxiakTV3UHiNUP9arReXMZQnpRBVVdkcBB4GyiWzPRSTmg41mTzMpxgfhtfRHtaBCKJNbX","wallet_id":56788,"state":3,"confirm_blocks":2,"processing_state":1,"addon":{}},
{"type":3,"serial":90000000140,"order_id":"","currency":"ADA","txid":"fa120b6283509f0ab2b136a3ac8b613aa3ca2f36ce7c2744e122668d013cfdb5","block_height":1003305,"tindex":0,"vout_index":0,"amount":"55497180","fees":"0","memo":"","broadcast_at":1584088576,"chain_at":1584088576,"from_address":"","to_address":"37btjrVyb4KDKCyAPRUPxpGiUPWunpBAkGRX8U3h7LYzS2UrHUnEQozcCyqR2GfBVnM3frTaUNEb8DoNGo9JakrskAtaWt6vED6R6ohkmaJ2qr4oCg","wallet_id":56788,"state":3,"confirm_blocks":1,"processing_state":1,"addon":{}}
]"#;

pub(super) struct Coin {
    pub(super) name: &'static str,
    bip44: i64,
    pub(super) decimal: u32,
    pub(super) fee_decimal: u32,
    pub(super) token_address: &'static str,
    pub(super) utxo: bool,
}

pub(super) const COINS: &[Coin] = &[
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

pub(super) struct Spec<'a> {
    pub(super) wallet_id: i64,
    pub(super) serial: i64,
    pub(super) kind: i64,
    pub(super) coin: &'a Coin,
    pub(super) txid: String,
    pub(super) vout: i64,
    pub(super) order_id: String,
    pub(super) state: i64,
    pub(super) processing_state: i64,
    pub(super) broadcast_at: i64,
    pub(super) amount: String,
    pub(super) delivery: DeliveryState,
}

pub(super) fn build(spec: Spec<'_>, rng: &mut SeedRng) -> Callback {
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

pub(super) fn generate(rng: &mut SeedRng, wallet_id: i64, serial: i64, now_secs: i64) -> Callback {
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
