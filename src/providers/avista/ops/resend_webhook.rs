//! Resend one transaction's webhook (`POST /api/resend-webhook/{identifier}`, the identifier
//! percent-encoded as a path segment), optionally to a one-off `url` (`{"url"}`, else no body). Avista
//! delivers synchronously and answers 200 with the destination's status.

use crate::error::{Error, ErrorCode, Result};
use crate::providers::avista::account::AvistaAccount;
use crate::providers::avista::errors::map_error;
use crate::providers::params::Params;
use crate::providers::util::{self, encode_uri_component};
use crate::providers::{BuildCtx, HttpMethod, Outcome, RawResponse, SignedRequest};
use serde_json::{json, Map, Value};
use url::Url;

pub const NAME: &str = "resend-webhook";

/// Which transaction, and where to, when not to the account's webhook.
pub struct ResendParams {
    /// Avista's transaction number, the merchant's external id or the PIX end-to-end id.
    pub transaction_identifier: String,
    /// The one-off destination, checked (a public https address, or a sandbox account's own receiver)
    /// and normalised: what was checked is what Avista gets.
    pub url: Option<Url>,
}

impl ResendParams {
    pub fn read(acct: &AvistaAccount, params: &Map<String, Value>) -> Result<ResendParams> {
        let p = Params::read(params, &["transaction_identifier", "url"])?;
        let transaction_identifier = p.text("transaction_identifier")?;
        // The one-off destination receives the transaction's full webhook payload from Avista: only a
        // public https address is accepted (or, for a sandbox account only, its sandbox's own receiver).
        let url = match p.opt_text("url")? {
            None => None,
            Some(u) => Some(match acct.sandbox_receiver(&u) {
                Some(receiver) => receiver,
                None => crate::providers::account::validate_public_https_url("url", &u)?,
            }),
        };
        Ok(ResendParams { transaction_identifier, url })
    }
}

pub(super) fn build(acct: &AvistaAccount, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
    let p = ResendParams::read(acct, params)?;
    let body = match &p.url {
        None => None,
        Some(u) => Some(serde_json::to_vec(&json!({ "url": u.as_str() })).map_err(|e| Error::internal(e.to_string()))?),
    };
    let bearer = match ctx.token {
        Some(t) => format!("Bearer {}", t.expose()),
        None => "Bearer <token>".to_owned(),
    };
    Ok(SignedRequest {
        method: HttpMethod::Post,
        url: util::join_url(
            &acct.base_url,
            &format!("/api/resend-webhook/{}", encode_uri_component(&p.transaction_identifier)),
        ),
        headers: vec![("Authorization".into(), bearer), ("Content-Type".into(), "application/json".into())],
        body,
    })
}

/// 200 → delivered (result carries `webhookLogId`, `sentAt`, destination `statusCode`).
pub(super) fn parse(resp: &RawResponse) -> Result<Outcome> {
    if resp.status != 200 {
        return Err(map_error(resp));
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(&resp.body)))?;
    if !v.is_object() {
        return Err(Error::new(ErrorCode::ProviderMalformedResponse).detail(util::body_detail(&resp.body)));
    }
    Ok(Outcome {
        result: json!({
            "message": v.get("message"),
            "webhookLogId": v.get("webhookLogId"),
            "sentAt": v.get("sentAt"),
            "statusCode": v.get("statusCode"),
        }),
    })
}
