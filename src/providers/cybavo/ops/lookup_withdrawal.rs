//! The callback of a withdrawal by the merchant's order id
//! (`GET …/sender/notifications/order_id/{order_id}`, percent-encoded as a path segment). Answer:
//! `{"notification": {...}}`, decoded.

use super::{lookup_deposit, Call, Op};
use crate::error::Result;
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use crate::providers::util::encode_uri_component;
use serde_json::{Map, Value};

pub const NAME: &str = "lookup-withdrawal";

pub(super) const OP: Op = Op { name: NAME, request, decode: lookup_deposit::decode };

/// The withdrawal's order id.
pub struct WithdrawalParams {
    pub order_id: String,
}

impl WithdrawalParams {
    pub fn read(params: &Map<String, Value>) -> Result<WithdrawalParams> {
        let p = Params::read(params, &["order_id"])?;
        Ok(WithdrawalParams { order_id: p.text("order_id")? })
    }
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    let p = WithdrawalParams::read(params)?;
    Ok(Call::get(format!(
        "/v1/sofa/wallets/{}/sender/notifications/order_id/{}",
        acct.wallet()?,
        encode_uri_component(&p.order_id)
    )))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use serde_json::json;

    #[test]
    fn encodes_the_order_id_and_decodes_the_callback() {
        let r = build(&acct(), LOOKUP_WITHDRAWAL, &params(json!({"order_id": "ORDER 1"})), &ctx()).unwrap();
        assert!(r.url.contains("/sender/notifications/order_id/ORDER%201?t="));
        let one = parse(&acct(), LOOKUP_WITHDRAWAL, &signed(r#"{"notification":{"type":2,"state":3,"processing_state":2,"amount":"1500000","decimal":6,"fees":"2100","addon":{"fee_decimal":8}}}"#)).unwrap().result;
        assert_eq!(one["notification"]["amount_units"], "1.5");
        assert_eq!(one["notification"]["fees_units"], "0.000021");
        assert_eq!(one["notification"]["outcome"], "succeeded");
        assert_eq!(one["notification"]["type_label"], "withdraw");
        assert_eq!(parse(&acct(), LOOKUP_WITHDRAWAL, &signed(r#"{"notification":[]}"#)).unwrap_err().code, ErrorCode::ProviderMalformedResponse);
    }
}
