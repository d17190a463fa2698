//! Callbacks of the wallet in a time range (`GET …/notifications?from_time=&to_time=&type=`), every
//! param optional. The query keeps the order the params were given in, and each token is signed exactly
//! as it appears in the URL. Answer: as `query-callbacks`.

use super::{query_callbacks, Call, Op};
use crate::error::{Error, Result};
use crate::providers::cybavo::account::CybavoAccount;
use crate::providers::params::Params;
use crate::providers::BuildCtx;
use crate::providers::util::encode_uri_component;
use serde_json::{Map, Value};

pub const NAME: &str = "list-callbacks";

pub(super) const OP: Op = Op { name: NAME, request, decode: query_callbacks::decode };

/// The range and type, each as given, in the order given.
pub struct ListParams {
    /// `(name, value)` of each param given, in order.
    pub query: Vec<(String, i64)>,
}

impl ListParams {
    pub fn read(params: &Map<String, Value>) -> Result<ListParams> {
        let p = Params::read(params, &["from_time", "to_time", "type"])?;
        let mut query = Vec::new();
        for k in p.keys() {
            if let Some(v) = p.opt_i64(k)? {
                query.push((k.to_owned(), v));
            }
        }
        if let (Some(f), Some(t)) = (p.opt_i64("from_time")?, p.opt_i64("to_time")?) {
            if t < f {
                return Err(Error::invalid_field("to_time", "before_start"));
            }
        }
        Ok(ListParams { query })
    }
}

fn request(acct: &CybavoAccount, params: &Map<String, Value>, _ctx: &BuildCtx<'_>) -> Result<Call> {
    let p = ListParams::read(params)?;
    let mut call = Call::get(format!("/v1/sofa/wallets/{}/notifications", acct.wallet()?));
    // Values are integers (validated), so encoding them is a no-op, but the token is signed exactly as
    // it appears in the URL either way.
    call.query = p.query.iter().map(|(k, v)| format!("{}={v}", encode_uri_component(k))).collect();
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use crate::providers::cybavo::sign;
    use crate::secret::Secret;
    use serde_json::json;

    #[test]
    fn list_callbacks_query_in_given_order_and_signed_as_tokens() {
        let p = params(json!({"to_time": 1700003600, "from_time": 1700000000, "type": -1}));
        let r = build(&acct(), LIST_CALLBACKS, &p, &ctx()).unwrap();
        assert_eq!(r.method, HttpMethod::Get);
        assert_eq!(
            r.url,
            "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications?t=1700000000&r=Ab3dE6gH&to_time=1700003600&from_time=1700000000&type=-1"
        );
        assert_eq!(r.body, None);
        assert_eq!(r.header("Content-Type"), None);
        let secret = Secret::new("TESTSECRET0123456789abcdef");
        let tokens: Vec<String> = r.url.split_once('?').unwrap().1.split('&').map(str::to_owned).collect();
        assert_eq!(r.header("X-CHECKSUM").unwrap(), sign::request_checksum(&tokens, None, &secret));
        let pre = String::from_utf8(sign::request_preimage(&tokens, None, &secret)).unwrap();
        assert_eq!(
            pre,
            "from_time=1700000000&r=Ab3dE6gH&t=1700000000&to_time=1700003600&type=-1&secret=TESTSECRET0123456789abcdef"
        );
        let e = build(&acct(), LIST_CALLBACKS, &params(json!({"from_time": 5, "to_time": 4})), &ctx()).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("to_time"), Some("before_start")));
        let r = build(&acct(), LIST_CALLBACKS, &params(json!({"type": ""})), &ctx()).unwrap();
        assert!(r.url.ends_with("/notifications?t=1700000000&r=Ab3dE6gH"), "an empty param is left out");
    }
}
