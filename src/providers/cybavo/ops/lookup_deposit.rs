//! The deposit callback of a transaction output
//! (`GET …/receiver/notifications/txid/{txid}/{vout_index}`, the txid percent-encoded as a path segment).
//! Answer: `{"notification": {...}}`, decoded.

use super::{Call, Op};
use crate::error::{Error, Result};
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::cybavo::callback::decode_callback;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use crate::providers::util::encode_uri_component;
use serde_json::{json, Map, Value};

pub const NAME: &str = "lookup-deposit";

pub(super) const OP: Op = Op { name: NAME, request, decode };

/// The transaction output of the deposit.
pub struct DepositParams {
    pub txid: String,
    pub vout_index: i64,
}

impl DepositParams {
    pub fn read(params: &Map<String, Value>) -> Result<DepositParams> {
        let p = Params::read(params, &["txid", "vout_index"])?;
        let txid = p.text("txid")?;
        let vout_index = p.i64("vout_index")?;
        if vout_index < 0 {
            return Err(Error::invalid_field("vout_index", "negative"));
        }
        Ok(DepositParams { txid, vout_index })
    }
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    let p = DepositParams::read(params)?;
    Ok(Call::get(format!(
        "/v1/sofa/wallets/{}/receiver/notifications/txid/{}/{}",
        acct.wallet()?,
        encode_uri_component(&p.txid),
        p.vout_index
    )))
}

/// Also the answer of `lookup-withdrawal`.
pub(super) fn decode(v: &Value) -> Option<Value> {
    let n = v.get("notification").filter(|n| n.is_object())?;
    Some(json!({ "notification": decode_callback(n) }))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use serde_json::json;

    #[test]
    fn encodes_the_txid_as_a_path_segment() {
        let r = build(&acct(), LOOKUP_DEPOSIT, &params(json!({"txid": "ab/cd", "vout_index": 1})), &ctx()).unwrap();
        assert!(r.url.contains("/receiver/notifications/txid/ab%2Fcd/1?t="));
        let e = build(&acct(), LOOKUP_DEPOSIT, &params(json!({"txid": "ab", "vout_index": -1})), &ctx()).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("vout_index"), Some("negative")));
    }
}
