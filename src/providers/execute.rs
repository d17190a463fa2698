//! The one entry point the CLI, the app and history use to run an operation end to end:
//! plan → (per call) build + sign afresh → send → verify + parse → merge.

use super::{
    build_request, operation_descriptor, parse_response, plan_calls, redirect_error, Account, BearerAuth, BuildCtx,
    OperationKind, RawResponse, TokenCache,
};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::wire::{ClientIdentity, RedactedRequest, RedactedResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// How an operation ended. `unknown` (resends only) = the request may have reached the provider and been
/// acted on, but nothing reliable says so: no answer was read (timeout or reset after sending, a body cut
/// short), or the answer could not be read or trusted ([`answer_unreadable`]). Check before resending.
/// A look-up or token call that did not give its result is `failed`: it changed nothing at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum OutcomeKind {
    Ok,
    Failed,
    Unknown,
}

/// One HTTP exchange of an operation (redacted).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallRecord {
    pub operation: String,
    pub request: RedactedRequest,
    pub response: Option<RedactedResponse>,
}

/// The result of [`execute`], as the CLI prints it and history stores it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CallOutcome {
    pub outcome: OutcomeKind,
    /// Status of the last HTTP answer, `null` when none arrived.
    pub http_status: Option<u16>,
    pub error: Option<Error>,
    /// Parsed result (merged over calls); `null` when nothing succeeded.
    #[ts(type = "unknown")]
    pub result: Value,
    /// The last request sent (redacted), `null` when validation failed before sending.
    pub request: Option<RedactedRequest>,
    pub response: Option<RedactedResponse>,
    /// Every exchange in order (token calls, batches, the retry after a refreshed token).
    pub calls: Vec<CallRecord>,
}

impl CallOutcome {
    fn failed_before_send(error: Error) -> Self {
        CallOutcome {
            outcome: OutcomeKind::Failed,
            http_status: None,
            error: Some(error),
            result: Value::Null,
            request: None,
            response: None,
            calls: Vec::new(),
        }
    }

    pub fn error_code(&self) -> Option<ErrorCode> {
        self.error.as_ref().map(|e| e.code)
    }
}

/// Whether an answer that arrived but is not a success says nothing reliable about what the provider did:
/// it could not be read or trusted (malformed, truncated or not UTF-8 where JSON was due, an unexpected
/// shape, a wrong or missing signature, larger than the transport reads) or it came from elsewhere (a
/// redirect), or it is a server error (a 5xx that is not a documented answer: a server that failed midway,
/// or a gateway that gave up waiting, may have acted). For a call with side effects (a resend) the outcome
/// is then `unknown`: the provider got the request and may have acted on it, and recording `failed` would
/// invite a duplicate resend. Every other error is the provider's own answer that it did not do it (a
/// documented error code or status, such as a rate limit, an invalid parameter or a rejected credential):
/// `failed`.
pub fn answer_unreadable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::ProviderMalformedResponse
            | ErrorCode::ProviderSignatureInvalid
            | ErrorCode::ProviderRedirected
            | ErrorCode::ProviderResponseTooLarge
            | ErrorCode::ProviderServerError
    )
}

/// How a call ends whose answer arrived and is the error `e` (see [`answer_unreadable`]). Look-ups and
/// token calls change nothing at the provider, so theirs is `failed` either way.
fn outcome_of_answer(resends: bool, e: &Error) -> OutcomeKind {
    if resends && answer_unreadable(e.code) {
        OutcomeKind::Unknown
    } else {
        OutcomeKind::Failed
    }
}

/// How a call ends that got no answer: `unknown` for a call with side effects (a resend) that may have
/// reached the provider (timeout or reset after sending, a body cut short), else `failed`. A look-up or a
/// token call that may have arrived changed nothing there: it simply did not give its result.
fn outcome_without_answer(resends: bool, may_have_arrived: bool) -> OutcomeKind {
    if resends && may_have_arrived {
        OutcomeKind::Unknown
    } else {
        OutcomeKind::Failed
    }
}

enum Step {
    Answer(RawResponse),
    NoAnswer(Error, bool),
}

/// Asked before each request of a run leaves: a refusal ends the run there, with nothing sent. The rate
/// budgets of stored accounts are one ([`crate::limits::BudgetGate`]).
pub trait SendGate: Send + Sync {
    fn admit(&self, operation: &str) -> Result<(), Error>;
}

/// Lets every request go (account files of the CLI, which have no stored budget; tests).
pub struct NoGate;

impl SendGate for NoGate {
    fn admit(&self, _: &str) -> Result<(), Error> {
        Ok(())
    }
}

struct Run<'a> {
    account: &'a Account,
    clock: &'a dyn Clock,
    transport: &'a dyn Transport,
    identity: Option<ClientIdentity>,
    gate: &'a dyn SendGate,
    calls: Vec<CallRecord>,
    last_status: Option<u16>,
}

impl Run<'_> {
    /// Builds (fresh time and nonce) and sends one call, recording it.
    async fn call(
        &mut self,
        operation: &str,
        params: &Map<String, Value>,
        token: Option<&Secret>,
    ) -> Result<Step, Error> {
        let ctx = BuildCtx { now_ms: self.clock.now_ms(), nonce: None, token };
        let req = build_request(self.account, operation, params, &ctx)?;
        self.gate.admit(operation)?;
        let redacted = super::redactor().request(&req);
        tracing::info!(provider = %self.account.provider(), operation, method = req.method.as_str(), url = %redacted.url, "sending");
        match self.transport.send(&req, self.identity.as_ref()).await {
            Ok(mut resp) => {
                resp.received_at_ms = self.clock.now_ms();
                self.last_status = Some(resp.status);
                tracing::info!(status = resp.status, elapsed_ms = resp.elapsed_ms, "answered");
                self.calls.push(CallRecord {
                    operation: operation.to_owned(),
                    request: redacted,
                    response: Some(super::redactor().response(&resp)),
                });
                Ok(Step::Answer(resp))
            }
            Err(t) => {
                tracing::warn!(code = %t.error.code, unknown = t.outcome_unknown, "no answer");
                self.calls.push(CallRecord { operation: operation.to_owned(), request: redacted, response: None });
                Ok(Step::NoAnswer(t.error, t.outcome_unknown))
            }
        }
    }

    fn finish(self, outcome: OutcomeKind, error: Option<Error>, result: Value) -> CallOutcome {
        let last = self.calls.last();
        CallOutcome {
            outcome,
            http_status: self.last_status,
            error,
            result,
            request: last.map(|c| c.request.clone()),
            response: last.and_then(|c| c.response.clone()),
            calls: self.calls,
        }
    }

    /// The bearer token of the account's flow: from the cache, or fetched (and cached).
    async fn bearer_token(&mut self, auth: &dyn BearerAuth, force: bool) -> Result<Secret, Error> {
        let key = auth.cache_key();
        if !force {
            if let Some(t) = TokenCache::global().get(&key, self.clock.now_ms()) {
                return Ok(t);
            }
        }
        match self.call(auth.token_operation(), &Map::new(), None).await {
            Err(e) | Ok(Step::NoAnswer(e, _)) => Err(e),
            Ok(Step::Answer(resp)) => {
                if let Some(e) = redirect_error(self.account, &resp) {
                    return Err(e);
                }
                let tok = auth.parse_token(&resp)?;
                TokenCache::global().put(&key, &tok, self.clock.now_ms());
                Ok(tok.access_token)
            }
        }
    }
}

fn register_secrets(account: &Account) {
    for s in account.inner().secrets() {
        crate::logging::register_secret(s);
    }
}

/// The bearer token `operation` needs, if any: from the cache while valid, otherwise fetched now (and
/// cached), exactly as [`execute`] gets it. `None` for operations sent without one. Used to build a
/// request outside [`execute`] (the command "Copy with secrets" puts on the clipboard).
pub async fn token_for(
    account: &Account,
    operation: &str,
    clock: &dyn Clock,
    transport: &dyn Transport,
) -> Result<Option<Secret>, Error> {
    let Some(auth) = account.inner().bearer().filter(|a| a.needs_token(operation)) else { return Ok(None) };
    register_secrets(account);
    let identity = account.inner().client_identity();
    let mut run = Run { account, clock, transport, identity, gate: &NoGate, calls: Vec::new(), last_status: None };
    run.bearer_token(auth, false).await.map(Some)
}

/// Runs `operation` with `params` (keys in the given order) for `account`.
///
/// * Validation errors return `failed` before anything is sent.
/// * Multi-call operations (CYBAVO `query-callbacks` with more than 100 ids) run their calls
///   sequentially and merge results in order; the first failing call ends the run.
/// * Every call is built afresh from `clock` (new `t`/`r`/timestamp) — nothing is replayed.
/// * An operation sent with a bearer token ([`BearerAuth`]) obtains it first (cached per account until
///   60 s before it expires) and, on HTTP 401, refreshes it once and resends.
pub async fn execute(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    clock: &dyn Clock,
    transport: &dyn Transport,
) -> CallOutcome {
    execute_gated(account, operation, params, clock, transport, &NoGate).await
}

/// [`execute`], asking `gate` before each request leaves (see [`SendGate`]).
#[tracing::instrument(skip(account, params, clock, transport, gate), fields(provider = %account.provider()))]
pub async fn execute_gated(
    account: &Account,
    operation: &str,
    params: &Map<String, Value>,
    clock: &dyn Clock,
    transport: &dyn Transport,
    gate: &dyn SendGate,
) -> CallOutcome {
    register_secrets(account);
    let planned = match plan_calls(account, operation, params) {
        Ok(p) => p,
        Err(e) => return CallOutcome::failed_before_send(e),
    };
    let resends = operation_descriptor(account, operation).map_or(true, |d| d.kind == OperationKind::Resend);
    let identity = account.inner().client_identity();
    let mut run = Run { account, clock, transport, identity, gate, calls: Vec::new(), last_status: None };

    if let Some(auth) = account.inner().bearer().filter(|a| a.needs_token(operation)) {
        // Validate before fetching a token.
        if let Err(e) = build_request(account, operation, &planned[0], &BuildCtx::at(clock.now_ms())) {
            return CallOutcome::failed_before_send(e);
        }
        // A one-off destination gets the transaction's full webhook payload: say where in the log (host
        // only; the URL was validated as public https without user-info by `build`).
        if let Some(url) = planned[0].get("url").and_then(Value::as_str).and_then(|u| url::Url::parse(u.trim()).ok()) {
            tracing::warn!(destination_host = url.host_str().unwrap_or(""), "resend to a one-off URL");
        }
        // Without a token the resend is not sent: whatever happened to the token call, the resend itself
        // is known not to have happened (`failed`).
        let mut refreshed = false;
        let mut token = match run.bearer_token(auth, false).await {
            Ok(t) => t,
            Err(e) => return run.finish(OutcomeKind::Failed, Some(e), Value::Null),
        };
        loop {
            match run.call(operation, &planned[0], Some(&token)).await {
                Err(e) => return run.finish(OutcomeKind::Failed, Some(e), Value::Null),
                Ok(Step::NoAnswer(e, may_have_arrived)) => {
                    return run.finish(outcome_without_answer(resends, may_have_arrived), Some(e), Value::Null)
                }
                Ok(Step::Answer(resp)) if resp.status == 401 && !refreshed => {
                    refreshed = true;
                    TokenCache::global().forget(&auth.cache_key());
                    // The first attempt was refused (401: not done); without a new token nothing else is sent.
                    token = match run.bearer_token(auth, true).await {
                        Ok(t) => t,
                        Err(e) => return run.finish(OutcomeKind::Failed, Some(e), Value::Null),
                    };
                }
                Ok(Step::Answer(resp)) => {
                    return match parse_response(account, operation, &resp) {
                        Ok(o) => run.finish(OutcomeKind::Ok, None, o.result),
                        Err(e) => run.finish(outcome_of_answer(resends, &e), Some(e), Value::Null),
                    };
                }
            }
        }
    }

    let mut results = Vec::new();
    for p in &planned {
        let step = match run.call(operation, p, None).await {
            Ok(s) => s,
            Err(e) => return run.finish(OutcomeKind::Failed, Some(e), merged(account, operation, results)),
        };
        match step {
            Step::NoAnswer(e, may_have_arrived) => {
                let kind = outcome_without_answer(resends, may_have_arrived);
                return run.finish(kind, Some(e), merged(account, operation, results));
            }
            Step::Answer(resp) => {
                // A token call made on its own (the connection test) fills the cache too.
                if let Some(auth) = account.inner().bearer().filter(|a| a.token_operation() == operation) {
                    if let Ok(tok) = auth.parse_token(&resp) {
                        TokenCache::global().put(&auth.cache_key(), &tok, clock.now_ms());
                    }
                }
                match parse_response(account, operation, &resp) {
                    Ok(o) => results.push(o.result),
                    Err(e) => {
                        return run.finish(outcome_of_answer(resends, &e), Some(e), merged(account, operation, results))
                    }
                }
            }
        }
    }
    let result = merged(account, operation, results);
    run.finish(OutcomeKind::Ok, None, result)
}

fn merged(account: &Account, operation: &str, mut results: Vec<Value>) -> Value {
    match results.len() {
        0 => Value::Null,
        1 => results.pop().unwrap_or(Value::Null),
        _ => account.inner().merge(operation, results),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::providers::SignedRequest;
    use crate::transport::{SendFuture, TransportError};
    use serde_json::json;
    use std::sync::Mutex;

    /// Answers from a script and records what was sent.
    struct Scripted {
        answers: Mutex<Vec<Result<RawResponse, TransportError>>>,
        sent: Mutex<Vec<SignedRequest>>,
    }

    impl Scripted {
        fn new(mut answers: Vec<Result<RawResponse, TransportError>>) -> Self {
            answers.reverse();
            Scripted { answers: Mutex::new(answers), sent: Mutex::new(Vec::new()) }
        }
    }

    impl Transport for Scripted {
        fn send<'a>(&'a self, request: &'a SignedRequest, _: Option<&'a ClientIdentity>) -> SendFuture<'a> {
            self.sent.lock().unwrap().push(request.clone());
            let a = self.answers.lock().unwrap().pop().expect("unexpected call");
            Box::pin(async move { a })
        }
    }

    fn cybavo() -> Account {
        Account::from_json(r#"{"provider":"cybavo","base_url":"http://127.0.0.1:1","wallet_id":7,"api_code":"code-xyz","api_secret":"TESTSECRET0123456789abcdef"}"#).unwrap()
    }

    fn signed(body: &str) -> RawResponse {
        let sum =
            crate::providers::cybavo::sign::body_checksum(body.as_bytes(), &Secret::new("TESTSECRET0123456789abcdef"));
        RawResponse::new(200, &[("X-CHECKSUM", &sum)], body)
    }

    #[tokio::test]
    async fn query_callbacks_runs_batches_in_order_and_merges() {
        let t = Scripted::new(vec![
            Ok(signed(r#"{"notifications":[{"serial":1}]}"#)),
            Ok(signed(r#"{"notifications":[{"serial":2}]}"#)),
        ]);
        let ids: Vec<i64> = (1..=101).collect();
        let p = json!({ "ids": ids });
        let out =
            execute(&cybavo(), "query-callbacks", p.as_object().unwrap(), &FixedClock::at_ms(1_700_000_000_000), &t)
                .await;
        assert_eq!(out.outcome, OutcomeKind::Ok);
        assert_eq!(out.result["notifications"].as_array().unwrap().len(), 2);
        assert_eq!(out.result["notifications"][1]["serial"], 2);
        assert_eq!(out.calls.len(), 2);
        let sent = t.sent.lock().unwrap();
        assert_ne!(sent[0].url, sent[1].url, "fresh r per call");
        assert_eq!(out.request.as_ref().unwrap().headers[0], ("X-API-CODE".to_owned(), "<redacted>".to_owned()));
    }

    #[tokio::test]
    async fn timeout_after_send_is_unknown_and_validation_sends_nothing() {
        let t = Scripted::new(vec![Err(TransportError {
            error: Error::new(ErrorCode::NetworkTimeout),
            outcome_unknown: true,
        })]);
        let p = json!({"notification_id": 0});
        let out =
            execute(&cybavo(), "resend-withdrawal-callbacks", p.as_object().unwrap(), &FixedClock::at_ms(0), &t).await;
        assert_eq!(out.outcome, OutcomeKind::Unknown);
        assert_eq!(out.error_code(), Some(ErrorCode::NetworkTimeout));
        assert_eq!(out.http_status, None);
        let bad = json!({"notification_id": "x"});
        let out =
            execute(&cybavo(), "resend-withdrawal-callbacks", bad.as_object().unwrap(), &FixedClock::at_ms(0), &t)
                .await;
        assert_eq!(out.outcome, OutcomeKind::Failed);
        assert!(out.request.is_none());
        let v = serde_json::to_value(&out).unwrap();
        assert_eq!(v["error"]["code"], "input.invalid");
    }

    #[tokio::test]
    async fn a_lookup_or_a_token_call_without_an_answer_is_failed_not_unknown() {
        let timeout = || Err(TransportError { error: Error::new(ErrorCode::NetworkTimeout), outcome_unknown: true });
        // A look-up changes nothing at the provider: without its answer it simply failed.
        let t = Scripted::new(vec![timeout()]);
        let p = json!({"ids": [1]});
        let out = execute(&cybavo(), "query-callbacks", p.as_object().unwrap(), &FixedClock::at_ms(0), &t).await;
        assert_eq!((out.outcome, out.error_code()), (OutcomeKind::Failed, Some(ErrorCode::NetworkTimeout)));
        // Without a token the Avista resend is never sent: known not to have happened.
        let cert = include_str!("../../tests/fixtures/avista_test_cert.pem");
        let j = json!({"provider":"avista","base_url":"http://127.0.0.1:3","client_id":"exec-no-token",
                       "client_secret":"csecret-456","client_cert_pem":cert});
        let acct = Account::from_map(j.as_object().unwrap()).unwrap();
        let t = Scripted::new(vec![timeout()]);
        let p = json!({"transaction_identifier": "123"});
        let out = execute(&acct, "resend-webhook", p.as_object().unwrap(), &FixedClock::at_ms(0), &t).await;
        assert_eq!((out.outcome, out.error_code()), (OutcomeKind::Failed, Some(ErrorCode::NetworkTimeout)));
        assert_eq!(t.sent.lock().unwrap().len(), 1, "only the token call left");
    }

    #[tokio::test]
    async fn a_rate_limit_answer_carries_its_retry_after() {
        let seconds = |answer: RawResponse| async move {
            let t = Scripted::new(vec![Ok(answer)]);
            let p = json!({"ids": [1]});
            let out = execute(&cybavo(), "query-callbacks", p.as_object().unwrap(), &FixedClock::at_ms(0), &t).await;
            assert_eq!(out.error_code(), Some(ErrorCode::ProviderRateLimited));
            out.error.unwrap().params.get("retry_after_seconds").cloned()
        };
        let limited = r#"{"error":"Forbidden. Call too frequently (30 calls/minute)"}"#;
        assert_eq!(seconds(RawResponse::new(403, &[("Retry-After", "42")], limited)).await, Some(json!(42)));
        assert_eq!(seconds(RawResponse::new(403, &[], limited)).await, None);
        // Other errors are left as they are.
        let t = Scripted::new(vec![Ok(RawResponse::new(404, &[("Retry-After", "42")], "{}"))]);
        let p = json!({"ids": [1]});
        let out = execute(&cybavo(), "query-callbacks", p.as_object().unwrap(), &FixedClock::at_ms(0), &t).await;
        assert!(out.error.unwrap().params.get("retry_after_seconds").is_none());
    }

    #[tokio::test]
    async fn avista_token_is_cached_and_refreshed_once_on_401() {
        let cert = include_str!("../../tests/fixtures/avista_test_cert.pem");
        let j = json!({"provider":"avista","base_url":"http://127.0.0.1:2","client_id":"exec-test","client_secret":"csecret-123","client_cert_pem":cert});
        let acct = Account::from_map(j.as_object().unwrap()).unwrap();
        let tok = |t: &str| {
            Ok(RawResponse::new(
                201,
                &[],
                format!(r#"{{"access_token":"{t}","token_type":"Bearer","expires_in":1800}}"#),
            ))
        };
        let ok = || {
            Ok(RawResponse::new(
                200,
                &[],
                r#"{"message":"Webhook resent successfully","webhookLogId":1,"sentAt":"x","statusCode":200}"#,
            ))
        };
        let t = Scripted::new(vec![
            tok("token-one"),
            Ok(RawResponse::new(401, &[], r#"{"message":"expired"}"#)),
            tok("token-two"),
            ok(),
            ok(),
        ]);
        let clock = FixedClock::at_ms(1_700_000_000_000);
        let p = json!({"transaction_identifier": "123"});
        let out = execute(&acct, "resend-webhook", p.as_object().unwrap(), &clock, &t).await;
        assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
        assert_eq!(out.calls.len(), 4);
        let out = execute(&acct, "resend-webhook", p.as_object().unwrap(), &clock, &t).await;
        assert_eq!(out.calls.len(), 1, "cached token reused");
        let sent = t.sent.lock().unwrap();
        assert_eq!(sent[1].header("Authorization"), Some("Bearer token-one"));
        assert_eq!(sent[3].header("Authorization"), Some("Bearer token-two"));
        assert_eq!(sent[4].header("Authorization"), Some("Bearer token-two"));
        let dump = serde_json::to_string(&out).unwrap();
        assert!(!dump.contains("token-two") && !dump.contains("csecret-123"), "{dump}");
    }
}
