//! The action history: lifecycle, crash recovery, filters, keyset paging, CSV export, retention.

use callback_desk::clock::FixedClock;
use callback_desk::db::Db;
use callback_desk::history::{
    Cursor, Environment, Finish, History, HistoryFilter, NewEntry, Outcome, RecordedRequest, RecordedResponse,
};
use callback_desk::process::ProcessId;
use callback_desk::{Error, ErrorCode};
use std::collections::HashSet;
use std::sync::Arc;

#[path = "common/csv_reader.rs"]
mod csv_reader;
#[path = "common/history_reference.rs"]
mod history_reference;
use csv_reader::parse_csv;

const T0: i64 = 1_750_000_000_000;
const DAY: i64 = 86_400_000;

fn history_at(ms: i64) -> (History, FixedClock, Db) {
    let db = Db::open_in_memory().unwrap();
    let clock = FixedClock::at_ms(ms);
    (History::with_clock(db.clone(), Arc::new(clock.clone())), clock, db)
}

/// A process that ran and has exited: what a crashed app or CLI leaves behind as the owner of its rows.
fn exited_process() -> ProcessId {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_callback-desk-cli"))
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let owner = ProcessId::of(i64::from(child.id())).expect("the child runs");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(owner.is_running(), Some(false));
    owner
}

fn add_account(db: &Db, id: i64, label: &str) {
    db.conn()
        .execute(
            "INSERT INTO accounts (id, provider, label, environment, base_url, created_at, updated_at)
             VALUES (?1, 'cybavo', ?2, 'sandbox', 'http://127.0.0.1', 0, 0)",
            rusqlite::params![id, label],
        )
        .unwrap();
}

fn entry(provider: &str, operation: &str, ids: &str) -> NewEntry {
    NewEntry {
        job_id: None,
        account_id: None,
        account_label: format!("{provider} main"),
        provider: provider.into(),
        environment: Environment::Sandbox,
        operation: operation.into(),
        scope: ids.split(' ').next().unwrap_or("").into(),
        search_text: ids.into(),
        request: RecordedRequest {
            method: "POST".into(),
            url: "https://sofa.example/v1/sofa/wallets/123/notifications/resend".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-API-CODE".into(), "api-code-value".into()),
                ("X-CHECKSUM".into(), "0123456789abcdef".into()),
            ],
            body: format!("{{\"ids\":\"{ids}\"}}"),
        },
    }
}

fn failed(code: ErrorCode) -> Finish {
    Finish {
        outcome: Outcome::Failed,
        http_status: Some(403),
        provider_code: Some("112".into()),
        error: Some(Error::new(code).with("limit", 30).detail("Forbidden")),
        duration_ms: Some(120),
        response: Some(RecordedResponse {
            status: 403,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: r#"{"error_code":112,"error":"Forbidden"}"#.into(),
            elapsed_ms: 120,
        }),
        request: None,
    }
}

fn response(body: &str) -> RecordedResponse {
    RecordedResponse {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-CHECKSUM".into(), "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=".into()),
        ],
        body: body.into(),
        elapsed_ms: 85,
    }
}

fn all_ids(h: &History, filter: &HistoryFilter, limit: u32) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = h.page(filter, cursor, limit).unwrap();
        assert!(page.rows.len() <= limit as usize);
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out
}

#[test]
fn pending_then_finished() {
    let (h, clock, _db) = history_at(T0);
    let id = h.begin(entry("cybavo", "resend_notifications", "90000000139")).unwrap();

    let d = h.get(id).unwrap();
    assert_eq!(d.row.outcome, Outcome::Pending);
    assert_eq!(d.row.created_at_ms, T0);
    assert_eq!(d.row.finished_at_ms, None);
    assert_eq!(d.response, None);
    assert_eq!(d.search_text, "90000000139");
    // Signature and credential headers are masked on the way in.
    let headers: Vec<_> = d.request.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    assert_eq!(headers, ["Content-Type: application/json", "X-API-CODE: <redacted>", "X-CHECKSUM: <redacted>"]);
    assert_eq!(d.request.body, r#"{"ids":"90000000139"}"#);

    clock.advance_ms(250);
    h.finish(id, Finish::ok(200, 250, response(r#"{"count":1}"#))).unwrap();
    let d = h.get(id).unwrap();
    assert_eq!(d.row.outcome, Outcome::Ok);
    assert_eq!(d.row.finished_at_ms, Some(T0 + 250));
    assert_eq!(d.row.duration_ms, Some(250));
    assert_eq!(d.row.http_status, Some(200));
    let resp = d.response.unwrap();
    assert_eq!(resp.body, r#"{"count":1}"#);
    assert_eq!(resp.headers[1].1, "<redacted>");

    // A finished row is final.
    let again = h.finish(id, failed(ErrorCode::ProviderRateLimited));
    assert_eq!(again.unwrap_err().code, ErrorCode::Internal);
    assert_eq!(h.get(id).unwrap().row.outcome, Outcome::Ok);
    assert_eq!(h.finish(9999, Finish::ok(200, 1, response("{}"))).unwrap_err().code, ErrorCode::Internal);

    // `pending` is not a way to finish.
    let id2 = h.begin(entry("ceffu", "query", "tx-1")).unwrap();
    let mut f = failed(ErrorCode::ProviderRateLimited);
    f.outcome = Outcome::Pending;
    assert_eq!(h.finish(id2, f).unwrap_err().code, ErrorCode::InputInvalid);

    // A failure keeps the code, its parameters and the provider's message.
    h.finish(id2, failed(ErrorCode::ProviderRateLimited)).unwrap();
    let d = h.get(id2).unwrap();
    let e = d.row.error.unwrap();
    assert_eq!(e.code, "provider.rate_limited");
    assert_eq!(e.params["limit"], 30);
    assert_eq!(e.detail.as_deref(), Some("Forbidden"));
    assert_eq!(d.row.provider_code.as_deref(), Some("112"));

    // Unknown: the request left, no answer came.
    let id3 = h.begin(entry("avista", "query", "x")).unwrap();
    h.finish(
        id3,
        Finish {
            outcome: Outcome::Unknown,
            http_status: None,
            provider_code: None,
            error: Some(Error::new(ErrorCode::NetworkTimeout)),
            duration_ms: Some(30_000),
            response: None,
            request: None,
        },
    )
    .unwrap();
    let d = h.get(id3).unwrap();
    assert_eq!(d.row.outcome, Outcome::Unknown);
    assert_eq!(d.response, None);
    assert_eq!(h.get(424242).unwrap_err().code, ErrorCode::InputInvalid);
}

#[test]
fn a_row_is_on_disk_when_begin_returns_and_a_crash_leaves_it_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (pending_id, done_id) = {
        let db = Db::open_in(dir.path()).unwrap();
        let h = History::with_clock(db, Arc::new(FixedClock::at_ms(T0))).owned_by(exited_process());
        let done = h.begin(entry("cybavo", "resend", "1")).unwrap();
        h.finish(done, Finish::ok(200, 5, response("{}"))).unwrap();
        let pending = h.begin(entry("cybavo", "resend", "2")).unwrap();
        // "Crash": the process goes away without finishing.
        std::mem::forget(h);
        (pending, done)
    };
    let db = Db::open_in(dir.path()).unwrap();
    let clock = FixedClock::at_ms(T0 + 60_000);
    let h = History::with_clock(db, Arc::new(clock.clone()));
    let fresh = h.begin(entry("cybavo", "resend", "3")).unwrap();
    assert_eq!(h.get(pending_id).unwrap().row.outcome, Outcome::Pending);

    // Recovery: only the pending rows of a process that is gone change; this process's own stay pending.
    assert_eq!(h.mark_stale_pending_unknown().unwrap(), 1);
    let d = h.get(pending_id).unwrap();
    assert_eq!(d.row.outcome, Outcome::Unknown);
    assert_eq!(d.row.finished_at_ms, Some(T0 + 60_000));
    let e = d.row.error.unwrap();
    assert_eq!(e.code, "history.interrupted");
    assert!(e.detail.unwrap().contains("may or may not"));
    assert_eq!(h.get(done_id).unwrap().row.outcome, Outcome::Ok);
    assert_eq!(h.get(fresh).unwrap().row.outcome, Outcome::Pending);
    // A late finish cannot overwrite the recovered row; a second recovery changes nothing.
    assert!(h.finish(pending_id, Finish::ok(200, 1, response("{}"))).is_err());
    assert_eq!(h.mark_stale_pending_unknown().unwrap(), 0);
    h.finish(fresh, Finish::ok(200, 1, response("{}"))).unwrap();
}

#[test]
fn every_filter() {
    let (h, clock, db) = history_at(T0);
    add_account(&db, 1, "CYBAVO main");
    add_account(&db, 2, "Ceffu 主账户");
    let mut ids = Vec::new();
    let specs: &[(&str, &str, Option<i64>, &str, Outcome)] = &[
        ("cybavo", "resend_notifications", Some(1), "90000000139 90000000140", Outcome::Ok),
        ("cybavo", "resend_deposit_callbacks", Some(1), "0xabc123def456 serial-77", Outcome::Failed),
        ("ceffu", "query_deposit", Some(2), "ORDER-2024-0001", Outcome::Ok),
        ("ceffu", "query_deposit", Some(2), "ORDER-2024-0002", Outcome::Unknown),
        ("avista", "resend", None, "txn_555", Outcome::Failed),
        ("ccpayment", "resend", None, "cc-order-9", Outcome::Pending),
    ];
    for (i, (provider, op, account, search, outcome)) in specs.iter().enumerate() {
        clock.set_ms(T0 + i as i64 * 1000);
        let mut e = entry(provider, op, search);
        e.account_id = *account;
        e.account_label = match account {
            Some(1) => "CYBAVO main".into(),
            Some(2) => "Ceffu 主账户".into(),
            _ => format!("{provider}, \"quoted\" label"),
        };
        e.job_id = (i < 2).then_some(7);
        let id = h.begin(e).unwrap();
        match outcome {
            Outcome::Ok => h.finish(id, Finish::ok(200, 9, response("{}"))).unwrap(),
            Outcome::Failed => h.finish(id, failed(ErrorCode::ProviderNotFound)).unwrap(),
            Outcome::Unknown => h
                .finish(
                    id,
                    Finish {
                        outcome: Outcome::Unknown,
                        http_status: None,
                        provider_code: None,
                        error: Some(Error::new(ErrorCode::NetworkTimeout)),
                        duration_ms: None,
                        response: None,
                        request: None,
                    },
                )
                .unwrap(),
            Outcome::Pending => {}
        }
        ids.push(id);
    }
    let check = |filter: HistoryFilter, expected: &[usize]| {
        let want: Vec<i64> = expected.iter().rev().map(|&i| ids[i]).collect();
        let got: Vec<i64> = h.page(&filter, None, 100).unwrap().rows.iter().map(|r| r.id).collect();
        assert_eq!(got, want, "{filter:?}");
        assert_eq!(h.count(&filter).unwrap(), expected.len() as u64, "{filter:?}");
    };
    check(HistoryFilter::default(), &[0, 1, 2, 3, 4, 5]);
    check(HistoryFilter { account_id: Some(2), ..Default::default() }, &[2, 3]);
    check(HistoryFilter { job_id: Some(7), ..Default::default() }, &[0, 1]);
    check(HistoryFilter { provider: Some("cybavo".into()), ..Default::default() }, &[0, 1]);
    check(HistoryFilter { operation: Some("query_deposit".into()), ..Default::default() }, &[2, 3]);
    check(HistoryFilter { outcome: Some(Outcome::Failed), ..Default::default() }, &[1, 4]);
    check(HistoryFilter { outcome: Some(Outcome::Pending), ..Default::default() }, &[5]);
    check(HistoryFilter { outcome: Some(Outcome::Unknown), ..Default::default() }, &[3]);
    check(HistoryFilter { provider: Some("ceffu".into()), outcome: Some(Outcome::Ok), ..Default::default() }, &[2]);
    // Date range: from inclusive, to exclusive.
    check(HistoryFilter { from_ms: Some(T0 + 1000), to_ms: Some(T0 + 3000), ..Default::default() }, &[1, 2]);
    check(HistoryFilter { from_ms: Some(T0 + 4000), ..Default::default() }, &[4, 5]);
    check(HistoryFilter { to_ms: Some(T0 + 1), ..Default::default() }, &[0]);
    // Text: whole ids, prefixes, several words, labels (also CJK), case-insensitive, punctuation.
    let text = |t: &str| HistoryFilter { text: Some(t.into()), ..Default::default() };
    check(text("90000000140"), &[0]);
    check(text("9000000013"), &[0]);
    check(text("0xABC123DEF456"), &[1]);
    check(text("serial-77"), &[1]);
    check(text("order-2024"), &[2, 3]);
    check(text("ORDER-2024-0002"), &[3]);
    check(text("txn_555"), &[4]);
    check(text("主账户"), &[2, 3]);
    check(text("cybavo main"), &[0, 1]);
    check(text("  "), &[0, 1, 2, 3, 4, 5]);
    check(text("nothing-like-this"), &[]);
    check(text("-- \"*"), &[]);
    check(text("\"90000000139\" OR x"), &[]);
    check(HistoryFilter { text: Some("order".into()), outcome: Some(Outcome::Unknown), ..Default::default() }, &[3]);
    check(
        HistoryFilter {
            text: Some("9000".into()),
            account_id: Some(1),
            provider: Some("cybavo".into()),
            operation: Some("resend_notifications".into()),
            outcome: Some(Outcome::Ok),
            from_ms: Some(T0),
            to_ms: Some(T0 + 1),
            job_id: Some(7),
            kind: None,
        },
        &[0],
    );

    // Deleting an account keeps its rows and their label; only the link goes.
    db.conn().execute("DELETE FROM accounts WHERE id = 2", []).unwrap();
    check(HistoryFilter { account_id: Some(2), ..Default::default() }, &[]);
    let d = h.get(ids[2]).unwrap();
    assert_eq!(d.row.account_id, None);
    assert_eq!(d.row.account_label, "Ceffu 主账户");
    check(text("主账户"), &[2, 3]);
}

/// "Resends only" is every provider's resend operations and nothing else (an operation's name alone can
/// be one provider's resend and another's look-up); a provider's operation is that provider's only.
#[test]
fn resends_only_and_one_providers_operation() {
    let (h, clock, _db) = history_at(T0);
    let specs: &[(&str, &str, &str)] = &[
        ("cybavo", "resend-withdrawal-callbacks", "notification_id=0 (all)"),
        ("cybavo", "query-callbacks", "ids=90000000139 (+2)"),
        ("ceffu", "resend-webhooks", "webhookId=1721442311151521794, eventType=4, resendFromDateTime=1733320800000"),
        ("ccpayment", "resend-webhooks", "start_timestamp=1733320800, end_timestamp=1733324400"),
        ("avista", "get-token", ""),
        ("avista", "resend-webhook", "transaction_identifier=E2E-1"),
    ];
    let mut ids = Vec::new();
    for (i, (provider, operation, scope)) in specs.iter().enumerate() {
        clock.set_ms(T0 + i as i64 * 1000);
        let mut e = entry(provider, operation, "x");
        e.scope = (*scope).into();
        let id = h.begin(e).unwrap();
        h.finish(id, Finish::ok(200, 9, response("{}"))).unwrap();
        ids.push(id);
    }
    let check = |filter: HistoryFilter, expected: &[usize]| {
        let want: Vec<i64> = expected.iter().rev().map(|&i| ids[i]).collect();
        assert_eq!(all_ids(&h, &filter, 2), want, "{filter:?}");
        assert_eq!(h.count(&filter).unwrap(), expected.len() as u64, "{filter:?}");
    };
    use callback_desk::providers::OperationKind;
    let resends = HistoryFilter { kind: Some(OperationKind::Resend), ..Default::default() };
    check(resends.clone(), &[0, 2, 3, 5]);
    check(HistoryFilter { kind: Some(OperationKind::Lookup), ..Default::default() }, &[1]);
    check(HistoryFilter { provider: Some("ccpayment".into()), ..resends.clone() }, &[3]);
    check(HistoryFilter { from_ms: Some(T0 + 2000), to_ms: Some(T0 + 4000), ..resends.clone() }, &[2, 3]);
    // With a text filter (its own paths) too.
    check(HistoryFilter { text: Some("x".into()), ..resends.clone() }, &[0, 2, 3, 5]);
    // One provider's operation: CCPayment's "resend-webhooks" is not Ceffu's.
    check(
        HistoryFilter {
            provider: Some("ccpayment".into()),
            operation: Some("resend-webhooks".into()),
            ..Default::default()
        },
        &[3],
    );
    // Scopes come back as params of the operation's fields.
    let page = h.page(&HistoryFilter::default(), None, 10).unwrap();
    let by_id = |i: usize| page.rows.iter().find(|r| r.id == ids[i]).unwrap();
    let ceffu = by_id(2).scope_params.as_ref().expect("a Ceffu scope reads back");
    assert_eq!(
        ceffu.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["webhookId", "eventType", "resendFromDateTime"]
    );
    assert!(by_id(0).scope_params.as_ref().unwrap()[0].broad);
    assert_eq!(by_id(1).scope_params.as_ref().unwrap()[0].more, 2);
    assert_eq!(by_id(4).scope_params.as_deref(), Some(&[][..]));
}

#[test]
fn keyset_paging_returns_every_row_once_with_ties() {
    let (h, clock, _db) = history_at(T0);
    // 2,600 rows, seven per millisecond, deliberately inserted out of time order; more text matches than
    // the few-matches path handles, so both text strategies page.
    let n = 2_600;
    for i in 0..n {
        let t = T0 + ((i * 37) % n) / 7;
        clock.set_ms(t);
        let search = if i % 2 == 0 { format!("even-{i}") } else { format!("odd-{i}") };
        let mut e = entry(if i % 3 == 0 { "ceffu" } else { "cybavo" }, "resend", &search);
        e.search_text = format!("{search} common");
        h.begin(e).unwrap();
    }
    for (filter, expected) in [
        (HistoryFilter::default(), n as usize),
        (HistoryFilter { provider: Some("ceffu".into()), ..Default::default() }, 867),
        (HistoryFilter { text: Some("even".into()), ..Default::default() }, 1300),
        (HistoryFilter { text: Some("common".into()), ..Default::default() }, n as usize),
        (HistoryFilter { text: Some("common".into()), provider: Some("ceffu".into()), ..Default::default() }, 867),
        (HistoryFilter { text: Some("common odd".into()), provider: Some("cybavo".into()), ..Default::default() }, 867),
    ] {
        for limit in [1, 7, 50, 500] {
            if limit == 1 && expected > 1000 {
                continue;
            }
            let got = all_ids(&h, &filter, limit);
            assert_eq!(got.len(), expected, "{filter:?} limit {limit}");
            let unique: HashSet<i64> = got.iter().copied().collect();
            assert_eq!(unique.len(), expected, "a row appeared twice: {filter:?} limit {limit}");
            // Newest first, ties by id descending.
            let keys: Vec<(i64, i64)> = got.iter().map(|&id| (h.get(id).unwrap().row.created_at_ms, id)).collect();
            assert!(keys.windows(2).all(|w| w[0] > w[1]), "{filter:?} limit {limit}");
            assert_eq!(h.count(&filter).unwrap(), expected as u64);
        }
    }
    // The limit is clamped to 1..=500.
    let page = h.page(&HistoryFilter::default(), None, 0).unwrap();
    assert_eq!(page.rows.len(), 1);
    let page = h.page(&HistoryFilter::default(), None, 100_000).unwrap();
    assert_eq!(page.rows.len(), 500);
}

#[test]
fn a_broad_text_filter_pages_by_walking_the_dates_in_chunks() {
    let (h, clock, _db) = history_at(T0);
    // 12,000 rows whose ids do not follow their times. 2,400 match "marker" (more than the few-matches
    // path takes), all among the oldest 3,000 rows, so a first page walks several chunks of newer rows
    // that do not match.
    let n: i64 = 12_000;
    for i in 0..n {
        let t = T0 + ((i * 7_919) % n);
        clock.set_ms(t);
        let old = t < T0 + 3_000;
        let search = if old && t % 5 != 0 { format!("marker-{i} s{i}") } else { format!("s{i}") };
        let provider = if i % 2 == 0 { "ceffu" } else { "cybavo" };
        h.begin(entry(provider, "resend", &search)).unwrap();
    }
    let text = |t: &str| HistoryFilter { text: Some(t.into()), ..Default::default() };
    let mut both = text("marker");
    both.provider = Some("ceffu".into());
    for (filter, expected) in [(text("marker"), 2_400usize), (both, 1_200), (text("marker s1"), 0)] {
        let expected = if filter.text.as_deref() == Some("marker s1") {
            // Word prefixes: "s1" matches s1, s10…, s1999… among the markers.
            h.count(&filter).unwrap() as usize
        } else {
            expected
        };
        for limit in [100, 500] {
            let got = all_ids(&h, &filter, limit);
            assert_eq!(got.len(), expected, "{filter:?} limit {limit}");
            let unique: HashSet<i64> = got.iter().copied().collect();
            assert_eq!(unique.len(), expected, "a row appeared twice: {filter:?}");
            let keys: Vec<(i64, i64)> = got.iter().map(|&id| (h.get(id).unwrap().row.created_at_ms, id)).collect();
            assert!(keys.windows(2).all(|w| w[0] > w[1]), "{filter:?} limit {limit}");
            for &id in &got {
                let d = h.get(id).unwrap();
                assert!(d.search_text.contains("marker"), "{id}: {}", d.search_text);
                if let Some(p) = &filter.provider {
                    assert_eq!(&d.row.provider, p);
                }
            }
        }
    }
    // A page that starts in the middle (cursor) still finds the next matches.
    let first = h.page(&text("marker"), None, 100).unwrap();
    let second = h.page(&text("marker"), first.next_cursor, 100).unwrap();
    assert_eq!(second.rows.len(), 100);
    assert!(second.rows[0].created_at_ms <= first.rows[99].created_at_ms);
    assert!(h.page(&text("zzz-nothing"), None, 100).unwrap().rows.is_empty());
}

#[test]
fn csv_export_escapes_and_never_contains_secrets() {
    let (h, clock, db) = history_at(T0);
    callback_desk::logging::register_secret(&callback_desk::secret::Secret::new("api-secret-canary-7f3a"));
    let mut e = entry("cybavo", "resend_notifications", "90000000139");
    e.account_label = "Merchant, \"Asia\"\n东京 支店".into();
    e.scope = "=HYPERLINK(\"http://evil\")".into();
    e.request.headers.push(("Sign".into(), "deadbeef".into()));
    e.request.body = r#"{"ids":[1,2],"note":"a,b \"c\"\nd","sign":"abcdef"}"#.into();
    let id1 = h.begin(e).unwrap();
    clock.advance_ms(10);
    h.finish(id1, Finish::ok(200, 10, response(r#"{"result":"成功","echo":"api-secret-canary-7f3a"}"#))).unwrap();
    clock.advance_ms(10);
    let id2 = h.begin(entry("ceffu", "query_deposit", "ORDER-1")).unwrap();
    clock.advance_ms(10);
    h.begin(entry("avista", "token", "-")).unwrap();

    // Plant secrets in a stored request as an older or faulty writer might have left them.
    db.conn()
        .execute(
            "UPDATE history_payload SET request = ?2 WHERE history_id = ?1",
            rusqlite::params![
                id2,
                serde_json::json!({
                    "method": "POST",
                    "url": "https://open.ceffu.io/open-api/v1/wallet/deposit/history?k=api-secret-canary-7f3a",
                    "headers": [
                        ["open-apikey", "planted-api-key-value"],
                        ["SIGNATURE", "planted-signature-value"],
                        ["authorization", "Bearer planted-token"],
                        ["X-SSL-Client-Cert", "planted-cert"],
                        ["x-checksum", "planted-checksum"],
                        ["X-Api-Code", "planted-api-code"],
                        ["sign", "planted-sign"],
                        ["Accept", "application/json"]
                    ],
                    "body": "{\"signature\":\"planted-body-sig\",\"client_secret\":\"planted-client-secret\",\"walletId\":1}"
                })
                .to_string()
            ],
        )
        .unwrap();

    let mut out = Vec::new();
    let mut calls = Vec::new();
    let n = h.export_csv(&HistoryFilter::default(), &mut out, |done, total| calls.push((done, total))).unwrap();
    assert_eq!(n, 3);
    assert_eq!(calls.first(), Some(&(0, 3)));
    assert_eq!(calls.last(), Some(&(3, 3)));
    assert!(out.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    for planted in [
        "planted",
        "api-secret-canary-7f3a",
        "deadbeef",
        "abcdef",
        "api-code-value",
        "0123456789abcdef",
        "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX",
    ] {
        assert!(!text.contains(planted), "{planted} leaked into the CSV");
    }
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 4);
    let header = &rows[0];
    assert_eq!(header[0], "id");
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();

    let planted_row = &rows[2];
    assert_eq!(planted_row[col("id")], id2.to_string());
    assert_eq!(
        planted_row[col("request_headers")],
        "open-apikey: <redacted>\nSIGNATURE: <redacted>\nauthorization: <redacted>\n\
         X-SSL-Client-Cert: <redacted>\nx-checksum: <redacted>\nX-Api-Code: <redacted>\n\
         sign: <redacted>\nAccept: application/json"
    );
    assert_eq!(
        planted_row[col("request_body")],
        r#"{"signature":"<redacted>","client_secret":"<redacted>","walletId":1}"#
    );
    assert!(planted_row[col("request_url")].ends_with("?k=<redacted>"));
    assert_eq!(planted_row[col("outcome")], "pending");
    assert_eq!(planted_row[col("response_body")], "");

    let first = &rows[3];
    assert_eq!(first[col("id")], id1.to_string());
    assert_eq!(first[col("account_label")], "Merchant, \"Asia\"\n东京 支店");
    assert_eq!(first[col("scope")], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(first[col("identifiers")], "90000000139");
    assert_eq!(first[col("created_at")], "2025-06-15T15:06:40.000Z");
    assert_eq!(first[col("outcome")], "ok");
    assert_eq!(first[col("http_status")], "200");
    assert_eq!(first[col("request_body")], r#"{"ids":[1,2],"note":"a,b \"c\"\nd","sign":"<redacted>"}"#);
    assert_eq!(first[col("response_body")], r#"{"result":"成功","echo":"<redacted>"}"#);
    assert!(first[col("response_headers")].contains("X-CHECKSUM: <redacted>"));
    assert!(first[col("request_headers")].contains("Sign: <redacted>"));
    // A cell that is only a minus sign is defused too.
    assert_eq!(rows[1][col("identifiers")], "'-");

    // A filtered export writes only the header when nothing matches, and the filter applies.
    let mut out = Vec::new();
    let filter = HistoryFilter { provider: Some("ceffu".into()), ..Default::default() };
    assert_eq!(h.export_csv(&filter, &mut out, |_, _| {}).unwrap(), 1);
    assert_eq!(parse_csv(std::str::from_utf8(&out[3..]).unwrap()).len(), 2);
    let mut out = Vec::new();
    let filter = HistoryFilter { text: Some("no-such-id".into()), ..Default::default() };
    assert_eq!(h.export_csv(&filter, &mut out, |_, _| {}).unwrap(), 0);
    assert_eq!(parse_csv(std::str::from_utf8(&out[3..]).unwrap()).len(), 1);
}

/// The readable export, for an auditor: headers and values in the window's language, times in the chosen
/// zone, operations and outcomes in words, what each action covered described through its fields, errors
/// in words; no request, response, raw provider text or registered secret.
#[test]
fn readable_export_speaks_the_windows_language() {
    use callback_desk::i18n::{Language, Zone};
    let (h, clock, _db) = history_at(1_733_320_805_000); // 04/12/2024 14:00:05 UTC
    callback_desk::logging::register_secret(&callback_desk::secret::Secret::new("readable-canary-91c2"));
    let mut e = entry("ceffu", "resend-webhooks", "1721442311151521794");
    e.account_label = "Ceffu main".into();
    e.scope = "webhookId=1721442311151521794, eventType=4, resendFromDateTime=1733320800000".into();
    e.request.body = r#"{"secret":"readable-canary-91c2"}"#.into();
    let ceffu = h.begin(e).unwrap();
    h.finish(ceffu, failed(ErrorCode::ProviderNotFound)).unwrap();
    clock.advance_ms(60_000);
    let mut e = entry("cybavo", "resend-withdrawal-callbacks", "0");
    e.scope = "notification_id=0 (all)".into();
    e.job_id = Some(12);
    let cybavo = h.begin(e).unwrap();
    h.finish(cybavo, Finish::ok(200, 9, response(r#"{"count":3}"#))).unwrap();
    clock.advance_ms(60_000);
    let mut e = entry("cybavo", "query-callbacks", "90000000139 90000000140 90000000141");
    e.scope = "ids=90000000139 (+2)".into();
    let lookup = h.begin(e).unwrap();
    h.finish(
        lookup,
        Finish {
            outcome: Outcome::Unknown,
            http_status: None,
            provider_code: None,
            error: Some(Error::new(ErrorCode::NetworkTimeout)),
            duration_ms: None,
            response: None,
            request: None,
        },
    )
    .unwrap();

    let export = |language: Language| {
        let mut out = Vec::new();
        let n = h.export_readable_csv(&HistoryFilter::default(), language, Zone::Utc, &mut out, |_, _| {}).unwrap();
        assert_eq!(n, 3);
        assert!(out.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        for raw in ["readable-canary-91c2", "Forbidden", "X-CHECKSUM", "POST", "https://", "api-code-value", "{"] {
            assert!(!text.contains(raw), "{raw} is in the readable export:\n{text}");
        }
        parse_csv(&text)
    };
    let en = export(Language::En);
    assert_eq!(
        en[0],
        [
            "Entry",
            "Time (UTC)",
            "Account",
            "Environment",
            "Provider",
            "Action",
            "What it covered",
            "Outcome",
            "Details",
            "Identifiers",
            "Bulk job"
        ]
    );
    // Newest first: the look-up, the CYBAVO resend, the Ceffu resend.
    let [_, l, c, f] = &en[..] else { panic!("{en:?}") };
    assert_eq!(f[0], ceffu.to_string());
    assert_eq!(f[1], "04/12/2024 14:00:05");
    assert_eq!(f[2], "Ceffu main");
    assert_eq!(f[3], "Sandbox");
    assert_eq!((f[4].as_str(), f[5].as_str()), ("Ceffu", "Resend failed webhooks"));
    assert_eq!(
        f[6],
        "Webhook endpoint ID: 1721442311151521794 · Event type: Withdrawal failed · Resend from: 04/12/2024 14:00:00"
    );
    assert_eq!(f[7], "Failed");
    assert_eq!(f[8], "The provider did not find what was asked for. Check the identifier.");
    assert_eq!(f[10], "");
    assert_eq!((c[1].as_str(), c[4].as_str()), ("04/12/2024 14:01:05", "CYBAVO SOFA"));
    assert_eq!(c[6], "Which callbacks: All callbacks that are still pending or failed");
    assert_eq!((c[7].as_str(), c[8].as_str(), c[10].as_str()), ("Succeeded", "", "#12"));
    assert_eq!(l[6], "Serial numbers: 90000000139 and 2 more");
    assert_eq!(l[7], "Unknown");
    assert_eq!(l[9], "90000000139 90000000140 90000000141");

    // The same rows in Chinese and Portuguese: their catalogs' words and date order.
    let zh = export(Language::ZhCn);
    let zh_catalog = callback_desk::i18n::Catalog::of(Language::ZhCn);
    assert_eq!(zh[0][7], zh_catalog.text("history.col.outcome"));
    assert_eq!(zh[3][1], "2024/12/04 14:00:05");
    assert_eq!(zh[3][7], zh_catalog.text("outcome.failed"));
    assert!(zh[3][6].contains(&zh_catalog.text("choices.ceffu.eventType.4")), "{}", zh[3][6]);
    // "Label：value" with the colon Chinese writes, not a Latin colon and a space.
    assert_eq!(zh[1][6], format!("{}：90000000139，另有 2 项", zh_catalog.text("ops.cybavo.ids.label")));
    let pt = export(Language::PtBr);
    let pt_catalog = callback_desk::i18n::Catalog::of(Language::PtBr);
    assert_eq!(pt[0][0], "Registro");
    assert_eq!(pt[3][1], "04/12/2024 14:00:05");
    assert_eq!(pt[2][7], pt_catalog.text("outcome.ok"));
    assert_eq!(pt[1][6], format!("{}: 90000000139 e mais 2", pt_catalog.text("ops.cybavo.ids.label")));

    // Filtered like the technical export: one account's resends.
    let mut out = Vec::new();
    let filter = HistoryFilter { kind: Some(callback_desk::providers::OperationKind::Resend), ..Default::default() };
    assert_eq!(h.export_readable_csv(&filter, Language::En, Zone::Utc, &mut out, |_, _| {}).unwrap(), 2);
}

#[test]
fn csv_export_streams_in_chunks() {
    let (h, clock, _db) = history_at(T0);
    for i in 0..4_500 {
        clock.set_ms(T0 + i / 3);
        h.begin(entry("cybavo", "resend", &format!("id-{i}"))).unwrap();
    }
    let mut out = Vec::new();
    let mut calls = Vec::new();
    let n = h.export_csv(&HistoryFilter::default(), &mut out, |d, t| calls.push((d, t))).unwrap();
    assert_eq!(n, 4_500);
    assert!(calls.len() >= 3, "{calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    let rows = parse_csv(std::str::from_utf8(&out[3..]).unwrap());
    assert_eq!(rows.len(), 4_501);
    let ids: HashSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), 4_500);
}

#[test]
fn retention_deletes_only_old_finished_rows() {
    let (h, clock, db) = history_at(T0 - 40 * DAY);
    let old_ok = h.begin(entry("cybavo", "resend", "old-ok")).unwrap();
    h.finish(old_ok, Finish::ok(200, 1, response("{}"))).unwrap();
    let crashed = h.clone().owned_by(exited_process());
    let old_pending = crashed.begin(entry("cybavo", "resend", "old-pending")).unwrap();
    let old_unknown = crashed.begin(entry("cybavo", "resend", "old-unknown")).unwrap();
    clock.set_ms(T0 - 29 * DAY);
    let recent = h.begin(entry("cybavo", "resend", "recent")).unwrap();
    h.finish(recent, failed(ErrorCode::ProviderNotFound)).unwrap();
    clock.set_ms(T0);
    assert_eq!(h.mark_stale_pending_unknown().unwrap(), 2);
    // Crash recovery made both old pending rows unknown; make one pending again to prove pending
    // rows are never deleted.
    db.conn()
        .execute("UPDATE history SET outcome = 'pending', finished_at_ms = NULL WHERE id = ?1", [old_pending])
        .unwrap();

    assert_eq!(h.apply_retention(0).unwrap_err().code, ErrorCode::InputInvalid);
    assert_eq!(h.apply_retention(30).unwrap(), 2);
    let left = all_ids(&h, &HistoryFilter::default(), 10);
    assert_eq!(left, vec![recent, old_pending]);
    assert!(h.get(old_ok).is_err());
    assert!(h.get(old_unknown).is_err());
    let payloads: i64 = db.conn().query_row("SELECT count(*) FROM history_payload", [], |r| r.get(0)).unwrap();
    assert_eq!(payloads, 2);
    let text = HistoryFilter { text: Some("old-ok".into()), ..Default::default() };
    assert_eq!(h.count(&text).unwrap(), 0);
    assert_eq!(h.apply_retention(30).unwrap(), 0);
    assert_eq!(h.apply_retention(1).unwrap(), 1);
    assert_eq!(all_ids(&h, &HistoryFilter::default(), 10), vec![old_pending]);
}

#[test]
fn types_serialize_as_the_ui_expects() {
    let filter: HistoryFilter =
        serde_json::from_value(serde_json::json!({"provider": "ceffu", "outcome": "failed", "text": null})).unwrap();
    assert_eq!(filter.provider.as_deref(), Some("ceffu"));
    assert_eq!(filter.outcome, Some(Outcome::Failed));
    let (h, _clock, _db) = history_at(T0);
    let id = h.begin(entry("cybavo", "resend", "1")).unwrap();
    let detail = serde_json::to_value(h.get(id).unwrap()).unwrap();
    assert_eq!(detail["outcome"], "pending");
    assert_eq!(detail["environment"], "sandbox");
    assert_eq!(detail["request"]["headers"][0], serde_json::json!(["Content-Type", "application/json"]));
    assert_eq!(detail["response"], serde_json::Value::Null);
    let page = serde_json::to_value(h.page(&filter, None, 10).unwrap()).unwrap();
    assert_eq!(page, serde_json::json!({"rows": [], "next_cursor": null}));
}

/// Seeds `n` rows straight into the tables (the way the app's inserts reach them, triggers included):
/// accounts with ASCII, accented and CJK labels, one renamed and one deleted account, sequential serials
/// (so a serial prefix picks a block of rows), hex hashes, order numbers, a few identifiers spelling a
/// label word or non-ASCII text. `shuffled` gives most rows a time unrelated to their id; otherwise the
/// clock is set back now and then.
fn seed_text_history(db: &Db, n: i64, shuffled: bool) {
    let labels = [
        (1, "cybavo", "CYBAVO Asia"),
        (2, "cybavo", "CYBAVO Europe"),
        (3, "ceffu", "Ceffu 主账户"),
        (4, "ceffu", "Café Europe"),
        (5, "avista", "Avista BR"),
        (6, "ccpayment", "CCPayment test"),
    ];
    let mut conn = db.conn();
    let tx = conn.transaction().unwrap();
    for (id, provider, label) in labels {
        tx.execute(
            "INSERT INTO accounts (id, provider, label, environment, base_url, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'sandbox', 'http://127.0.0.1', 0, 0)",
            rusqlite::params![id, provider, label],
        )
        .unwrap();
    }
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO history (id, job_id, created_at_ms, finished_at_ms, account_id, account_label, provider,
                    environment, operation, scope, search_text, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sandbox', ?8, '', ?9, ?10)",
            )
            .unwrap();
        for i in 0..n {
            // Account 1 gets most rows, account 6 (small) one in 13.
            let a = match i % 13 {
                0..=7 => 0,
                8 => 1,
                9 => 2,
                10 => 3,
                11 => 4,
                _ => 5,
            };
            let (account, provider, label) = labels[a];
            // Account 2 was renamed: its older rows keep the old label.
            let label = if account == 2 && i < n / 3 { "CYBAVO EU (old name)" } else { label };
            let created = if shuffled {
                T0 + (i * 7_919 % n) * 1000
            } else {
                // Mostly forward, with the clock set back by 150 rows' worth every 1,000 rows.
                T0 + i * 1000 - if i % 1000 >= 500 { 150_000 } else { 0 }
            };
            let outcome = match i % 97 {
                0 => "pending",
                1..=9 => "failed",
                _ => "ok",
            };
            let mut search = format!(
                "{} 0x{:012x} ORD-{:05}",
                90_000_000_000i64 + i,
                (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16,
                i % 20_000
            );
            if i % 501 == 0 {
                search.push_str(" europe-refund");
            }
            if i % 777 == 0 {
                search.push_str(" 订单号-88 Ünïcode");
            }
            let job = (i % 50 == 0).then_some(i / 2000);
            ins.execute(rusqlite::params![
                i + 1,
                job,
                created,
                (outcome != "pending").then_some(created + 5),
                Some(account),
                label,
                provider,
                if i % 2 == 0 { "resend" } else { "query" },
                search,
                outcome,
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    drop(conn);
    // Account 4 is deleted: its rows keep their label, lose the link.
    db.conn().execute("DELETE FROM accounts WHERE id = 4", []).unwrap();
}

/// The rows matching `filter`, newest first, by the plainest query (tests/common/history_reference.rs).
fn reference_ids(db: &Db, filter: &HistoryFilter, cursor: Option<Cursor>, limit: Option<usize>) -> Vec<i64> {
    let conn = db.conn();
    history_reference::index(&conn, "temp.reference");
    history_reference::ids(&conn, "temp.reference", filter, cursor, limit)
}

fn text_filters() -> Vec<HistoryFilter> {
    let text = |t: &str| HistoryFilter { text: Some(t.into()), ..Default::default() };
    let with = |t: &str, f: fn(&mut HistoryFilter)| {
        let mut filter = text(t);
        f(&mut filter);
        filter
    };
    vec![
        text("europe"),
        text("EUR"),
        text("cafe"),
        text("CAFÉ europe"),
        text("主账户"),
        text("主"),
        text("cybavo"),
        text("cybavo eu"),
        text("old name"),
        text("test"),
        text("br 9000000"),
        text("90000000017"),
        text("9000000"),
        text("90000001"),
        text("900000005"),
        text("0x"),
        text("0"),
        text("9"),
        text("e"),
        text("or"),
        text("ORD-1"),
        text("ord-00012"),
        text("refund"),
        text("europe refund"),
        text("订单号"),
        text("unicode"),
        text("ÜNÏ"),
        text("asia 0x"),
        text("europe 90000001"),
        text("zzzz"),
        text("--"),
        // A letter for Rust that the tokenizer keeps nothing of (a combining mark), alone and with a word.
        text("\u{345}"),
        text("europe \u{345}"),
        // More words than the page splits into classes: one condition per word.
        text(&["europe", "9000", "ord"].repeat(12).join(" ")),
        with("europe", |f| f.provider = Some("ceffu".into())),
        with("europe", |f| f.provider = Some("avista".into())),
        with("europe", |f| f.account_id = Some(1)),
        with("europe", |f| f.account_id = Some(2)),
        with("asia", |f| f.outcome = Some(Outcome::Pending)),
        with("cybavo", |f| f.outcome = Some(Outcome::Failed)),
        with("test", |f| f.outcome = Some(Outcome::Failed)),
        with("0x", |f| f.job_id = Some(3)),
        with("europe", |f| {
            f.from_ms = Some(T0 + 3_000_000);
            f.to_ms = Some(T0 + 9_000_000);
            f.operation = Some("resend".into());
        }),
        with("9000000 cybavo", |f| f.provider = Some("cybavo".into())),
    ]
}

fn check_text_filters(n: i64, shuffled: bool) {
    let (h, _clock, db) = history_at(T0);
    seed_text_history(&db, n, shuffled);
    let unordered: i64 = db.conn().query_row("SELECT count(*) FROM history_unordered", [], |r| r.get(0)).unwrap();
    assert!(if shuffled { unordered > 10_000 } else { unordered > 0 && unordered < 10_000 }, "{unordered}");
    for filter in text_filters() {
        let expected = reference_ids(&db, &filter, None, None);
        // The first page, and every page with a larger limit.
        let first: Vec<i64> = h.page(&filter, None, 100).unwrap().rows.iter().map(|r| r.id).collect();
        assert_eq!(first, expected.iter().copied().take(100).collect::<Vec<_>>(), "{filter:?}");
        assert_eq!(all_ids(&h, &filter, 500), expected, "{filter:?}");
        assert_eq!(h.count(&filter).unwrap() as usize, expected.len(), "{filter:?}");
        // From a cursor in the middle of the history.
        let mid = Cursor { created_at_ms: T0 + n / 2 * 1000, id: n / 2 };
        let got: Vec<i64> = h.page(&filter, Some(mid), 100).unwrap().rows.iter().map(|r| r.id).collect();
        assert_eq!(got, reference_ids(&db, &filter, Some(mid), Some(100)), "{filter:?} from the middle");
    }
}

#[test]
fn text_filter_pages_are_those_of_a_plain_fts5_query() {
    check_text_filters(24_000, false);
}

#[test]
fn text_filter_pages_are_those_of_a_plain_fts5_query_when_times_do_not_follow_ids() {
    check_text_filters(24_000, true);
}

/// The same actions recorded in `h`: plain, failed, pending, with secrets planted in a stored payload and
/// an unreadable one.
fn record_sample(h: &History, clock: &FixedClock, db: &Db, n: usize) {
    callback_desk::logging::register_secret(&callback_desk::secret::Secret::new("api-secret-canary-7f3a"));
    for i in 0..n {
        clock.set_ms(T0 + i as i64);
        let mut e = entry(["cybavo", "ceffu", "avista"][i % 3], "resend", &format!("9000{i} ORD-{i}"));
        e.account_label = ["Asia, \"main\"", "Europe", "=cmd"][i % 3].into();
        let id = h.begin(e).unwrap();
        match i % 4 {
            0 => h.finish(id, Finish::ok(200, 10, response(r#"{"echo":"api-secret-canary-7f3a","n":1}"#))).unwrap(),
            1 => h.finish(id, failed(ErrorCode::ProviderRateLimited)).unwrap(),
            _ => {}
        }
    }
    let conn = db.conn();
    conn.execute(
        "UPDATE history_payload SET request = ?1 WHERE history_id = 2",
        [r#"{"method":"POST","url":"https://x/?k=api-secret-canary-7f3a","headers":[["Sign","planted"]],"body":"{\"client_secret\":\"planted\"}"}"#],
    )
    .unwrap();
    conn.execute("UPDATE history_payload SET request = 'not json' WHERE history_id = 3", []).unwrap();
}

#[test]
fn csv_export_of_a_database_file_reads_a_snapshot_and_writes_what_memory_writes() {
    let dir = tempfile::tempdir().unwrap();
    let file_db = Db::open_file(&dir.path().join("history.sqlite3")).unwrap();
    let file_clock = FixedClock::at_ms(T0);
    let file = History::with_clock(file_db.clone(), Arc::new(file_clock.clone()));
    let (memory, memory_clock, memory_db) = history_at(T0);
    record_sample(&file, &file_clock, &file_db, 2_600);
    record_sample(&memory, &memory_clock, &memory_db, 2_600);
    let filters = [
        HistoryFilter::default(),
        HistoryFilter { outcome: Some(Outcome::Failed), ..Default::default() },
        HistoryFilter { text: Some("europe 9000".into()), ..Default::default() },
    ];
    for filter in &filters {
        let export = |h: &History| {
            let mut out = Vec::new();
            let mut calls = Vec::new();
            let n = h
                .export_csv(filter, &mut out, |d, t| {
                    if calls.is_empty() {
                        // A slow start on the writing side: the reader runs ahead and formats rows itself.
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                    calls.push((d, t))
                })
                .unwrap();
            (n, out, calls)
        };
        let (n, from_file, file_calls) = export(&file);
        let (m, from_memory, memory_calls) = export(&memory);
        assert_eq!(n, m, "{filter:?}");
        assert_eq!(from_file, from_memory, "{filter:?}");
        assert_eq!(file_calls, memory_calls, "{filter:?}");
        let text = String::from_utf8(from_file).unwrap();
        assert!(!text.contains("planted") && !text.contains("api-secret-canary-7f3a"));
        assert_eq!(parse_csv(&text[3..]).len() as u64, n + 1);
    }
    // The app's connection stays free during the export (an action can be recorded from the progress
    // callback), and a row recorded after the export started is not in it.
    let before = file.count(&HistoryFilter::default()).unwrap();
    let mut out = Vec::new();
    let mut added = 0;
    let n = file
        .export_csv(&HistoryFilter::default(), &mut out, |_, _| {
            if added < 3 {
                file.begin(entry("cybavo", "resend", "later")).unwrap();
                added += 1;
            }
        })
        .unwrap();
    assert_eq!(n, before);
    assert_eq!(file.count(&HistoryFilter::default()).unwrap(), before + 3);
    assert!(!String::from_utf8(out).unwrap().contains("later"));
}
