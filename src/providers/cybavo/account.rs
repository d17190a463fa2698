//! A CYBAVO wallet account: its fields, and everything the engine asks of it.

use super::{ops, sign, Cybavo};
use crate::error::{Error, Result};
use crate::providers::util;
use crate::providers::{
    AccountSource, BuildCtx, BulkRequest, Outcome, Phrase, Provider, ProviderAccount, RawResponse, SignedRequest,
    Split, TestCall,
};
use crate::providers::callback::SignatureProblem;
use crate::secret::Secret;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use url::Url;

/// What the account's API code may do: everything of its wallet, or read (`VIEW` calls) every wallet
/// CYBAVO lists for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Full,
    ReadOnly,
}

impl Access {
    pub const CHOICES: [&'static str; 2] = ["full", "read_only"];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Full => "full",
            Access::ReadOnly => "read_only",
        }
    }
}

#[derive(Debug)]
pub struct CybavoAccount {
    pub base_url: Url,
    pub access: Access,
    /// The wallet its calls are about. `0` when a read-only code was saved without one (CYBAVO's own
    /// convention for read-only codes): it can then list the wallets it may read, and nothing else.
    pub wallet_id: i64,
    pub api_code: Secret,
    pub api_secret: Secret,
}

impl CybavoAccount {
    pub(super) fn parse(source: &AccountSource<'_>) -> Result<CybavoAccount> {
        let base_url = source.base_url()?;
        let access = match source.opt_text("access")?.as_deref() {
            None | Some("full") => Access::Full,
            Some("read_only") => Access::ReadOnly,
            Some(_) => {
                return Err(Error::invalid_field("access", "not_allowed").with("allowed", Access::CHOICES.to_vec()))
            }
        };
        let wallet_id = match access {
            Access::ReadOnly if source.opt_text("wallet_id")?.is_none() => 0,
            _ => source.positive_integer("wallet_id")?,
        };
        let account = CybavoAccount {
            base_url,
            access,
            wallet_id,
            api_code: source.header_secret("api_code")?,
            api_secret: source.secret("api_secret")?,
        };
        source.calls_per_minute()?;
        Ok(account)
    }

    /// The wallet of a call about one wallet; a read-only account saved without one is told to add it.
    pub fn wallet(&self) -> Result<i64> {
        if self.wallet_id > 0 {
            Ok(self.wallet_id)
        } else {
            Err(Error::invalid_field("wallet_id", "wallet_needed"))
        }
    }
}

impl ProviderAccount for CybavoAccount {
    fn provider(&self) -> &'static dyn Provider {
        &Cybavo
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn plan(&self, operation: &str, params: &Map<String, Value>) -> Result<Vec<Map<String, Value>>> {
        ops::plan(operation, params)
    }

    fn build(&self, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
        ops::build(self, operation, params, ctx)
    }

    fn parse(&self, operation: &str, response: &RawResponse) -> Result<Outcome> {
        ops::parse(self, operation, response)
    }

    fn merge(&self, _operation: &str, results: Vec<Value>) -> Value {
        ops::merge(results)
    }

    fn verify_callback(&self, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), SignatureProblem>> {
        const HEADER: &str = "X-CHECKSUM";
        Some(match headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(HEADER)) {
            None => Err(SignatureProblem::missing(HEADER)),
            Some((_, v)) if sign::verify_body_checksum(body, v, &self.api_secret) => Ok(()),
            Some(_) => Err(SignatureProblem::mismatch(HEADER, "X-CHECKSUM does not match the body")),
        })
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.api_code, &self.api_secret]
    }

    /// Resends: one call per serial given in `serials` (or `notification_ids`); without a list, the one
    /// call `notification_id = 0` (every pending or failed callback; how many only its answer says).
    /// `query-callbacks`: `ids` 100 per call. `list-callbacks`: `from_time`/`to_time` from the window.
    fn split(&self, operation: &str, request: &BulkRequest<'_>) -> Option<Result<Split>> {
        let params = request.params;
        match operation {
            ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT => Some((|| {
                let ids = match util::opt_i64_list(params, "serials")? {
                    Some(l) => Some(l),
                    None => util::opt_i64_list(params, "notification_ids")?,
                };
                let Some(ids) = ids else {
                    let id = util::opt_i64(params, "notification_id")?.unwrap_or(0);
                    let note = (id == 0).then(|| "bulk.note.cybavo_all".to_owned());
                    return Ok(Split { calls: vec![one("notification_id", json!(id))], note });
                };
                let mut seen = HashSet::new();
                let calls = ids.into_iter().filter(|id| seen.insert(*id)).map(|id| one("notification_id", json!(id)));
                Ok(Split { calls: calls.collect(), note: None })
            })()),
            ops::LIST_CALLBACKS => request.since.map(|since| {
                let mut m = Map::new();
                m.insert("from_time".into(), json!(since));
                m.insert("to_time".into(), json!(request.until));
                m.extend(params.iter().filter(|(k, _)| *k != "from_time" && *k != "to_time").map(clone_pair));
                Ok(Split { calls: vec![m], note: None })
            }),
            _ => None,
        }
    }

    /// The read-only look-up of serial 0, which matches nothing; for a read-only code saved without a
    /// wallet, the list of the wallets it may read.
    fn test_call(&self) -> TestCall {
        if self.wallet().is_err() {
            return TestCall::Call(ops::LIST_READONLY_WALLETS, Map::new());
        }
        TestCall::Call(ops::QUERY_CALLBACKS, one("ids", json!([0])))
    }

    fn describe(&self, operation: &str, result: &Value) -> Vec<Phrase> {
        match (operation, result.get("count").and_then(Value::as_i64)) {
            (ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT, Some(1)) => vec![Phrase::new("result.cybavo_one")],
            (ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT, Some(0)) => {
                vec![Phrase::nothing("result.cybavo_none"), Phrase::note("result.cybavo_zero_hint")]
            }
            (ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT, Some(n)) => {
                vec![Phrase::new("result.cybavo_many").with("count", n)]
            }
            (ops::INSPECT_CALLBACK_ENDPOINT, _) => ops::describe_inspection(result),
            _ => Vec::new(),
        }
    }
}

fn one(key: &str, value: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(key.to_owned(), value);
    m
}

fn clone_pair((k, v): (&String, &Value)) -> (String, Value) {
    (k.clone(), v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn parse(file: Value) -> Result<CybavoAccount> {
        crate::providers::account::with_source(&file, CybavoAccount::parse)
    }

    #[test]
    fn a_readonly_code_may_leave_the_wallet_out_a_wallet_code_may_not() {
        let file = |access: Option<&str>, wallet: Option<i64>| {
            let mut f = json!({"base_url": "https://sofa.example.com", "api_code": "C", "api_secret": "S"});
            if let Some(a) = access {
                f["access"] = json!(a);
            }
            if let Some(w) = wallet {
                f["wallet_id"] = json!(w);
            }
            f
        };
        let ro = parse(file(Some("read_only"), None)).unwrap();
        assert_eq!((ro.access, ro.wallet().unwrap_err().params["reason"].as_str()), (Access::ReadOnly, Some("wallet_needed")));
        assert_eq!(ro.test_call(), TestCall::Call(ops::LIST_READONLY_WALLETS, Map::new()));
        assert_eq!(parse(file(Some("read_only"), Some(56788))).unwrap().wallet().unwrap(), 56788);
        for access in [None, Some("full")] {
            let e = parse(file(access, None)).unwrap_err();
            assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("wallet_id")));
            assert_eq!(parse(file(access, Some(55743))).unwrap().access, Access::Full);
        }
        let e = parse(file(Some("admin"), Some(1))).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("access"), Some("not_allowed")));
        // The descriptor says the same to the window.
        let d = super::super::descriptor();
        let wallet = d.account_fields.iter().find(|f| f.name == "wallet_id").unwrap();
        let when = wallet.optional_when.as_ref().unwrap();
        assert!(when.matches(file(Some("read_only"), None).as_object().unwrap(), &d.account_fields));
        assert!(!when.matches(file(None, None).as_object().unwrap(), &d.account_fields));
    }
}
