//! A CYBAVO callback in words: the labels of its codes, its amounts in units, its outcome, and what the
//! look-up table shows of it. Every original field is kept.

use crate::providers::util;
use serde_json::{json, Value};

/// Stable label key of a callback `type`.
pub fn type_label(t: i64) -> &'static str {
    match t {
        1 => "deposit",
        2 => "withdraw",
        3 => "collect",
        4 => "airdrop",
        127 => "in_pool",
        -1 => "all",
        _ => "unknown",
    }
}

/// Stable label key of a transaction `state`.
pub fn state_label(s: i64) -> &'static str {
    match s {
        0 => "init",
        1 => "processing",
        2 => "txid_in_pool",
        3 => "txid_in_chain",
        4 => "confirmed",
        5 => "failed",
        6 => "resent",
        7 => "blocked",
        8 => "cancelled",
        9 => "utxo_unavailable",
        10 => "dropped",
        11 => "transaction_failed",
        12 => "paused",
        13 => "retrying",
        14 => "query_status_failed",
        15 => "init_locked",
        20 => "fee_preparing",
        21 => "fee_ready",
        _ => "unknown",
    }
}

/// Stable label key of `processing_state`.
pub fn processing_state_label(p: i64) -> &'static str {
    match p {
        -1 => "failed",
        0 => "in_mempool",
        1 => "in_chain",
        2 => "done",
        _ => "unknown",
    }
}

/// Adds `type_label`, `state_label`, `processing_state_label`, `amount_units` (amount / 10^decimal)
/// and `fees_units` (fees / 10^addon.fee_decimal) to a callback, keeping every original field.
pub fn decode_callback(cb: &Value) -> Value {
    let mut out = cb.clone();
    let Some(m) = out.as_object_mut() else { return out };
    let int = |k: &str| cb.get(k).and_then(Value::as_i64);
    if let Some(t) = int("type") {
        m.insert("type_label".into(), json!(type_label(t)));
    }
    if let Some(s) = int("state") {
        m.insert("state_label".into(), json!(state_label(s)));
    }
    if let Some(p) = int("processing_state") {
        m.insert("processing_state_label".into(), json!(processing_state_label(p)));
    }
    if let (Some(a), Some(d)) = (cb.get("amount").and_then(Value::as_str), int("decimal")) {
        if let Some(u) = util::units(a, d.clamp(0, 77) as u32) {
            m.insert("amount_units".into(), json!(u));
        }
    }
    let fee_dec = cb.get("addon").and_then(|a| a.get("fee_decimal")).and_then(Value::as_i64);
    if let (Some(f), Some(d)) = (cb.get("fees").and_then(Value::as_str), fee_dec) {
        if let Some(u) = util::units(f, d.clamp(0, 77) as u32) {
            m.insert("fees_units".into(), json!(u));
        }
    }
    let state = int("state");
    let ps = int("processing_state");
    let outcome = match (int("type"), state, ps) {
        (Some(2), Some(3), Some(2)) => "succeeded",
        (Some(2), Some(5) | Some(11), _) => "failed",
        (Some(1) | Some(3) | Some(4), _, Some(2)) => "succeeded",
        (_, Some(5) | Some(8) | Some(10) | Some(11), _) => "failed",
        _ => "pending",
    };
    m.insert("outcome".into(), json!(outcome));
    // For the look-up table: the time the callback is about, the transaction with its output, and the
    // operation that resends it.
    if let Some(t) = int("chain_at").filter(|t| *t > 0).or_else(|| int("broadcast_at").filter(|t| *t > 0)) {
        m.insert("time".into(), json!(t));
    }
    if let Some(txid) = cb.get("txid").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        let tx = match int("vout_index") {
            Some(v) => format!("{txid} #{v}"),
            None => txid.to_owned(),
        };
        m.insert("transaction".into(), json!(tx));
    }
    let resend = if int("type") == Some(2) { super::ops::RESEND_WITHDRAWAL } else { super::ops::RESEND_DEPOSIT };
    m.insert("resend_operation".into(), json!(resend));
    out
}
