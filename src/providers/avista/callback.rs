//! An Avista (PIX) webhook in words, for the callback checker: `{"type" (cash_in, cash_out, refund_in,
//! refund_out, med_*), "data": {transactionId, externalId, e2eId, amount (in units), currency, status,
//! createdAt}}`. Avista does not sign its webhooks; "Resend" resends the transaction's webhook by its id.

use super::ops;
use crate::providers::callback::{push, text_of, CallbackAction, CallbackDescription, CallbackField, FieldLook};
use serde_json::{json, Value};

pub fn describe(body: &[u8]) -> Option<CallbackDescription> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let kind = text_of(v.get("type"))?;
    let data = v.get("data").filter(|d| d.is_object()).unwrap_or(&Value::Null);
    let mut fields = vec![CallbackField::coded("query.col.type", &kind, format!("callbacks.avista.type.{kind}"))];
    push(&mut fields, "query.col.status", data.get("status"), FieldLook::Plain);
    push(&mut fields, "query.col.amount", data.get("amount"), FieldLook::Amount);
    push(&mut fields, "query.col.currency", data.get("currency"), FieldLook::Plain);
    let id = text_of(data.get("transactionId")).or_else(|| text_of(data.get("id")));
    if let Some(id) = &id {
        fields.push(CallbackField::new("checker.field.transaction_id", id, FieldLook::Code));
    }
    push(&mut fields, "checker.field.external_id", data.get("externalId"), FieldLook::Code);
    push(&mut fields, "checker.field.end_to_end_id", data.get("e2eId").or_else(|| data.get("endToEndId")), FieldLook::Code);
    let at = text_of(data.get("createdAt")).and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok());
    if let Some(at) = at {
        fields.push(CallbackField::new("query.col.time", at.timestamp_millis().to_string(), FieldLook::Time));
    }
    let resend = id.map(|id| CallbackAction::new(ops::RESEND_WEBHOOK, json!({"transaction_identifier": id})));
    Some(CallbackDescription { fields, lookup: None, resend })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_avista_webhook_reads_in_words_and_offers_a_resend_by_transaction() {
        let body = br#"{"type":"cash_in","data":{"transactionId":"tx-77","externalId":"PAG-2024-0001","e2eId":"E123",
            "amount":"150.25","currency":"BRL","status":"CONFIRMED","createdAt":"2023-11-14T22:13:20.000Z"}}"#;
        let d = describe(body).unwrap();
        assert_eq!(d.fields[0].value_key.as_deref(), Some("callbacks.avista.type.cash_in"));
        let time = d.fields.iter().find(|f| f.label_key == "query.col.time").unwrap();
        assert_eq!(time.value, "1700000000000");
        assert_eq!(d.resend, Some(CallbackAction::new("resend-webhook", json!({"transaction_identifier": "tx-77"}))));
        assert!(describe(br#"{"message":"ok"}"#).is_none());
    }
}
