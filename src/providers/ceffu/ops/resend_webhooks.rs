//! Resend failed webhook notifications (`POST /open-api/entity/webhook/resend`) of one endpoint and event
//! type since a moment. The body is the params in the order given, then `timestamp` (milliseconds of this
//! attempt) appended **last**; it is serialised once and those exact bytes are signed (SHA512withRSA) and
//! sent.

use crate::error::{Error, Result};
use crate::providers::ceffu::account::CeffuAccount;
use crate::providers::ceffu::{sign, EVENT_TYPES};
use crate::providers::params::Params;
use crate::providers::util;
use crate::providers::{BuildCtx, HttpMethod, SignedRequest};
use serde_json::{json, Map, Value};

pub const NAME: &str = "resend-webhooks";

/// What to resend, with the fields in the order they were given (the body keeps it).
pub struct ResendParams {
    /// Kept as text: a 19-digit id.
    pub webhook_id: String,
    /// `"1"`–`"4"`.
    pub event_type: String,
    /// Unix milliseconds.
    pub resend_from: i64,
    pub coin_symbol: Option<String>,
    /// The names of the fields above as given, in order (`timestamp` is always written last).
    order: Vec<String>,
}

impl ResendParams {
    pub fn read(params: &Map<String, Value>) -> Result<ResendParams> {
        let p = Params::read(params, &["webhookId", "eventType", "resendFromDateTime", "coinSymbol", "timestamp"])?;
        let webhook_id = p.text("webhookId")?;
        let event_type = p.text("eventType")?;
        p.opt_choice("eventType", &EVENT_TYPES)?;
        let resend_from = p.i64("resendFromDateTime")?;
        if resend_from < 1_000_000_000_000 {
            return Err(Error::invalid_field("resendFromDateTime", "not_millis"));
        }
        let coin_symbol = p.opt_text("coinSymbol")?;
        let order = p
            .keys()
            .filter(|k| match *k {
                "timestamp" => false,
                "coinSymbol" => coin_symbol.is_some(),
                _ => true,
            })
            .map(str::to_owned)
            .collect();
        Ok(ResendParams { webhook_id, event_type, resend_from, coin_symbol, order })
    }

    /// The body: the fields in their order, then `timestamp`.
    fn body(&self, timestamp_ms: i64) -> Map<String, Value> {
        let mut body = Map::new();
        for k in &self.order {
            let v = match k.as_str() {
                "webhookId" => json!(self.webhook_id),
                "eventType" => json!(self.event_type),
                "resendFromDateTime" => json!(self.resend_from),
                _ => json!(self.coin_symbol),
            };
            body.insert(k.clone(), v);
        }
        body.insert("timestamp".into(), json!(timestamp_ms));
        body
    }
}

pub(super) fn build(acct: &CeffuAccount, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
    let p = ResendParams::read(params)?;
    let bytes = serde_json::to_vec(&Value::Object(p.body(ctx.now_ms))).map_err(|e| Error::internal(e.to_string()))?;
    let signature = sign::sign(&acct.private_key, &bytes);
    Ok(SignedRequest {
        method: HttpMethod::Post,
        url: util::join_url(&acct.base_url, "/open-api/entity/webhook/resend"),
        headers: vec![
            ("open-apikey".into(), acct.api_key.expose().to_owned()),
            ("signature".into(), signature),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::acct;
    use super::super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn vector_1_request_is_exact() {
        let v: Value = serde_json::from_str(include_str!("../../../../tests/fixtures/vectors.json")).unwrap();
        let c = &v["ceffu"];
        let r = build(&acct(), RESEND_WEBHOOKS, c["params"].as_object().unwrap(), &BuildCtx::at(1_699_256_508_000))
            .unwrap();
        assert_eq!(r.url, "https://open-api.ceffu.com/open-api/entity/webhook/resend");
        assert_eq!(r.body_text().unwrap(), c["body"].as_str().unwrap());
        assert_eq!(r.header("signature"), c["signature"].as_str());
        assert_eq!(r.header("open-apikey"), Some("TESTAPIKEY"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
    }

    #[test]
    fn timestamp_is_appended_last_and_refreshed() {
        let p = json!({"timestamp": 1, "eventType": 3, "webhookId": "9", "resendFromDateTime": "1699256508000"});
        let r = build(&acct(), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(1_700_000_000_123)).unwrap();
        assert_eq!(
            r.body_text().unwrap(),
            r#"{"eventType":"3","webhookId":"9","resendFromDateTime":1699256508000,"timestamp":1700000000123}"#
        );
        let r2 = build(&acct(), RESEND_WEBHOOKS, p.as_object().unwrap(), &BuildCtx::at(1_700_000_000_124)).unwrap();
        assert_ne!(r.header("signature"), r2.header("signature"));
        let bad = json!({"webhookId": "9", "eventType": "5", "resendFromDateTime": 1699256508000i64});
        assert_eq!(
            build(&acct(), RESEND_WEBHOOKS, bad.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().params["field"],
            "eventType"
        );
        let missing = json!({"eventType": "1", "resendFromDateTime": 1699256508000i64});
        assert_eq!(
            build(&acct(), RESEND_WEBHOOKS, missing.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err().code,
            ErrorCode::InputMissing
        );
    }
}
