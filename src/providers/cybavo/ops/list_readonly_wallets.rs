//! The wallets a read-only API code may read (`GET /v1/sofa/wallets/readonly/walletlist`, a `VIEW` call
//! about no wallet in particular). It is signed like every CYBAVO call, so any account can make it; CYBAVO
//! answers only a read-only code. Answer: `{"total", "wallets": [{"wallet_id", "type", "address",
//! "currency", "currency_name", "decimals", "token_name", "token_symbol", "token_contract_address",
//! "token_decimals"}]}`, kept as it is.
//!
//! Activating a read-only code (`POST …/readonly/apisecret/activate`) is deliberately not an operation:
//! it retires the code in use, which another reader may depend on.

use super::{Call, Op};
use crate::error::Result;
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use serde_json::{Map, Value};

pub const NAME: &str = "list-readonly-wallets";

pub(super) const OP: Op = Op { name: NAME, request, decode };

fn request(_acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    Params::read(params, &[])?;
    Ok(Call::get("/v1/sofa/wallets/readonly/walletlist".to_owned()))
}

fn decode(v: &Value) -> Option<Value> {
    v.get("wallets").filter(|w| w.is_array())?;
    Some(v.clone())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn vectors() -> Vec<Value> {
        let v: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/cybavo-sofa-additions.json")).unwrap();
        v["vectors"].as_array().unwrap().clone()
    }

    /// Part 2's vectors with the read-only secret (the path is not signed: the checksum equals the
    /// activation call's of the same `t`/`r`).
    #[test]
    fn walletlist_vectors_are_exact() {
        let mut seen = 0;
        for case in vectors().iter().filter(|c| ["readonly-walletlist-1", "readonly-walletlist-2"].contains(&c["id"].as_str().unwrap())) {
            let file = json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","access":"read_only","api_code":"ROCODE","api_secret":case["api_secret"]});
            let acct = crate::providers::account::with_source(&file, |s| CybavoAccount::parse(s).unwrap());
            let ctx = BuildCtx { now_ms: case["t"].as_i64().unwrap() * 1000, nonce: Some(case["r"].as_str().unwrap().into()), token: None };
            let r = build(&acct, LIST_READONLY_WALLETS, &Map::new(), &ctx).unwrap();
            assert_eq!(format!("GET {}", r.url), case["request_line"].as_str().unwrap().replace("{base}", "http://127.0.0.1:8889"));
            assert_eq!(r.header("X-CHECKSUM"), case["X-CHECKSUM"].as_str(), "{}", case["id"]);
            assert_eq!((r.body.as_ref(), r.header("Content-Type")), (None, None));
            seen += 1;
        }
        assert_eq!(seen, 2);
        // A wallet's own code signs it the same way (CYBAVO then refuses it).
        let r = build(&acct(), LIST_READONLY_WALLETS, &Map::new(), &ctx()).unwrap();
        assert!(r.url.starts_with("http://127.0.0.1:8889/v1/sofa/wallets/readonly/walletlist?t=1700000000&r=Ab3dE6gH"));
        let e = build(&acct(), LIST_READONLY_WALLETS, &params(json!({"x": 1})), &ctx()).unwrap_err();
        assert_eq!(e.params["reason"], "unknown_field");
    }

    #[test]
    fn the_documented_answer_is_kept() {
        let body = r#"{"total":1,"wallets":[{"address":"0xabc","currency":60,"currency_name":"ETH","decimals":"18","type":2,"wallet_id":55743,"token_name":"","token_symbol":"","token_contract_address":"","token_decimals":"0"}]}"#;
        let out = parse(&acct(), LIST_READONLY_WALLETS, &signed(body)).unwrap().result;
        assert_eq!(out, serde_json::from_str::<Value>(body).unwrap());
        let bad = parse(&acct(), LIST_READONLY_WALLETS, &signed(r#"{"total":1}"#)).unwrap_err();
        assert_eq!(bad.code, ErrorCode::ProviderMalformedResponse);
    }
}
