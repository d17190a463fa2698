//! A CCPayment webhook in words, for the callback checker. API v2 sends `{"type", "msg": {recordId, orderId,
//! coinSymbol, amount, status, …}}`; v1 sends flat fields (`record_id`, `order_id`, `order_type`,
//! `pay_status`, `paid_amount`, `token_symbol`, `created`). Amounts are already in units.

use super::ops;
use crate::providers::callback::{push, text_of, CallbackAction, CallbackDescription, CallbackField, FieldLook};
use serde_json::{json, Value};

/// How far either side of a v1 webhook's time the prefilled resend window reaches (v1 resends by window
/// only).
const V1_WINDOW_SECONDS: i64 = 60;

pub fn describe(body: &[u8]) -> Option<CallbackDescription> {
    let v: Value = serde_json::from_slice(body).ok()?;
    match v.get("msg") {
        Some(msg) if msg.is_object() => Some(describe_v2(&v, msg)),
        _ if v.get("record_id").is_some() || v.get("order_id").is_some() => Some(describe_v1(&v)),
        _ => None,
    }
}

fn describe_v2(v: &Value, msg: &Value) -> CallbackDescription {
    let mut fields = Vec::new();
    let kind = text_of(v.get("type"));
    if let Some(t) = &kind {
        fields.push(CallbackField::coded("query.col.type", t, format!("choices.ccpayment.transactionType.{t}")));
    }
    push(&mut fields, "query.col.status", msg.get("status"), FieldLook::Plain);
    push(&mut fields, "query.col.amount", msg.get("amount"), FieldLook::Amount);
    push(&mut fields, "query.col.currency", msg.get("coinSymbol"), FieldLook::Plain);
    push(&mut fields, "query.col.chain", msg.get("chain"), FieldLook::Plain);
    push(&mut fields, "query.col.record_id", msg.get("recordId"), FieldLook::Code);
    push(&mut fields, "query.col.order_id", msg.get("orderId"), FieldLook::Code);
    push(&mut fields, "query.col.txid", msg.get("txId"), FieldLook::Code);
    push(&mut fields, "query.col.address", msg.get("toAddress"), FieldLook::Code);
    if let Some(at) = msg.get("createdAt").and_then(Value::as_i64) {
        fields.push(CallbackField::new("query.col.time", (at * 1000).to_string(), FieldLook::Time));
    }
    let record = text_of(msg.get("recordId"));
    let withdrawal = kind.as_deref().is_some_and(|k| k.contains("Withdraw"));
    let lookup = record.as_ref().map(|id| {
        let op = if withdrawal { ops::GET_WITHDRAW_RECORD } else { ops::GET_DEPOSIT_RECORD };
        CallbackAction::new(op, json!({ops::RECORD_ID: id}))
    });
    let resend = record.map(|id| CallbackAction::new(ops::RESEND_WEBHOOKS, json!({ops::RECORD_IDS: [id]})));
    CallbackDescription { fields, lookup, resend }
}

fn describe_v1(v: &Value) -> CallbackDescription {
    let mut fields = Vec::new();
    if let Some(t) = text_of(v.get("order_type")) {
        fields.push(CallbackField::coded("query.col.type", &t, format!("choices.ccpayment.transaction_type.{t}")));
    }
    push(&mut fields, "query.col.status", v.get("pay_status"), FieldLook::Plain);
    let amount = v.get("paid_amount").or_else(|| v.get("origin_amount")).or_else(|| v.get("product_price"));
    push(&mut fields, "query.col.amount", amount, FieldLook::Amount);
    push(&mut fields, "query.col.currency", v.get("token_symbol").or_else(|| v.get("crypto")), FieldLook::Plain);
    push(&mut fields, "query.col.record_id", v.get("record_id"), FieldLook::Code);
    push(&mut fields, "query.col.order_id", v.get("order_id"), FieldLook::Code);
    let created = v.get("created").and_then(Value::as_i64);
    if let Some(at) = created {
        fields.push(CallbackField::new("query.col.time", (at * 1000).to_string(), FieldLook::Time));
    }
    let resend = created.map(|at| {
        CallbackAction::new(
            ops::RESEND_WEBHOOKS,
            json!({"start_timestamp": at - V1_WINDOW_SECONDS, "end_timestamp": at + V1_WINDOW_SECONDS}),
        )
    });
    CallbackDescription { fields, lookup: None, resend }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(d: &'a CallbackDescription, label: &str) -> &'a str {
        &d.fields.iter().find(|f| f.label_key == label).unwrap().value
    }

    #[test]
    fn a_v2_withdrawal_webhook_reads_in_words_and_offers_its_record() {
        let body = br#"{"type":"ApiWithdrawal","msg":{"recordId":"20240313094814165316481839673345","orderId":"ORDER-1",
            "coinSymbol":"USDT","amount":"12.5","status":"Success","createdAt":1700000000}}"#;
        let d = describe(body).unwrap();
        assert_eq!(d.fields[0].value_key.as_deref(), Some("choices.ccpayment.transactionType.ApiWithdrawal"));
        assert_eq!((value(&d, "query.col.amount"), value(&d, "query.col.currency")), ("12.5", "USDT"));
        assert_eq!(value(&d, "query.col.time"), "1700000000000");
        let id = "20240313094814165316481839673345";
        assert_eq!(d.lookup, Some(CallbackAction::new("get-withdraw-record", json!({"recordId": id}))));
        assert_eq!(d.resend, Some(CallbackAction::new("resend-webhooks", json!({"recordIds": [id]}))));
        let deposit = br#"{"type":"DirectDeposit","msg":{"recordId":"r1"}}"#;
        assert_eq!(describe(deposit).unwrap().lookup.unwrap().operation, "get-deposit-record");
    }

    #[test]
    fn a_v1_webhook_offers_a_resend_window_around_its_time_and_no_look_up() {
        let body = br#"{"pay_status":"success","order_type":"API Deposit","record_id":"r9","order_id":"o9",
            "token_symbol":"USDT","paid_amount":"3.2","created":1700000000}"#;
        let d = describe(body).unwrap();
        assert_eq!(value(&d, "query.col.amount"), "3.2");
        assert_eq!(d.lookup, None);
        let window = json!({"start_timestamp": 1699999940, "end_timestamp": 1700000060});
        assert_eq!(d.resend, Some(CallbackAction::new("resend-webhooks", window)));
        assert!(describe(br#"{"code":10000,"msg":"success"}"#).is_none());
    }
}
