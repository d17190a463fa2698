//! Look callbacks up by serial (`POST …/notifications/get_by_id`, `{"ids": [...]}`): CYBAVO answers at
//! most 100 ids per call, so more are split into calls of 100 ([`plan`]) whose results are joined in
//! order ([`merge`]). Answer: `{"notifications": [...]}`, each callback decoded.

use super::{Call, Op};
use crate::error::{Error, Result};
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::cybavo::callback::decode_callback;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use serde_json::{json, Map, Value};

pub const NAME: &str = "query-callbacks";

/// `get_by_id` takes at most 100 ids per call (seed docs: extra ids are silently ignored).
pub const MAX_IDS_PER_CALL: usize = 100;

pub(super) const OP: Op = Op { name: NAME, request, decode };

/// The serials asked for, in order.
pub struct QueryParams {
    pub ids: Vec<i64>,
}

impl QueryParams {
    pub fn read(params: &Map<String, Value>) -> Result<QueryParams> {
        let p = Params::read(params, &["ids"])?;
        let ids = p.opt_i64_list("ids")?.ok_or_else(|| Error::missing_field("ids"))?;
        Ok(QueryParams { ids })
    }
}

/// Splits `query-callbacks` into calls of at most 100 ids (order kept); other operations are one call.
pub fn plan(operation: &str, params: &Map<String, Value>) -> Result<Vec<Map<String, Value>>> {
    if operation != NAME {
        return Ok(vec![params.clone()]);
    }
    let p = QueryParams::read(params)?;
    Ok(p.ids
        .chunks(MAX_IDS_PER_CALL)
        .map(|c| {
            let mut m = Map::new();
            m.insert("ids".into(), json!(c));
            m
        })
        .collect())
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    let p = QueryParams::read(params)?;
    if p.ids.len() > MAX_IDS_PER_CALL {
        return Err(Error::invalid_field("ids", "too_many").with("max", MAX_IDS_PER_CALL));
    }
    Call::post(format!("/v1/sofa/wallets/{}/notifications/get_by_id", acct.wallet()?), &json!({ "ids": p.ids }))
}

/// Also the answer of `list-callbacks`.
pub(super) fn decode(v: &Value) -> Option<Value> {
    let list = v.get("notifications").and_then(Value::as_array)?;
    Some(json!({ "notifications": list.iter().map(decode_callback).collect::<Vec<_>>() }))
}

/// Merges the results of a split `query-callbacks` in call order.
pub fn merge(results: Vec<Value>) -> Value {
    let mut all = Vec::new();
    for mut r in results {
        if let Some(Value::Array(a)) = r.get_mut("notifications").map(Value::take) {
            all.extend(a);
        }
    }
    json!({ "notifications": all })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use serde_json::json;

    #[test]
    fn vector_b_request_is_exact() {
        let r =
            build(&acct(), QUERY_CALLBACKS, &params(json!({"ids": [90000000140i64, 90000000139i64]})), &ctx()).unwrap();
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications/get_by_id?t=1700000000&r=Ab3dE6gH"
        );
        assert_eq!(r.body_text().unwrap(), "{\"ids\":[90000000140,90000000139]}");
        assert_eq!(r.header("X-CHECKSUM"), Some("4b87be0817ea14e5a1f09647f1a7dd31e31e141e6e8f5d9fdfa1dd3f82c5eaa1"));
        let ids: Vec<i64> = (1..=101).collect();
        let e = build(&acct(), QUERY_CALLBACKS, &params(json!({ "ids": ids })), &ctx()).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("ids"), Some("too_many")));
        let e = build(&acct(), QUERY_CALLBACKS, &params(json!({})), &ctx()).unwrap_err();
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("ids")));
    }

    #[test]
    fn query_callbacks_splits_into_batches_of_100() {
        let ids: Vec<i64> = (1..=250).collect();
        let calls = plan(QUERY_CALLBACKS, &params(json!({ "ids": ids }))).unwrap();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0]["ids"].as_array().unwrap().len(), 100);
        assert_eq!(calls[2]["ids"].as_array().unwrap().len(), 50);
        assert_eq!(calls[1]["ids"][0], 101);
        let merged = merge(vec![json!({"notifications":[{"serial":1}]}), json!({"notifications":[{"serial":2}]})]);
        assert_eq!(merged, json!({"notifications":[{"serial":1},{"serial":2}]}));
    }

    #[test]
    fn parses_documented_get_by_id_sample() {
        let body = r#"{"notifications":[{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","txid":"35c283a6f13f5886240fe2e815bc149154ec066cd2061202318dd4e4bf8af35e","block_height":1003304,"tindex":0,"vout_index":0,"amount":"24447","fees":"0","memo":"","broadcast_at":1584088556,"chain_at":1584088556,"from_address":"","to_address":"37btjrVyb4KG8gKeZjJguinwdsbcRV65ngHhBUaJWf36QxiakTV3UHiNUP9arReXMZQnpRBVVdkcBB4GyiWzPRSTmg41mTzMpxgfhtfRHtaBCKJNbX","wallet_id":56788,"state":3,"confirm_blocks":2,"processing_state":1,"addon":{}},{"type":3,"serial":90000000140,"order_id":"","currency":"ADA","txid":"fa120b6283509f0ab2b136a3ac8b613aa3ca2f36ce7c2744e122668d013cfdb5","block_height":1003305,"tindex":0,"vout_index":0,"amount":"55497180","fees":"0","memo":"","broadcast_at":1584088576,"chain_at":1584088576,"from_address":"","to_address":"x","wallet_id":56788,"state":3,"confirm_blocks":1,"processing_state":1,"addon":{},"decimal":6}]}"#;
        let out = parse(&acct(), QUERY_CALLBACKS, &signed(body)).unwrap().result;
        let n = out["notifications"].as_array().unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(n[0]["serial"], 90000000139i64);
        assert_eq!(n[0]["type_label"], "collect");
        assert_eq!(n[0]["state_label"], "txid_in_chain");
        assert_eq!(n[0]["processing_state_label"], "in_chain");
        assert_eq!(n[0]["outcome"], "pending");
        assert!(n[0].get("amount_units").is_none(), "no decimal field, no units");
        assert_eq!(n[1]["amount_units"], "55.49718");
        assert_eq!(parse(&acct(), QUERY_CALLBACKS, &signed(r#"{"count":1}"#)).unwrap_err().code, ErrorCode::ProviderMalformedResponse);
    }
}
