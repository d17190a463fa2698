//! Look up one deposit record by its record id (v2 `POST {base}/getAppDepositRecord {"recordId"}`): the
//! record a webhook speaks of, to check it before or after resending. Answer: `{"record": {"recordId",
//! "referenceId", "orderId", "coinSymbol", "chain", "amount", "serviceFee", "txId", "status", "arrivedAt",
//! …}}`, kept as it is. CCPayment's "not found" (11003) is an empty result (see [`super::Op::lookup`]).

use super::{record, Call, Op};
use crate::error::Result;
use crate::providers::ccpayment::account::CcpaymentAccount;
use crate::providers::params::Params;
use serde_json::{json, Map, Value};

pub const NAME: &str = "get-deposit-record";
/// The field of the record id (also the resend's record ids take it).
pub const RECORD_ID: &str = "recordId";

pub(super) const OP: Op = Op { name: NAME, request, decode: record::decode, lookup: true };

fn request(_acct: &CcpaymentAccount, params: &Map<String, Value>) -> Result<Call> {
    let record_id = Params::read(params, &[RECORD_ID])?.text(RECORD_ID)?;
    let mut body = Map::new();
    body.insert(RECORD_ID.to_owned(), json!(record_id));
    Ok(Call { path: "/getAppDepositRecord", body })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{acct, check_additions};
    use super::super::*;
    use crate::error::ErrorCode;
    use crate::providers::RawResponse;
    use serde_json::json;

    #[test]
    fn deposit_record_vectors_are_exact() {
        assert_eq!(check_additions("getAppDepositRecord", GET_DEPOSIT_RECORD), 1);
    }

    #[test]
    fn the_record_id_is_required_and_the_record_is_a_row() {
        let e = build(&acct("v2"), GET_DEPOSIT_RECORD, &Map::new(), &BuildCtx::at(0)).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("recordId")));
        let body = r#"{"code":10000,"msg":"success","data":{"record":{"recordId":"r1","orderId":"o1","coinSymbol":"USDT","amount":"2","status":"Success","arrivedAt":1700000000}}}"#;
        let out = parse(&acct("v2"), GET_DEPOSIT_RECORD, &RawResponse::new(200, &[], body)).unwrap();
        assert_eq!(out.result["record"]["recordId"], "r1");
        assert_eq!(out.result["record"]["resend_operation"], RESEND_WEBHOOKS);
        // "Not found" is an answer of a look-up: nothing matched.
        let none = r#"{"code":11003,"msg":"Record not found","data":null}"#;
        let out = parse(&acct("v2"), GET_DEPOSIT_RECORD, &RawResponse::new(200, &[], none)).unwrap();
        assert_eq!(out.result["record"], json!(null));
        // A resend's 11003 stays an error.
        let e = parse(&acct("v2"), RESEND_WEBHOOKS, &RawResponse::new(200, &[], none)).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderNotFound);
    }
}
