//! A Ceffu webhook in words, for the callback checker: `{"eventType", "webhookId", "data": {orderViewId,
//! walletId, coinSymbol, network, amount (in units), txId, status, time (ms)}}`. Ceffu does not sign its
//! webhooks; "Resend" resends the failed notifications of the webhook and event type since its time.

use super::ops;
use crate::providers::callback::{push, text_of, CallbackAction, CallbackDescription, CallbackField, FieldLook};
use serde_json::{json, Value};

pub fn describe(body: &[u8]) -> Option<CallbackDescription> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let event = text_of(v.get("eventType"))?;
    let data = v.get("data").filter(|d| d.is_object()).unwrap_or(&Value::Null);
    let mut fields = vec![CallbackField::coded("query.col.type", &event, format!("choices.ceffu.eventType.{event}"))];
    push(&mut fields, "query.col.status", data.get("status"), FieldLook::Plain);
    push(&mut fields, "query.col.amount", data.get("amount"), FieldLook::Amount);
    push(&mut fields, "query.col.currency", data.get("coinSymbol"), FieldLook::Plain);
    push(&mut fields, "query.col.chain", data.get("network"), FieldLook::Plain);
    push(&mut fields, "query.col.order_id", data.get("orderViewId"), FieldLook::Code);
    push(&mut fields, "query.col.txid", data.get("txId"), FieldLook::Code);
    push(&mut fields, "query.col.wallet_id", data.get("walletId"), FieldLook::Code);
    push(&mut fields, "query.col.fireblocks_webhook", v.get("webhookId"), FieldLook::Code);
    let at = data.get("time").and_then(Value::as_i64);
    if let Some(at) = at {
        fields.push(CallbackField::new("query.col.time", at.to_string(), FieldLook::Time));
    }
    let resend = match (text_of(v.get("webhookId")), at) {
        (Some(webhook), Some(at)) => Some(CallbackAction::new(
            ops::RESEND_WEBHOOKS,
            json!({"webhookId": webhook, "eventType": event, "resendFromDateTime": at}),
        )),
        _ => None,
    };
    Some(CallbackDescription { fields, lookup: None, resend })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ceffu_webhook_reads_in_words_and_offers_a_resend_since_its_time() {
        let body = br#"{"eventType":"3","webhookId":"1721442311151521794","data":{"orderViewId":"1800000000000000001",
            "coinSymbol":"USDT","network":"ETH","amount":"12.34","status":"SUCCESS","time":1700000000000}}"#;
        let d = describe(body).unwrap();
        assert_eq!(d.fields[0].value_key.as_deref(), Some("choices.ceffu.eventType.3"));
        let resend = json!({"webhookId": "1721442311151521794", "eventType": "3", "resendFromDateTime": 1700000000000i64});
        assert_eq!(d.resend, Some(CallbackAction::new("resend-webhooks", resend)));
        assert!(describe(b"{}").is_none());
    }
}
