//! Running an operation of a saved account, recorded in history exactly the same way for the app and
//! the command-line companion: the history row is written `pending` (durably) before the request leaves,
//! then finished `ok`, `failed` or `unknown` with the request as sent and the response, both redacted.

use crate::accounts::{AccountView, Accounts};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::history::{Finish, History, NewEntry, Outcome, RecordedRequest, RecordedResponse};
use crate::limits::{BudgetGate, BudgetKey, Limits};
use crate::providers::{self, CallOutcome, OutcomeKind};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::wire::{RedactedRequest, RedactedResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use ts_rs::TS;

/// A call of a bulk job: the job's id (its history rows carry it) and the job's whole plan, as a team
/// approval binds it (a job runs under one approval of every call it makes).
pub struct JobCall<'a> {
    pub id: i64,
    pub plan: &'a crate::team::approvals::JobPlan,
}

/// What the Resend/Query forms send.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ActionRequest {
    #[ts(type = "number")]
    pub account_id: i64,
    pub operation: String,
    /// The provider's own field names, in form order.
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
}

/// The outcome shown in the result panel, with the id of its history row.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ActionResult {
    #[ts(type = "number")]
    pub history_id: i64,
    pub outcome: OutcomeKind,
    pub http_status: Option<u16>,
    pub error: Option<Error>,
    /// A successful outcome in words, as the provider words it (translation keys and parameters).
    pub summary: Vec<providers::Phrase>,
    /// The provider's parsed result (e.g. `{"count": 3}`, decoded callbacks, `webhookLogId`).
    #[ts(type = "unknown")]
    pub result: Value,
    pub request: Option<RedactedRequest>,
    pub response: Option<RedactedResponse>,
    #[ts(type = "number")]
    pub calls: usize,
}

pub use crate::scope::scope_of;

/// Every identifier in the params, space separated, for the history text filter.
pub fn search_text_of(params: &Map<String, Value>) -> String {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    params.values().for_each(|v| walk(v, &mut out));
    out.join(" ")
}

fn recorded_request(r: &RedactedRequest) -> RecordedRequest {
    RecordedRequest {
        method: r.method.clone(),
        url: r.url.clone(),
        headers: r.headers.clone(),
        body: r.body.clone().unwrap_or_default(),
    }
}

fn recorded_response(r: &RedactedResponse) -> RecordedResponse {
    RecordedResponse {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
        elapsed_ms: r.elapsed_ms as i64,
    }
}

pub struct Actions {
    pub accounts: Arc<Accounts>,
    pub history: Arc<History>,
    pub clock: Arc<dyn Clock>,
    /// Every call reserves its slot in the account's rate budget before it leaves (refused with
    /// `budget.wait` when the budget does not allow it now) and every answer teaches the budget (see
    /// [`crate::limits`]). Actions never wait for a budget themselves: bulk jobs do.
    pub limits: Arc<Limits>,
}

impl Actions {
    pub fn new(accounts: Arc<Accounts>, history: Arc<History>, limits: Arc<Limits>, clock: Arc<dyn Clock>) -> Self {
        Actions { accounts, history, clock, limits }
    }

    /// The signed request the action would send now, with secrets and signatures masked (Preview).
    pub fn preview(&self, req: &ActionRequest, sandbox_root: Option<&str>) -> Result<RedactedRequest> {
        let (_, account) = self.accounts.signing_account(req.account_id, sandbox_root)?;
        let calls = providers::plan_calls(&account, &req.operation, &req.params)?;
        let first = calls.first().cloned().unwrap_or_default();
        let ctx = providers::BuildCtx::at(self.clock.now_ms());
        let signed = providers::build_request(&account, &req.operation, &first, &ctx)?;
        Ok(providers::redactor().request(&signed))
    }

    /// The signed request the action would send now, with its real credentials and a fresh signature,
    /// as a cURL command a POSIX shell runs byte for byte ("Copy with secrets"). The secrets are read
    /// from the vault only here; an Avista resend gets its bearer token (cached, or fetched now with the
    /// account's credentials). Nothing is recorded in history and nothing is logged: the command is a
    /// [`Secret`]. An account that authenticates with a client certificate key (mutual TLS) cannot be
    /// copied: a command cannot carry the key (`input.curl_unavailable`).
    pub async fn unmasked_curl(
        &self,
        req: &ActionRequest,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
    ) -> Result<Secret> {
        let (_, account) = self.accounts.signing_account(req.account_id, sandbox_root)?;
        if account.inner().client_identity().is_some() {
            return Err(Error::new(crate::error::ErrorCode::InputCurlUnavailable).with("reason", "client_key"));
        }
        let calls = providers::plan_calls(&account, &req.operation, &req.params)?;
        let first = calls.first().cloned().unwrap_or_default();
        // Validate before asking for a token.
        providers::build_request(&account, &req.operation, &first, &providers::BuildCtx::at(self.clock.now_ms()))?;
        let token = providers::token_for(&account, &req.operation, self.clock.as_ref(), transport).await?;
        let ctx = providers::BuildCtx { now_ms: self.clock.now_ms(), nonce: None, token: token.as_ref() };
        let signed = providers::build_request(&account, &req.operation, &first, &ctx)?;
        crate::transport::curl_command(&signed)
    }

    /// Runs the action and records it. Input errors (caught before anything is sent) are returned as
    /// `Err` and not recorded; everything that reached the point of sending is in history.
    pub async fn run(
        &self,
        req: &ActionRequest,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        job: Option<&JobCall<'_>>,
    ) -> Result<ActionResult> {
        self.run_under(req, None, sandbox_root, transport, job).await
    }

    /// [`Actions::run`] under a team approval: `approval_id` is the approval being run (its requester, once,
    /// for exactly its plan); `None` runs under an approved approval of this plan if the team's policy needs
    /// one, and requests one otherwise (`approval.awaiting`).
    pub async fn run_under(
        &self,
        req: &ActionRequest,
        approval_id: Option<i64>,
        sandbox_root: Option<&str>,
        transport: &dyn Transport,
        job: Option<&JobCall<'_>>,
    ) -> Result<ActionResult> {
        // A team workspace's shared account: its fields and this member's secrets as the team database has
        // them now (`team.share_missing` when none are shared with this member).
        let refreshed =
            crate::team::shared::refresh_for_call(&self.accounts, req.account_id, self.clock.now_ms()).await?;
        let (view, account) = self.accounts.signing_account(req.account_id, sandbox_root)?;
        // Validate and plan before recording: a form mistake is not an action.
        let calls = providers::plan_calls(&account, &req.operation, &req.params)?;
        let first = calls.first().cloned().unwrap_or_default();
        let provisional =
            providers::build_request(&account, &req.operation, &first, &providers::BuildCtx::at(self.clock.now_ms()))?;
        let budget_key = BudgetKey::of_view(&view, &req.operation);
        let provider = view.provider.get();
        let rule_of = |op: &str| provider.budget(&view.fields, op);
        // The account's rate budget is reserved before anything is recorded or sent: a request over a
        // known limit never leaves, whichever process asks (`budget.wait` says when it may go). In a team
        // workspace the team database admits it first: the member's role, the merchant's shared budget.
        let op = providers::operation_descriptor(&account, &req.operation)?;
        let budget = match budget_key.rule {
            Some(rule) => self.limits.budget(budget_key)?.map(|b| (rule.bucket, b)),
            None => None,
        };
        // A bulk job's call is judged and approved with its whole job.
        let plan = match job {
            Some(job) => crate::team::approvals::Plan {
                operation: &req.operation,
                params: &job.plan.params,
                reasons: job.plan.reasons.clone(),
                approval_id: None,
                job: Some(&job.plan.key),
            },
            None => crate::team::approvals::Plan {
                operation: &req.operation,
                params: &req.params,
                reasons: crate::team::policy::approval_reasons(view.environment, &op, &req.params, self.clock.now_ms()),
                approval_id,
                job: None,
            },
        };
        let needs = crate::team::admit::Needs {
            resend: op.kind == providers::OperationKind::Resend,
            budget,
            calls: calls.len().max(1),
            plan: Some(plan),
        };
        let team = crate::team::admit::admit(
            self.accounts.vault(),
            &view,
            needs,
            self.limits.settings(),
            self.clock.as_ref(),
            refreshed,
        )
        .await?;
        let gate = BudgetGate::reserve(
            &self.limits,
            budget_key.merchant,
            &rule_of,
            &req.operation,
            self.clock.as_ref(),
            calls.len().max(1),
        )?;
        let history_id = self.history.begin(self.entry(&view, &op, req, job.map(|j| j.id), &provisional))?;
        let started = std::time::Instant::now();
        let outcome =
            providers::execute_gated(&account, &req.operation, &req.params, self.clock.as_ref(), transport, &gate)
                .await;
        self.history.finish(history_id, finish_of(&outcome, started.elapsed().as_millis() as i64))?;
        if outcome.http_status.is_some() {
            let learned = self.limits.observe(budget_key, outcome.error.as_ref(), self.clock.now_ms())?;
            // A limit answer holds back every member of a workspace, not only this installation.
            if let (Some(team), Some(learned), Some(rule)) = (&team, learned, budget_key.rule) {
                crate::team::budget::share_learned(team, &view, rule.bucket, &learned).await;
            }
        }
        // In a team workspace the action goes to the team's audit trail now, on the connection that admitted
        // it (offline, it stays queued for the next push).
        if let Some(team) = &team {
            crate::team::outbox::push_after_action(self.accounts.vault().db(), team, self.clock.now_ms()).await;
        }
        // History scrubs what it stores (`History::finish`); what goes back to the UI or the CLI gets the
        // same scrubbing, since error details and results are built from what the provider sent back
        // (which may echo a credential).
        Ok(ActionResult {
            history_id,
            outcome: outcome.outcome,
            http_status: outcome.http_status,
            error: outcome.error.map(Error::scrubbed),
            summary: match outcome.outcome {
                OutcomeKind::Ok => account.inner().describe(&req.operation, &outcome.result),
                _ => Vec::new(),
            },
            result: crate::logging::scrub_value(&outcome.result),
            request: outcome.request,
            response: outcome.response,
            calls: outcome.calls.len(),
        })
    }

    fn entry(
        &self,
        view: &AccountView,
        op: &providers::OperationDescriptor,
        req: &ActionRequest,
        job_id: Option<i64>,
        provisional: &providers::SignedRequest,
    ) -> NewEntry {
        NewEntry {
            job_id,
            account_id: Some(view.id),
            account_label: view.label.clone(),
            provider: view.provider.as_str().to_owned(),
            environment: view.environment,
            operation: req.operation.clone(),
            scope: scope_of(op, &req.params),
            search_text: search_text_of(&req.params),
            request: recorded_request(&providers::redactor().request(provisional)),
        }
    }
}

fn finish_of(o: &CallOutcome, duration_ms: i64) -> Finish {
    let provider_code = o.error.as_ref().and_then(|e| e.params.get("provider_code")).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    Finish {
        outcome: match o.outcome {
            OutcomeKind::Ok => Outcome::Ok,
            OutcomeKind::Failed => Outcome::Failed,
            OutcomeKind::Unknown => Outcome::Unknown,
        },
        http_status: o.http_status,
        provider_code,
        error: o.error.clone(),
        duration_ms: Some(duration_ms),
        response: o.response.as_ref().map(recorded_response),
        request: o.request.as_ref().map(recorded_request),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One CYBAVO resend (`notification_id` 5) from a custom account with these secrets, to a server on
    /// loopback that answers 400 with `content_type` and `body` once; the outcome and the history.
    async fn resend_answered_400_by(
        content_type: &str,
        body: &'static str,
        secrets: [(&str, &str); 2],
    ) -> (ActionResult, Arc<History>) {
        use crate::accounts::{AccountInput, Environment};
        use crate::clock::FixedClock;
        use crate::db::Db;
        use crate::providers::ProviderId;
        use crate::transport::{HttpTransport, TransportConfig};
        use crate::vault::{MemoryStore, Vault};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let head = format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        tokio::spawn(async move {
            let (mut c, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf).await;
            let _ = c.write_all(head.as_bytes()).await;
            let _ = c.write_all(body.as_bytes()).await;
        });

        let db = Db::open_in_memory().unwrap();
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::at_ms(1_700_000_000_000));
        let vault = Arc::new(Vault::new(Arc::new(MemoryStore::default()), db.clone()));
        let accounts = Arc::new(Accounts::new(vault, clock.clone()));
        let history = Arc::new(History::with_clock(db.clone(), clock.clone()));
        let limits = Arc::new(crate::limits::Limits::new(db));
        let view = accounts
            .create(&AccountInput {
                provider: ProviderId::parse("cybavo").unwrap(),
                label: "Loopback".into(),
                environment: Environment::Custom,
                base_url: Some(format!("http://127.0.0.1:{port}")),
                fields: json!({"wallet_id": 1}).as_object().unwrap().clone(),
                secrets: secrets.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect(),
                notes: String::new(),
            })
            .unwrap();
        let actions = Actions::new(accounts, history.clone(), limits, clock);
        let transport = HttpTransport::new(TransportConfig::default()).unwrap();
        let req = ActionRequest {
            account_id: view.id,
            operation: "resend-withdrawal-callbacks".into(),
            params: json!({"notification_id": 5}).as_object().unwrap().clone(),
        };
        (actions.run(&req, None, &transport, None).await.unwrap(), history)
    }

    #[tokio::test]
    async fn error_details_are_scrubbed_before_they_reach_the_caller() {
        // A provider on loopback that echoes the API code in its error message.
        let (out, _) = resend_answered_400_by(
            "application/json",
            r#"{"error_code":112,"error":"API code echo-canary-code-7c1d is not valid"}"#,
            [("api_code", "echo-canary-code-7c1d"), ("api_secret", "echo-canary-secret-9e2f")],
        )
        .await;
        let error = out.error.clone().expect("an error");
        let detail = error.detail.unwrap_or_default();
        assert!(detail.contains("is not valid") && !detail.contains("echo-canary-code-7c1d"), "{detail}");
        let all = serde_json::to_string(&out).unwrap();
        assert!(!all.contains("echo-canary"), "{all}");
    }

    /// An answer with a form-encoded body carrying credentials (a misconfigured endpoint echoing a token
    /// request, say) is masked in what the caller gets back and in the history row: results, call records,
    /// error details and history go through the one redaction engine.
    #[tokio::test]
    async fn a_form_encoded_answer_is_masked_in_the_result_and_in_history() {
        let (out, history) = resend_answered_400_by(
            "application/x-www-form-urlencoded",
            "error=invalid_client&client_secret=form-canary-9b3e&access_token=form-canary-7a1c",
            [("api_code", "code-1"), ("api_secret", "secret-1")],
        )
        .await;
        let body = out.response.as_ref().expect("an answer").body.clone();
        assert_eq!(body, "error=invalid_client&client_secret=<redacted>&access_token=<redacted>");
        let all = serde_json::to_string(&out).unwrap();
        assert!(!all.contains("form-canary"), "{all}");
        let row = serde_json::to_string(&history.get(out.history_id).unwrap()).unwrap();
        assert!(row.contains("client_secret=<redacted>") && !row.contains("form-canary"), "{row}");
    }

    #[test]
    fn scope_and_search_text() {
        let cybavo = providers::cybavo::descriptor();
        let op = |name: &str| cybavo.operation_named(name).unwrap().clone();
        let p = json!({"notification_id": 0}).as_object().unwrap().clone();
        assert_eq!(scope_of(&op("resend-withdrawal-callbacks"), &p), "notification_id=0 (all)");
        let p = json!({"notification_id": 7}).as_object().unwrap().clone();
        assert_eq!(scope_of(&op("resend-withdrawal-callbacks"), &p), "notification_id=7");
        let p = json!({"ids": [90000000139i64, 90000000140i64, 3]}).as_object().unwrap().clone();
        assert_eq!(scope_of(&op("query-callbacks"), &p), "ids=90000000139 (+2)");
        assert_eq!(search_text_of(&p), "90000000139 90000000140 3");
    }
}
