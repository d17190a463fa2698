//! A CYBAVO callback in words: the labels of its codes, its amounts in units, its outcome, and what the
//! look-up table shows of it. Every original field is kept.

use crate::providers::callback::{push, CallbackAction, CallbackDescription, CallbackField, FieldLook};
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

/// A CYBAVO callback body for the callback checker: type, state, progress, amount and fees in units, the
/// currency, serial, order id, transaction, addresses and time; "Query" looks its serial up, "Resend"
/// resends it by serial (never for serial 0, which would resend every pending callback of the wallet).
pub fn describe(body: &[u8]) -> Option<CallbackDescription> {
    let cb: Value = serde_json::from_slice(body).ok()?;
    let int = |k: &str| cb.get(k).and_then(Value::as_i64);
    // A callback has a type and a serial; CYBAVO's connection test and other bodies are not callbacks.
    let (t, serial) = (int("type")?, int("serial")?);
    let d = decode_callback(&cb);
    let mut fields = vec![CallbackField::coded("query.col.type", t.to_string(), format!("cybavo.type.{}", type_label(t)))];
    if let Some(s) = int("state") {
        fields.push(CallbackField::coded("query.col.state", s.to_string(), format!("cybavo.state.{}", state_label(s))));
    }
    if let Some(p) = int("processing_state") {
        let key = format!("cybavo.processing.{}", processing_state_label(p));
        fields.push(CallbackField::coded("query.col.processing", p.to_string(), key));
    }
    push(&mut fields, "query.col.amount", d.get("amount_units"), FieldLook::Amount);
    push(&mut fields, "query.col.currency", cb.get("currency"), FieldLook::Plain);
    push(&mut fields, "query.col.fees", d.get("fees_units"), FieldLook::Amount);
    fields.push(CallbackField::new("query.col.serial", serial.to_string(), FieldLook::Code));
    push(&mut fields, "query.col.order_id", cb.get("order_id"), FieldLook::Code);
    push(&mut fields, "query.col.txid", d.get("transaction"), FieldLook::Code);
    push(&mut fields, "checker.field.from_address", cb.get("from_address"), FieldLook::Code);
    push(&mut fields, "checker.field.to_address", cb.get("to_address"), FieldLook::Code);
    push(&mut fields, "query.col.wallet_id", cb.get("wallet_id"), FieldLook::Code);
    if let Some(at) = d.get("time").and_then(Value::as_i64) {
        fields.push(CallbackField::new("query.col.time", (at * 1000).to_string(), FieldLook::Time));
    }
    let by_serial = serial > 0;
    let resend = d.get("resend_operation").and_then(Value::as_str).filter(|_| by_serial);
    Some(CallbackDescription {
        fields,
        lookup: by_serial.then(|| CallbackAction::new(super::ops::QUERY_CALLBACKS, json!({"ids": [serial]}))),
        resend: resend.map(|op| CallbackAction::new(op, json!({"notification_id": serial}))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withdrawal_callback_reads_in_words_with_its_serial_to_query_and_resend() {
        let body = br#"{"type":2,"serial":90000000140,"order_id":"N0001","currency":"ETH","txid":"0xab","vout_index":0,
            "amount":"1500000000000000000","fees":"21000","decimal":18,"state":3,"processing_state":2,"wallet_id":55743,
            "to_address":"0xto","from_address":"0xfrom","chain_at":1700000000,"addon":{"fee_decimal":9}}"#;
        let d = describe(body).unwrap();
        let get = |k: &str| d.fields.iter().find(|f| f.label_key == k).unwrap();
        assert_eq!(get("query.col.type").value_key.as_deref(), Some("cybavo.type.withdraw"));
        assert_eq!(get("query.col.state").value_key.as_deref(), Some("cybavo.state.txid_in_chain"));
        assert_eq!(get("query.col.processing").value_key.as_deref(), Some("cybavo.processing.done"));
        assert_eq!(get("query.col.amount").value, "1.5", "in units, not the smallest unit");
        assert_eq!(get("query.col.fees").value, "0.000021");
        assert_eq!(get("query.col.serial").value, "90000000140");
        assert_eq!(get("query.col.txid").value, "0xab #0");
        assert_eq!(get("query.col.time").value, "1700000000000");
        assert_eq!(d.lookup, Some(CallbackAction::new("query-callbacks", json!({"ids": [90000000140i64]}))));
        assert_eq!(
            d.resend,
            Some(CallbackAction::new("resend-withdrawal-callbacks", json!({"notification_id": 90000000140i64})))
        );
    }

    #[test]
    fn serial_zero_is_never_offered_for_a_resend_and_other_bodies_are_not_callbacks() {
        let in_pool = br#"{"type":127,"serial":0,"state":2,"processing_state":0,"currency":"BTC"}"#;
        let d = describe(in_pool).unwrap();
        assert_eq!((d.lookup, d.resend), (None, None));
        assert!(describe(br#"{"msg":"CONNECTION TEST","test_number":1}"#).is_none());
        assert!(describe(b"not json").is_none());
    }
}
