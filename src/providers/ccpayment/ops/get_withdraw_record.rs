//! Look up one withdrawal record by the merchant's order id or CCPayment's record id (v2 `POST
//! {base}/getAppWithdrawRecord {"orderId"?, "recordId"?}`, one of them, both when both are given, in
//! the order given). Answer: `{"record": {"recordId", "orderId", "coinSymbol", "chain", "amount", "txId",
//! "status", …}}`, kept as it is. CCPayment's "not found" (11003) is an empty result.

use super::{record, Call, Op};
use crate::error::{Error, Result};
use crate::providers::ccpayment::account::CcpaymentAccount;
use crate::providers::params::Params;
use serde_json::{json, Map, Value};

pub const NAME: &str = "get-withdraw-record";
pub const ORDER_ID: &str = "orderId";
pub const RECORD_ID: &str = "recordId";

pub(super) const OP: Op = Op { name: NAME, request, decode: record::decode, lookup: true };

fn request(_acct: &CcpaymentAccount, params: &Map<String, Value>) -> Result<Call> {
    let p = Params::read(params, &[ORDER_ID, RECORD_ID])?;
    let mut body = Map::new();
    for key in p.keys() {
        if let Some(v) = p.opt_text(key)? {
            body.insert(key.to_owned(), json!(v));
        }
    }
    if body.is_empty() {
        return Err(Error::missing_field(ORDER_ID));
    }
    Ok(Call { path: "/getAppWithdrawRecord", body })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{acct, check_additions};
    use super::super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn withdraw_record_vectors_are_exact() {
        assert_eq!(check_additions("getAppWithdrawRecord", GET_WITHDRAW_RECORD), 2);
    }

    #[test]
    fn an_order_id_or_a_record_id_is_needed() {
        let b = |p: Value| build(&acct("v2"), GET_WITHDRAW_RECORD, p.as_object().unwrap(), &BuildCtx::at(0));
        let e = b(json!({"orderId": " ", "recordId": ""})).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("orderId")));
        let r = b(json!({"recordId": "r9", "orderId": "o9"})).unwrap();
        assert_eq!(r.body_text().unwrap(), r#"{"recordId":"r9","orderId":"o9"}"#);
        let e = b(json!({"order_id": "o9"})).unwrap_err();
        assert_eq!(e.params["reason"], "unknown_field");
    }
}
