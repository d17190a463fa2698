//! A CCPayment merchant app: its fields, and everything the engine asks of it.

use super::{ops, Ccpayment};
use crate::error::{Error, Result};
use crate::providers::util;
use crate::providers::{
    AccountSource, BuildCtx, BulkRequest, Outcome, Phrase, Provider, ProviderAccount, RawResponse, SignedRequest,
    Split, TestCall,
};
use crate::providers::callback::SignatureProblem;
use crate::secret::Secret;
use serde_json::{json, Map, Value};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CcpaymentVersion {
    V1,
    V2,
}

impl CcpaymentVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            CcpaymentVersion::V1 => "v1",
            CcpaymentVersion::V2 => "v2",
        }
    }

    /// The names of the window's fields in this version.
    pub fn window_fields(self) -> (&'static str, &'static str) {
        match self {
            CcpaymentVersion::V1 => ("start_timestamp", "end_timestamp"),
            CcpaymentVersion::V2 => ("startTimestamp", "endTimestamp"),
        }
    }
}

#[derive(Debug)]
pub struct CcpaymentAccount {
    pub base_url: Url,
    pub api_version: CcpaymentVersion,
    pub app_id: String,
    pub app_secret: Secret,
}

impl CcpaymentAccount {
    pub(super) fn parse(source: &AccountSource<'_>) -> Result<CcpaymentAccount> {
        Ok(CcpaymentAccount {
            base_url: source.base_url()?,
            api_version: match source.choice("api_version", &["v1", "v2"])?.as_str() {
                "v1" => CcpaymentVersion::V1,
                _ => CcpaymentVersion::V2,
            },
            app_id: source.header_text("app_id")?,
            app_secret: source.secret("app_secret")?,
        })
    }
}

impl ProviderAccount for CcpaymentAccount {
    fn provider(&self) -> &'static dyn Provider {
        &Ccpayment
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn base_url(&self) -> &Url {
        &self.base_url
    }

    fn build(&self, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
        ops::build(self, operation, params, ctx)
    }

    fn parse(&self, operation: &str, response: &RawResponse) -> Result<Outcome> {
        ops::parse(self, operation, response)
    }

    fn verify_callback(&self, headers: &[(String, String)], body: &[u8]) -> Option<Result<(), SignatureProblem>> {
        Some(ops::verify_signed(self, headers, body))
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.app_secret]
    }

    /// `[since, until]` in windows of at most one hour, with this version's field names; consecutive
    /// windows share their boundary second, so nothing falls between two windows whether CCPayment reads
    /// the end as inclusive or exclusive.
    fn split(&self, operation: &str, request: &BulkRequest<'_>) -> Option<Result<Split>> {
        (operation == ops::RESEND_WEBHOOKS).then(|| {
            let (start, end) = self.api_version.window_fields();
            let params = request.params;
            let since = match request.since {
                Some(s) => s,
                None => crate::providers::bulk::unix_seconds(
                    start,
                    util::req_i64(params, start).map_err(|_| Error::missing_field("since"))?,
                )?,
            };
            let rest: Vec<(String, Value)> = params
                .iter()
                .filter(|(k, _)| *k != start && *k != end)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let calls = crate::providers::bulk::windows(since, request.until, ops::MAX_WINDOW_SECONDS, request.max_calls)?
                .into_iter()
                .map(|(s, e)| {
                    let mut m = Map::new();
                    m.insert(start.into(), json!(s));
                    m.insert(end.into(), json!(e));
                    m.extend(rest.iter().cloned());
                    m
                })
                .collect();
            Ok(Split { calls, note: None })
        })
    }

    fn test_call(&self) -> TestCall {
        TestCall::Unsupported("accounts.test_unsupported.ccpayment")
    }

    fn describe(&self, _operation: &str, result: &Value) -> Vec<Phrase> {
        match result.get("resend_count").and_then(Value::as_i64) {
            Some(0) => vec![Phrase::nothing("result.ccpayment_none"), Phrase::note("result.ccpayment_zero_hint")],
            Some(n) => vec![Phrase::new("result.ccpayment_count").with("count", n)],
            None => vec![Phrase::new("result.ccpayment_ok")],
        }
    }
}
