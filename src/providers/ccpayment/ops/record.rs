//! What the record look-ups share: their answer `{"record": {…}}`, the record kept as CCPayment gives it
//! and marked with the resend that sends its webhook again (by its record id).

use serde_json::{json, Value};

/// `{"record": …}` with the record's `resend_operation`; `None` when `data` holds no record object.
pub(super) fn decode(msg: Option<String>, data: Value) -> Option<Value> {
    let mut record = data.get("record").filter(|r| r.is_object())?.clone();
    record["resend_operation"] = json!(super::RESEND_WEBHOOKS);
    Some(json!({ "msg": msg, "record": record }))
}
