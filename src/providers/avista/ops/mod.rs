//! Avista operations: one file each (its typed params, its request, its answer): `get-token` and
//! `resend-webhook`. Avista signs nothing; the token call authenticates with the certificate header and
//! the client id and secret, the resend with the bearer token it gave.

mod get_token;
mod resend_webhook;

pub use get_token::{parse_token, NAME as GET_TOKEN};
pub use resend_webhook::NAME as RESEND_WEBHOOK;

use super::account::AvistaAccount;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::{BuildCtx, Outcome, RawResponse, SignedRequest};
use serde_json::{Map, Value};

/// Builds one call of `operation` (a resend carries `ctx.token`, or the placeholder `<token>` in a preview).
pub fn build(
    acct: &AvistaAccount,
    operation: &str,
    params: &Map<String, Value>,
    ctx: &BuildCtx<'_>,
) -> Result<SignedRequest> {
    match operation {
        GET_TOKEN => get_token::build(acct, params),
        RESEND_WEBHOOK => resend_webhook::build(acct, params, ctx),
        other => Err(Error::new(ErrorCode::InputUnknownOperation).with("operation", other)),
    }
}

/// Reads an answer of `operation` (see each operation's `parse`).
pub fn parse(operation: &str, resp: &RawResponse) -> Result<Outcome> {
    if operation == GET_TOKEN {
        get_token::parse(resp)
    } else {
        resend_webhook::parse(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::avista::account::AvistaAccount;
    use crate::providers::Token;
    use crate::secret::Secret;
    use serde_json::json;
    use crate::providers::{Account, BearerAuth, TokenCache};

    fn acct_file() -> Value {
        let cert = include_str!("../../../../tests/fixtures/avista_test_cert.pem");
        json!({"provider":"avista","base_url":"https://api.avista.global","client_id":"account-93-550e8400","client_secret":"CLIENT-SECRET-CANARY","client_cert_pem":cert})
    }

    pub(crate) fn acct() -> Account {
        Account::from_map(acct_file().as_object().unwrap()).unwrap()
    }

    fn build(acct: &Account, operation: &str, params: &Map<String, Value>, ctx: &BuildCtx<'_>) -> Result<SignedRequest> {
        super::build(acct.downcast::<AvistaAccount>().unwrap(), operation, params, ctx)
    }

    fn key(acct: &Account) -> String {
        acct.downcast::<AvistaAccount>().unwrap().cache_key()
    }

    #[test]
    fn token_request() {
        let r = build(&acct(), GET_TOKEN, &Map::new(), &BuildCtx::at(0)).unwrap();
        assert_eq!(r.url, "https://api.avista.global/api/auth/token");
        assert_eq!(
            r.body_text().unwrap(),
            r#"{"clientId":"account-93-550e8400","clientSecret":"CLIENT-SECRET-CANARY"}"#
        );
        let h = r.header("X-SSL-Client-Cert").unwrap();
        assert_eq!(h.len(), 627);
        assert!(h.starts_with("-----BEGIN%20CERTIFICATE-----%0AMIIBfTCCASKgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYD"));
    }

    #[test]
    fn resend_request_encodes_identifier_and_checks_url() {
        let p = json!({"transaction_identifier": "PAG 2024/0001", "url": "https://meu-servidor.com/webhooks/avista"});
        let tok = Secret::new("jwt.token.here");
        let ctx = BuildCtx { now_ms: 0, nonce: None, token: Some(&tok) };
        let r = build(&acct(), RESEND_WEBHOOK, p.as_object().unwrap(), &ctx).unwrap();
        assert_eq!(r.url, "https://api.avista.global/api/resend-webhook/PAG%202024%2F0001");
        assert_eq!(r.header("Authorization"), Some("Bearer jwt.token.here"));
        assert_eq!(r.body_text().unwrap(), r#"{"url":"https://meu-servidor.com/webhooks/avista"}"#);
        let no_url = json!({"transaction_identifier": "123"});
        let r = build(&acct(), RESEND_WEBHOOK, no_url.as_object().unwrap(), &BuildCtx::at(0)).unwrap();
        assert_eq!(r.header("Authorization"), Some("Bearer <token>"));
        assert_eq!(r.body, None);
        let http = json!({"transaction_identifier": "1", "url": "http://evil.example/x"});
        let e = build(&acct(), RESEND_WEBHOOK, http.as_object().unwrap(), &BuildCtx::at(0)).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("url"), Some("https_required")));
    }

    #[test]
    fn one_off_url_must_be_public_https_and_is_sent_normalised() {
        let build_url = |u: &str| {
            let p = json!({"transaction_identifier": "1", "url": u});
            build(&acct(), RESEND_WEBHOOK, p.as_object().unwrap(), &BuildCtx::at(0))
        };
        // Accepted: DNS names and public addresses; sent as parsed (trimmed, host lower-cased, default
        // port dropped).
        let cases = [
            ("  https://Hooks.Example.com:443/avista?x=1  ", "https://hooks.example.com/avista?x=1"),
            ("https://8.8.8.8/h", "https://8.8.8.8/h"),
            ("https://[2001:4860:4860::8888]/h", "https://[2001:4860:4860::8888]/h"),
            ("https://hooks.example.com", "https://hooks.example.com/"),
        ];
        for (given, sent) in cases {
            let r = build_url(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(r.body_text().unwrap(), format!(r#"{{"url":"{sent}"}}"#), "{given}");
        }
        let reason = |u: &str| {
            let e = build_url(u).unwrap_err();
            assert_eq!(e.params["field"], "url", "{u}");
            e.params["reason"].as_str().unwrap().to_owned()
        };
        assert_eq!(reason("https://user:pass@hooks.example.com/x"), "userinfo_not_allowed");
        assert_eq!(reason("https://user@hooks.example.com/x"), "userinfo_not_allowed");
        for u in [
            "https://localhost/x",
            "https://LOCALHOST./x",
            "https://app.localhost/x",
            "https://127.0.0.1/x",
            "https://127.1/x",
            "https://0x7f000001/x",
            "https://[::1]/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.10/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[fe80::1]/x",
            "https://[fd00::1]/x",
            "https://0.0.0.0/x",
            "https://[::]/x",
            "https://224.0.0.1/x",
            "https://[ff02::1]/x",
            "https://255.255.255.255/x",
            "https://100.64.0.1/x",
            "https://[::ffff:10.0.0.1]/x",
        ] {
            assert_eq!(reason(u), "not_public_host", "{u}");
        }
        assert_eq!(reason("http://hooks.example.com/x"), "https_required");
        assert_eq!(reason("hooks.example.com/x"), "not_url");
    }

    /// The demo account as a stored sandbox account resolved to a sandbox at `root`.
    fn sandbox_acct(root: &str) -> Account {
        let file = acct_file();
        let map = file.as_object().unwrap();
        let mut public = map.clone();
        for secret in ["client_secret", "client_cert_pem"] {
            public.remove(secret);
        }
        public.remove("provider");
        public.insert("base_url".into(), json!(root));
        let mut lookup = |name: &str| map.get(name).and_then(Value::as_str).map(Secret::new);
        Account::from_sandbox_parts(crate::providers::avista::id(), &public, &mut lookup, root).unwrap()
    }

    #[test]
    fn only_a_sandbox_account_may_send_its_one_off_url_to_the_sandbox_receiver() {
        let build_url = |a: &Account, u: &str| {
            let p = json!({"transaction_identifier": "1", "url": u});
            build(a, RESEND_WEBHOOK, p.as_object().unwrap(), &BuildCtx::at(0))
        };
        let sandbox = sandbox_acct("http://127.0.0.1:5555");
        let receiver = "http://127.0.0.1:5555/__sandbox/inbox/receive/avista";
        for (given, sent) in [
            (receiver, receiver),
            (" http://127.0.0.1:5555/__sandbox/inbox/receive/avista ", receiver),
            // The sandbox listens on a new port at each start (bulk plans are checked on a stand-in).
            ("http://127.0.0.1:41234/__sandbox/inbox/receive/avista", "http://127.0.0.1:41234/__sandbox/inbox/receive/avista"),
        ] {
            let r = build_url(&sandbox, given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(r.body_text().unwrap(), format!(r#"{{"url":"{sent}"}}"#), "{given}");
        }
        for other in [
            "http://127.0.0.1:5555/__sandbox/inbox/receive/cybavo",
            "http://127.0.0.1:5555/__sandbox/inbox",
            "http://127.0.0.1:5555/__sandbox/inbox/receive/avista?x=1",
            "http://127.0.0.1:5555/__sandbox/inbox/receive/avista#x",
            "http://u:p@127.0.0.1:5555/__sandbox/inbox/receive/avista",
            "http://localhost:5555/__sandbox/inbox/receive/avista",
            "https://127.0.0.1:5555/__sandbox/inbox/receive/avista",
            "http://10.0.0.1:5555/__sandbox/inbox/receive/avista",
        ] {
            let e = build_url(&sandbox, other).unwrap_err();
            assert_eq!(e.params["field"], "url", "{other}");
        }
        // Any other account: the receiver is not a public https address.
        let e = build_url(&acct(), receiver).unwrap_err();
        assert_eq!(e.params["reason"], "https_required");
        let mut custom = acct_file();
        custom["base_url"] = json!("http://127.0.0.1:5555");
        let custom = Account::from_map(custom.as_object().unwrap()).unwrap();
        assert_eq!(build_url(&custom, receiver).unwrap_err().params["reason"], "https_required");
    }

    #[test]
    fn parses_documented_answers() {
        let ok = parse(RESEND_WEBHOOK, &RawResponse::new(200, &[], r#"{"message":"Webhook resent successfully","webhookLogId":12345,"sentAt":"2024-01-15T10:30:00.000Z","statusCode":200}"#)).unwrap();
        assert_eq!(ok.result["webhookLogId"], 12345);
        assert_eq!(ok.result["statusCode"], 200);
        let tok = parse(
            GET_TOKEN,
            &RawResponse::new(201, &[], r#"{"access_token":"eyJ.secret","token_type":"Bearer","expires_in":1800}"#),
        )
        .unwrap();
        assert_eq!(tok.result, json!({"token_type":"Bearer","expires_in":1800}));
        assert!(!tok.result.to_string().contains("eyJ"));
        let cases: &[(u16, ErrorCode)] = &[
            (400, ErrorCode::ProviderNoWebhookUrl),
            (401, ErrorCode::AuthTokenRejected),
            (404, ErrorCode::ProviderNotFound),
            (429, ErrorCode::ProviderRateLimited),
            (502, ErrorCode::ProviderDestinationError),
            (504, ErrorCode::ProviderDestinationTimeout),
            (500, ErrorCode::ProviderServerError),
            (503, ErrorCode::ProviderServerError),
        ];
        for (s, code) in cases {
            let e = parse(RESEND_WEBHOOK, &RawResponse::new(*s, &[], r#"{"message":"raw text","statusCode":500}"#))
                .unwrap_err();
            assert_eq!(e.code, *code, "{s}");
            assert_eq!(e.detail.as_deref(), Some("raw text"));
        }
        let e = parse(RESEND_WEBHOOK, &RawResponse::new(502, &[], r#"{"message":"x","statusCode":500}"#)).unwrap_err();
        assert_eq!(e.params["destination_status"], 500);
        let body = r#"{"message":"x","statusCode":502,"destinationStatusCode":404}"#;
        let e = parse(RESEND_WEBHOOK, &RawResponse::new(502, &[], body)).unwrap_err();
        assert_eq!(e.params["destination_status"], 404);
        let e = parse(RESEND_WEBHOOK, &RawResponse::new(502, &[], r#"{"statusCode":502}"#)).unwrap_err();
        assert!(e.params.get("destination_status").is_none());
        assert_eq!(
            parse(RESEND_WEBHOOK, &RawResponse::new(200, &[], "nope")).unwrap_err().code,
            ErrorCode::ProviderMalformedResponse
        );
    }

    #[test]
    fn token_cache_expires_a_minute_early() {
        let cache = TokenCache::default();
        let a = acct();
        let t = Token { access_token: Secret::new("tok-abcdef"), expires_in: 1800 };
        cache.put(&key(&a), &t, 0);
        assert_eq!(cache.get(&key(&a), 1_739_000).unwrap().expose(), "tok-abcdef");
        assert!(cache.get(&key(&a), 1_740_000).is_none());
        cache.forget(&key(&a));
        assert!(cache.get(&key(&a), 0).is_none());
    }

    #[test]
    fn any_expires_in_from_the_provider_is_handled() {
        // Found by fuzzing: `"expires_in": 99999999999999999` overflowed the expiry arithmetic (a panic in
        // debug builds, a wrapped, already-expired time in release).
        let cache = TokenCache::default();
        let a = acct();
        let now = 1_700_000_000_000;
        for (expires_in, usable) in [(99_999_999_999_999_999, true), (i64::MAX, true), (i64::MIN, false), (-5, false)] {
            let body = format!(r#"{{"access_token":"tok-{expires_in}","expires_in":{expires_in}}}"#);
            let t = parse_token(&RawResponse::new(201, &[], body)).unwrap();
            cache.put(&key(&a), &t, now);
            assert_eq!(cache.get(&key(&a), now).is_some(), usable, "expires_in {expires_in}");
        }
    }
}
