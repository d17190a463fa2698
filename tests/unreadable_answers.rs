//! Answers that cannot be read or trusted, from a real HTTP server on loopback, through the app's own
//! action path (`Actions::run` on a stored account, history included): for a resend they leave the outcome
//! `unknown` (the provider got the request and may have acted on it), for a look-up `failed`; a provider's
//! own error answer stays `failed`; bulk jobs count such calls `unknown` and never send them again; a
//! redirect is `provider.redirected` naming the target host.

use callback_desk::accounts::{AccountInput, Environment};
use callback_desk::actions::{ActionRequest, ActionResult};
use callback_desk::clock::FixedClock;
use callback_desk::error::ErrorCode;
use callback_desk::history::Outcome;
use callback_desk::jobs::{FixedClockSleeper, JobControl, JobState, PlanRequest};
use callback_desk::providers::cybavo::sign::body_checksum;
use callback_desk::providers::OutcomeKind;
use callback_desk::secret::Secret;
use callback_desk::store::Store;
use callback_desk::transport::{HttpTransport, TransportConfig};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const API_SECRET: &str = "LOOPBACK-SECRET-0123456789abcdef";
const T0_MS: i64 = 1_760_000_000_000;

/// How the server answers every request: the raw bytes of its answer (status line, headers, body), after
/// which it closes the connection.
type Answer = fn() -> Vec<u8>;

/// A server on 127.0.0.1 that reads each request whole and writes `answer`; counts the requests.
async fn server(answer: Answer) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else { return };
            let counted = counted.clone();
            tokio::spawn(async move {
                if read_request(&mut conn).await {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let _ = conn.write_all(&answer()).await;
                    let _ = conn.shutdown().await;
                }
            });
        }
    });
    (port, requests)
}

/// Reads one request (headers, then `Content-Length` bytes of body). False when the peer went away.
async fn read_request(conn: &mut tokio::net::TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return true;
            }
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// An HTTP/1.1 answer with the given status, extra headers and body (its true length).
fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A 200 whose body carries a valid CYBAVO `X-CHECKSUM`, so only the body itself is at fault.
fn signed_200(body: &[u8]) -> Vec<u8> {
    let sum = body_checksum(body, &Secret::new(API_SECRET));
    http("200 OK", &[("X-CHECKSUM", &sum)], body)
}

fn truncated_json() -> Vec<u8> {
    signed_200(br#"{"count":12"#)
}

fn invalid_utf8() -> Vec<u8> {
    signed_200(b"{\"count\":12,\"note\":\"\xff\xfe\"}")
}

fn another_shape() -> Vec<u8> {
    signed_200(br#"{"ok":true}"#)
}

/// `Content-Length` announces more than is sent, then the connection closes.
fn cut_short() -> Vec<u8> {
    let body = br#"{"count":12}"#;
    let mut out = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len() + 200).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A well-formed answer whose `X-CHECKSUM` does not match (today's resend of 12 callbacks, say).
fn wrong_checksum() -> Vec<u8> {
    http("200 OK", &[("X-CHECKSUM", "bm90IHRoZSByaWdodCBjaGVja3N1bQ==")], br#"{"count":12}"#)
}

fn redirect() -> Vec<u8> {
    http("302 Found", &[("Location", "https://login.example.net:8443/sso?session=s3cr3t-token")], b"")
}

/// CYBAVO's own refusal: documented, well-formed.
fn rate_limited() -> Vec<u8> {
    http("403 Forbidden", &[], br#"{"error":"Forbidden. Call too frequently (30 calls/minute)"}"#)
}

fn invalid_parameter() -> Vec<u8> {
    http("400 Bad Request", &[], br#"{"error":"Invalid parameter","error_code":112}"#)
}

struct Env {
    store: Store,
    account_id: i64,
    transport: HttpTransport,
    clock: FixedClock,
    _dir: tempfile::TempDir,
}

/// A data folder with one CYBAVO account pointing at the server on `port`.
fn env(port: u16) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::at_ms(T0_MS);
    let store = Store::open(dir.path(), Arc::new(MemoryStore::default()), Arc::new(clock.clone())).unwrap();
    let file = json!({"provider": "cybavo", "base_url": format!("http://127.0.0.1:{port}"), "wallet_id": 55743,
                      "api_code": "LOOPBACK-CODE", "api_secret": API_SECRET});
    let input = AccountInput::from_account_file(
        file.as_object().unwrap(),
        "Loopback".into(),
        Some(Environment::Custom),
        "".into(),
    )
    .unwrap();
    let account_id = store.accounts.create(&input).unwrap().id;
    let transport = HttpTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(20),
    })
    .unwrap();
    Env { store, account_id, transport, clock, _dir: dir }
}

impl Env {
    async fn run(&self, operation: &str, params: Value) -> ActionResult {
        let req = ActionRequest {
            account_id: self.account_id,
            operation: operation.into(),
            params: params.as_object().unwrap().clone(),
        };
        self.store.actions.run(&req, None, &self.transport, None).await.unwrap()
    }

    fn history_outcome(&self, id: i64) -> (Outcome, Option<String>) {
        let row = self.store.history.get(id).unwrap().row;
        (row.outcome, row.error.map(|e| e.code))
    }
}

const RESEND: &str = "resend-withdrawal-callbacks";
const LOOKUP: &str = "query-callbacks";

/// For each answer: the resend is `unknown`, the look-up `failed`, both with `code`, in history too.
async fn check(name: &str, answer: Answer, code: ErrorCode) {
    let (port, requests) = server(answer).await;
    let env = env(port);

    let r = env.run(RESEND, json!({"notification_id": 0})).await;
    assert_eq!(r.outcome, OutcomeKind::Unknown, "resend, {name}: {:?}", r.error);
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(code), "resend, {name}");
    assert_eq!(env.history_outcome(r.history_id), (Outcome::Unknown, Some(code.as_str().to_owned())), "{name}");

    let r = env.run(LOOKUP, json!({"ids": [90000000139i64]})).await;
    assert_eq!(r.outcome, OutcomeKind::Failed, "look-up, {name}: {:?}", r.error);
    assert_eq!(r.error.as_ref().map(|e| e.code), Some(code), "look-up, {name}");
    assert_eq!(env.history_outcome(r.history_id), (Outcome::Failed, Some(code.as_str().to_owned())), "{name}");
    assert_eq!(requests.load(Ordering::SeqCst), 2, "{name}: one request each, nothing sent again");
}

#[tokio::test]
async fn a_resend_whose_answer_cannot_be_read_is_unknown_and_a_lookup_failed() {
    check("truncated JSON", truncated_json, ErrorCode::ProviderMalformedResponse).await;
    check("invalid UTF-8", invalid_utf8, ErrorCode::ProviderMalformedResponse).await;
    check("another shape", another_shape, ErrorCode::ProviderMalformedResponse).await;
    check("cut short", cut_short, ErrorCode::NetworkConnectionReset).await;
}

#[tokio::test]
async fn a_resend_whose_answer_fails_its_signature_check_is_unknown() {
    check("wrong X-CHECKSUM", wrong_checksum, ErrorCode::ProviderSignatureInvalid).await;
}

#[tokio::test]
async fn a_redirect_is_reported_with_its_host_and_a_resend_is_unknown() {
    check("redirect", redirect, ErrorCode::ProviderRedirected).await;
    let (port, _) = server(redirect).await;
    let env = env(port);
    let e = env.run(RESEND, json!({"notification_id": 7})).await.error.unwrap();
    assert_eq!(e.params["host"], "login.example.net:8443");
    let detail = e.detail.unwrap();
    assert_eq!(detail, "HTTP 302 to https://login.example.net:8443/sso");
    let stored = env.store.history.page(&Default::default(), None, 10).unwrap().rows[0].error.clone().unwrap();
    assert_eq!(stored.params["host"], "login.example.net:8443");
    assert!(!serde_json::to_string(&stored).unwrap().contains("s3cr3t-token"), "the query never goes into the error");
}

#[tokio::test]
async fn a_providers_own_refusal_of_a_resend_stays_failed() {
    for (answer, code) in [
        (rate_limited as Answer, ErrorCode::ProviderRateLimited),
        (invalid_parameter, ErrorCode::ProviderInvalidParameter),
    ] {
        let (port, _) = server(answer).await;
        let env = env(port);
        let r = env.run(RESEND, json!({"notification_id": 0})).await;
        assert_eq!((r.outcome, r.error.map(|e| e.code)), (OutcomeKind::Failed, Some(code)));
        assert_eq!(env.history_outcome(r.history_id).0, Outcome::Failed);
    }
}

#[tokio::test]
async fn a_bulk_job_counts_unreadable_answers_unknown_and_never_resends_them() {
    let answers: [(&str, Answer); 4] = [
        ("truncated JSON", truncated_json),
        ("wrong X-CHECKSUM", wrong_checksum),
        ("cut short", cut_short),
        ("redirect", redirect),
    ];
    for (name, answer) in answers {
        let (port, requests) = server(answer).await;
        let env = env(port);
        let req = PlanRequest {
            account_id: env.account_id,
            operation: RESEND.into(),
            params: json!({"serials": [90000000002i64, 90000000003i64, 90000000004i64]}).as_object().unwrap().clone(),
            since: None,
            until: None,
            calls: None,
        };
        let id = env.store.jobs.create(&env.store.jobs.plan(&req).unwrap()).unwrap();
        let sleeper = FixedClockSleeper { clock: env.clock.clone() };
        let job =
            env.store.jobs.run(id, None, &env.transport, &sleeper, &JobControl::new(), &mut |_| {}).await.unwrap();
        assert_eq!((job.state, job.ok, job.failed, job.unknown), (JobState::Done, 0, 0, 3), "{name}: {job:?}");
        assert_eq!(requests.load(Ordering::SeqCst), 3, "{name}: each call sent once");
        let (_, rows) = env.store.jobs.results(id).unwrap();
        assert!(rows.iter().all(|r| r.outcome == callback_desk::results::ResultOutcome::Unknown), "{rows:?}");
    }
}
