//! A Fireblocks webhook in words, for the callback checker. Webhooks v2 send `{"id" (the notification),
//! "eventType", "eventVersion", "resourceId", "data", "createdAt"}`; v1 sends `{"type", "timestamp",
//! "data"}`. A transaction's `data` carries its id, status, asset, amount (in units) and addresses.

use super::ops;
use crate::providers::callback::{push, text_of, CallbackAction, CallbackDescription, CallbackField, FieldLook};
use serde_json::{json, Value};

pub fn describe(body: &[u8]) -> Option<CallbackDescription> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let event = text_of(v.get("eventType")).or_else(|| text_of(v.get("type")))?;
    let data = v.get("data").filter(|d| d.is_object()).unwrap_or(&Value::Null);
    let mut fields = vec![CallbackField::coded("query.col.fireblocks_event", &event, format!("choices.fireblocks.events.{event}"))];
    push(&mut fields, "query.col.status", data.get("status"), FieldLook::Plain);
    let amount = data.get("amountInfo").and_then(|a| a.get("amount")).or_else(|| data.get("amount"));
    push(&mut fields, "query.col.amount", amount, FieldLook::Amount);
    push(&mut fields, "query.col.currency", data.get("assetId"), FieldLook::Plain);
    let tx = text_of(data.get("id")).or_else(|| text_of(v.get("resourceId")));
    if let Some(id) = &tx {
        fields.push(CallbackField::new("query.col.fireblocks_tx", id, FieldLook::Code));
    }
    push(&mut fields, "query.col.fireblocks_external_id", data.get("externalTxId"), FieldLook::Code);
    push(&mut fields, "query.col.txid", data.get("txHash"), FieldLook::Code);
    push(&mut fields, "checker.field.to_address", data.get("destinationAddress"), FieldLook::Code);
    push(&mut fields, "checker.field.from_address", data.get("sourceAddress"), FieldLook::Code);
    // Only a v2 body names its notification (v1's `id`, if any, is not one).
    let notification = text_of(v.get("id")).filter(|_| v.get("eventVersion").is_some());
    push(&mut fields, "query.col.fireblocks_notification", notification.as_ref().map(|n| json!(n)).as_ref(), FieldLook::Code);
    let at = v.get("createdAt").or_else(|| v.get("timestamp")).and_then(Value::as_i64);
    if let Some(at) = at {
        fields.push(CallbackField::new("query.col.time", at.to_string(), FieldLook::Time));
    }
    let lookup = tx.as_ref().map(|id| CallbackAction::new(ops::GET_TRANSACTION, json!({"txId": id})));
    let resend = match (notification, tx) {
        (Some(n), _) => Some(CallbackAction::new(ops::RESEND_NOTIFICATION, json!({"notificationId": n}))),
        (None, Some(id)) => Some(CallbackAction::new(ops::RESEND_BY_RESOURCE, json!({"resourceId": id}))),
        (None, None) => None,
    };
    Some(CallbackDescription { fields, lookup, resend })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v2_notification_offers_its_transaction_and_itself() {
        let body = br#"{"id":"7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e","eventType":"transaction.status.updated","eventVersion":1,
            "resourceId":"cfe5be48-9307-4aa3-8ead-b959fca35dd6","createdAt":1700000000000,
            "data":{"id":"cfe5be48-9307-4aa3-8ead-b959fca35dd6","status":"COMPLETED","assetId":"ETH","amountInfo":{"amount":"0.25"}}}"#;
        let d = describe(body).unwrap();
        assert_eq!(d.fields[0].value_key.as_deref(), Some("choices.fireblocks.events.transaction.status.updated"));
        let amount = d.fields.iter().find(|f| f.label_key == "query.col.amount").unwrap();
        assert_eq!((amount.value.as_str(), amount.look), ("0.25", FieldLook::Amount));
        assert_eq!(d.lookup, Some(CallbackAction::new("get-transaction", json!({"txId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"}))));
        let n = json!({"notificationId": "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"});
        assert_eq!(d.resend, Some(CallbackAction::new("resend-notification", n)));
    }

    #[test]
    fn a_v1_webhook_is_resent_by_its_transaction() {
        let body = br#"{"type":"TRANSACTION_STATUS_UPDATED","timestamp":1700000000000,"data":{"id":"tx-1","amount":3,"assetId":"BTC"}}"#;
        let d = describe(body).unwrap();
        assert_eq!(d.resend, Some(CallbackAction::new("resend-by-resource", json!({"resourceId": "tx-1"}))));
        assert!(describe(br#"{"data":[]}"#).is_none());
    }
}
