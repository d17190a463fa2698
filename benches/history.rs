//! History at a million rows: seed, pages (plain, filtered, by text, deep), counts, CSV exports, and the
//! app's start-up (`Store::open`) over the full database next to an empty one.
//!
//! `cargo bench -p callback-desk --bench history`. Prints numbers (first call, median and worst of
//! `HISTORY_BENCH_RUNS`, default 7; exports `HISTORY_BENCH_EXPORT_RUNS` times, default 3, with their CPU
//! time); the only thing it asserts is that every text-filtered page it times has exactly the rows of a
//! plain FTS5 query over identifiers and label. Targets: a page under 50 ms, an export under 5 s.
//! `HISTORY_BENCH_ROWS` sets another size; `HISTORY_BENCH_DIR` keeps the seeded database in that folder
//! and reuses it (seeding a million rows takes minutes); `HISTORY_BENCH_PARTS` picks among
//! `pages,counts,export,writes,startup` (the last two change the database).

use callback_desk::clock::FixedClock;
use callback_desk::db::{Db, DB_FILE};
use callback_desk::history::{
    Cursor, Environment, Finish, History, HistoryFilter, NewEntry, Outcome, RecordedRequest, RecordedResponse,
};
use callback_desk::store::Store;
use callback_desk::vault::MemoryStore;
use rusqlite::params;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/common/history_reference.rs"]
mod history_reference;

const DAY: i64 = 86_400_000;
const START: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z

const PROVIDERS: &[(&str, &[&str])] = &[
    ("cybavo", &["resend_notifications", "resend_deposit_callbacks", "query_callbacks"]),
    ("ceffu", &["query_deposit", "query_withdrawal"]),
    ("avista", &["resend_webhook", "query_transaction"]),
    ("ccpayment", &["resend_webhook", "query_order"]),
];

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `f` once cold and then `HISTORY_BENCH_RUNS` times (default 7); prints the first, the median and
/// the worst of the repeated runs.
fn time<T>(label: &str, mut f: impl FnMut() -> T, describe: impl Fn(&T) -> String) -> T {
    let runs: usize = std::env::var("HISTORY_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(7).max(1);
    let t = Instant::now();
    let first = f();
    let cold = t.elapsed();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = f();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label:<48} first {:>10}  median {:>10}  worst {:>10}  {}",
        ms(cold),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        describe(&first)
    );
    first
}

/// CPU time this process has used so far (all threads), where the system tells it.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

fn size_of(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

fn seed(db: &Db, rows: i64) {
    let mut conn = db.conn();
    let tx = conn.transaction().unwrap();
    for (i, (provider, _)) in PROVIDERS.iter().enumerate() {
        for k in 0..2 {
            tx.execute(
                "INSERT INTO accounts (id, provider, label, environment, base_url, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'production', 'https://api.example', 0, 0)",
                params![(i * 2 + k + 1) as i64, provider, format!("{provider} merchant {}", ["Asia", "Europe"][k])],
            )
            .unwrap();
        }
    }
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO history (id, job_id, created_at_ms, finished_at_ms, account_id, account_label,
                    provider, environment, operation, scope, search_text, outcome, http_status,
                    provider_code, error_code, error_params, error_detail, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'production', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )
            .unwrap();
        let mut payload =
            tx.prepare("INSERT INTO history_payload (history_id, request, response) VALUES (?1, ?2, ?3)").unwrap();
        let step = 365 * DAY / rows; // a year of history; every other row shares its millisecond
        for i in 0..rows {
            let id = i + 1;
            let p = (i % 7).min(3) as usize; // cybavo gets most of the traffic
            let (provider, ops) = PROVIDERS[p];
            let op = ops[(i / 7) as usize % ops.len()];
            let account = (p * 2 + (i / 3 % 2) as usize + 1) as i64;
            let label = format!("{provider} merchant {}", ["Asia", "Europe"][(i / 3 % 2) as usize]);
            let created = START + (i / 2) * 2 * step;
            let r = (i.wrapping_mul(2_654_435_761)) % 1000;
            let outcome = match r {
                0 => "pending",
                1..=40 => "unknown",
                41..=140 => "failed",
                _ => "ok",
            };
            let finished = (outcome != "pending").then_some(created + 150 + r);
            let (status, error_code, error_detail): (Option<i64>, Option<&str>, Option<&str>) = match outcome {
                "ok" => (Some(200), None, None),
                "failed" => {
                    (Some(403), Some("provider.rate_limited"), Some("Forbidden. Call too frequently (30 calls/minute)"))
                }
                "unknown" => (None, Some("network.timeout"), None),
                _ => (None, None, None),
            };
            let serial = 90_000_000_000i64 + i;
            let tx_hash = format!("0x{:016x}{:016x}", (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15), i as u64);
            let search = format!("{serial} {tx_hash} ORD-{:08}", i * 3);
            let job = (i % 50 == 0).then_some(i / 5000);
            ins.execute(params![
                id,
                job,
                created,
                finished,
                account,
                label,
                provider,
                op,
                format!("{serial} (+{})", r % 100),
                search,
                outcome,
                status,
                error_code.map(|_| "112"),
                error_code,
                error_code.map(|_| "{\"limit\":30}"),
                error_detail,
                finished.map(|f| f - created),
            ])
            .unwrap();
            let request = format!(
                r#"{{"method":"POST","url":"https://api.example/v1/sofa/wallets/{account}/notifications/resend?t={}&r=Ab3dE6gH","headers":[["Content-Type","application/json"],["X-API-CODE","<redacted>"],["X-CHECKSUM","<redacted>"]],"body":"{{\"serial\":{serial},\"txid\":\"{tx_hash}\"}}"}}"#,
                created / 1000
            );
            let response = status.map(|s| {
                format!(
                    r#"{{"status":{s},"headers":[["Content-Type","application/json"],["X-CHECKSUM","<redacted>"]],"body":"{{\"count\":{}}}","elapsed_ms":{}}}"#,
                    r % 5,
                    150 + r
                )
            });
            payload.execute(params![id, request, response]).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn main() {
    let rows: i64 = std::env::var("HISTORY_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    // What to measure: any of pages, counts, export, writes, startup (comma separated; default all).
    // `writes` and `startup` change the database (new rows, retention, crash recovery).
    let parts = std::env::var("HISTORY_BENCH_PARTS").unwrap_or_else(|_| "pages,counts,export,writes,startup".into());
    let part = |p: &str| parts.split(',').any(|x| x.trim() == p);
    // `HISTORY_BENCH_DIR` keeps the seeded database in that folder and reuses it on the next run (seeding
    // a million rows takes a while); by default it lives in a temporary folder.
    let temp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("HISTORY_BENCH_DIR") {
        Some(d) => {
            std::fs::create_dir_all(&d).unwrap();
            std::path::PathBuf::from(d)
        }
        None => temp.path().to_owned(),
    };
    // The app's file name in its own folder, so `Store::open` on the folder opens this database.
    let path = dir.join(DB_FILE);
    let t = Instant::now();
    let db = Db::open_file(&path).unwrap();
    let opened = t.elapsed();
    let existing: i64 = db.conn().query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap();
    println!("history bench: {rows} rows in {}", path.display());

    if existing == 0 {
        let t = Instant::now();
        seed(&db, rows);
        println!("{:<48} {:>10}", "seed (one transaction, prepared statements)", ms(t.elapsed()));
        let t = Instant::now();
        db.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        println!("{:<48} {:>10}", "checkpoint", ms(t.elapsed()));
    } else {
        println!("{:<48} {:>10}", "reusing the seeded database", format!("{existing} rows"));
        println!("{:<48} {:>10}", "Db::open (migrations, if any)", ms(opened));
    }
    println!("{:<48} {:>10}", "database file", mb(size_of(&path)));

    let clock = FixedClock::at_ms(START + 366 * DAY);
    let t = Instant::now();
    let h = History::with_clock(db.clone(), Arc::new(clock.clone()));
    println!("{:<48} {:>10}", "History::new (PRAGMA optimize)", ms(t.elapsed()));
    let page_desc = |p: &callback_desk::history::HistoryPage| format!("{} rows", p.rows.len());
    let f = |build: fn(&mut HistoryFilter)| {
        let mut filter = HistoryFilter::default();
        build(&mut filter);
        filter
    };
    let text = |t: &str| HistoryFilter { text: Some(t.into()), ..Default::default() };

    let filters: Vec<(&str, HistoryFilter)> = vec![
        ("provider", f(|f| f.provider = Some("ceffu".into()))),
        (
            "provider + outcome",
            f(|f| {
                f.provider = Some("cybavo".into());
                f.outcome = Some(Outcome::Failed);
            }),
        ),
        (
            "provider + rare outcome (pending)",
            f(|f| {
                f.provider = Some("avista".into());
                f.outcome = Some(Outcome::Pending);
            }),
        ),
        ("outcome unknown", f(|f| f.outcome = Some(Outcome::Unknown))),
        ("account", f(|f| f.account_id = Some(4))),
        ("operation", f(|f| f.operation = Some("query_withdrawal".into()))),
        ("job", f(|f| f.job_id = Some(77))),
        (
            "date range (March)",
            f(|f| {
                f.from_ms = Some(START + 59 * DAY);
                f.to_ms = Some(START + 90 * DAY);
            }),
        ),
        (
            "date range + provider + outcome",
            f(|f| {
                f.from_ms = Some(START + 59 * DAY);
                f.to_ms = Some(START + 90 * DAY);
                f.provider = Some("ceffu".into());
                f.outcome = Some(Outcome::Failed);
            }),
        ),
        ("text: one serial", text("90000500007")),
        (
            "text: tx hash prefix",
            text(&("0x".to_owned() + &format!("{:016x}", 123_456u64.wrapping_mul(0x9E37_79B9_7F4A_7C15))[..12])),
        ),
        (
            "text: serial + provider",
            f(|f| {
                f.text = Some("90000500007".into());
                f.provider = Some("cybavo".into());
            }),
        ),
        ("text: serial prefix (1,000 rows)", text("900009990")),
        ("text: label words (~71k rows)", text("ceffu europe")),
        (
            "text: label words + outcome failed",
            f(|f| {
                f.text = Some("ceffu europe".into());
                f.outcome = Some(Outcome::Failed);
            }),
        ),
        ("text: no match", text("zzzzzz")),
        ("text: label word in every row", text("merchant")),
        ("text: label word (~57%)", text("cybavo")),
        ("text: label word prefix (50%)", text("eur")),
        ("text: serial prefix (every row)", text("9000")),
        ("text: hash prefix (every row)", text("0x")),
        ("text: serial prefix (10,000 rows)", text("9000012")),
        ("text: label word + serial prefix", text("europe 9000012")),
        ("text: label word + hash prefix", text("asia 0x")),
        (
            "text: label word + other provider (none)",
            f(|f| {
                f.text = Some("ceffu".into());
                f.provider = Some("cybavo".into());
            }),
        ),
        (
            "text: label word + other account (none)",
            f(|f| {
                f.text = Some("europe".into());
                f.account_id = Some(3);
            }),
        ),
        (
            "text: label word + its account",
            f(|f| {
                f.text = Some("europe".into());
                f.account_id = Some(4);
            }),
        ),
        (
            "text: label word + rare outcome (pending)",
            f(|f| {
                f.text = Some("asia".into());
                f.outcome = Some(Outcome::Pending);
            }),
        ),
        (
            "text: label word + date range + provider",
            f(|f| {
                f.text = Some("europe".into());
                f.from_ms = Some(START + 59 * DAY);
                f.to_ms = Some(START + 90 * DAY);
                f.provider = Some("avista".into());
            }),
        ),
        (
            "text: label word + job",
            f(|f| {
                f.text = Some("merchant".into());
                f.job_id = Some(77);
            }),
        ),
    ];
    let mid = Cursor { created_at_ms: START + 182 * DAY, id: rows / 2 };
    let first = h.page(&HistoryFilter::default(), None, 100).unwrap();

    if part("pages") {
        println!("-- same rows as the reference query (first page and one from the middle)");
        let t = Instant::now();
        history_reference::index(&db.conn(), "bench_reference");
        println!("{:<48} {:>10}", "reference index (bench only)", ms(t.elapsed()));
        let mut checked = 0;
        for (name, filter) in &filters {
            for cursor in [None, Some(mid)] {
                let got: Vec<i64> = h.page(filter, cursor, 100).unwrap().rows.iter().map(|r| r.id).collect();
                assert_eq!(
                    got,
                    history_reference::ids(&db.conn(), "bench_reference", filter, cursor, Some(100)),
                    "{name} from {cursor:?}"
                );
                checked += 1;
            }
        }
        println!("{:<48} {:>10}", "pages compared", checked);

        println!("-- pages of 100 rows");
        time("first page, unfiltered", || h.page(&HistoryFilter::default(), None, 100).unwrap(), page_desc);
        for (name, filter) in &filters {
            time(name, || h.page(filter, None, 100).unwrap(), page_desc);
        }
        println!("-- deep pages via cursor");
        time("unfiltered, from the middle", || h.page(&HistoryFilter::default(), Some(mid), 100).unwrap(), page_desc);
        time("provider + outcome, from the middle", || h.page(&filters[1].1, Some(mid), 100).unwrap(), page_desc);
        time("text label words, from the middle", || h.page(&filters[13].1, Some(mid), 100).unwrap(), page_desc);
        let mut cursor = first.next_cursor;
        let t = Instant::now();
        for _ in 0..100 {
            cursor = h.page(&HistoryFilter::default(), cursor, 100).unwrap().next_cursor;
        }
        println!("{:<48} {:>10}", "100 consecutive pages (scrolling), each", ms(t.elapsed() / 100));
    }

    if part("counts") {
        println!("-- counts");
        time("count unfiltered", || h.count(&HistoryFilter::default()).unwrap(), |n| format!("{n} rows"));
        for i in [0, 1, 3, 7, 9, 13, 16, 19, 24, 25] {
            let (name, filter) = &filters[i];
            time(&format!("count {name}"), || h.count(filter).unwrap(), |n| format!("{n} rows"));
        }
    }

    if part("export") {
        println!("-- CSV export");
        let runs: usize = std::env::var("HISTORY_BENCH_EXPORT_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
        for (name, filter) in [
            ("outcome failed", f(|f| f.outcome = Some(Outcome::Failed))),
            ("text: label words", text("ceffu europe")),
            ("all rows", HistoryFilter::default()),
        ] {
            let out = dir.join("export.csv");
            let mut times = Vec::new();
            let mut cpu = Vec::new();
            let (mut n, mut calls) = (0, 0u32);
            for _ in 0..runs.max(1) {
                let file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&out).unwrap());
                calls = 0;
                let (t, c) = (Instant::now(), cpu_time());
                n = h.export_csv(&filter, file, |_, _| calls += 1).unwrap();
                times.push(t.elapsed());
                if let (Some(c), Some(now)) = (c, cpu_time()) {
                    cpu.push(now - c);
                }
            }
            cpu.sort();
            let size = size_of(&out);
            std::fs::remove_file(&out).unwrap();
            times.sort();
            println!(
                "{:<48} median {:>10}  worst {:>10}  {n} rows, {}, {calls} progress calls, CPU (both threads) {}",
                format!("export {name}"),
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1]),
                mb(size),
                cpu.get(cpu.len() / 2).map(|c| ms(*c)).unwrap_or_else(|| "?".into())
            );
        }
    }

    if part("writes") {
        println!("-- writes on the full database");
        let entry = || NewEntry {
            job_id: None,
            account_id: Some(1),
            account_label: "cybavo merchant Asia".into(),
            provider: "cybavo".into(),
            environment: Environment::Production,
            operation: "resend_notifications".into(),
            scope: "notification_id=0 (all)".into(),
            search_text: "90000000139".into(),
            request: RecordedRequest {
                method: "POST".into(),
                url: "https://api.example/v1/sofa/wallets/1/notifications/resend".into(),
                headers: vec![("X-CHECKSUM".into(), "abc".into())],
                body: "{\"notification_id\":0}".into(),
            },
        };
        let (mut begin, mut finish) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..100 {
            let t = Instant::now();
            let id = h.begin(entry()).unwrap();
            begin += t.elapsed();
            let t = Instant::now();
            h.finish(
                id,
                Finish::ok(
                    200,
                    100,
                    RecordedResponse { status: 200, headers: vec![], body: "{\"count\":3}".into(), elapsed_ms: 100 },
                ),
            )
            .unwrap();
            finish += t.elapsed();
        }
        println!("{:<48} {:>10}", "begin (synchronous = FULL), each", ms(begin / 100));
        println!("{:<48} {:>10}", "finish (synchronous = NORMAL), each", ms(finish / 100));
        let t = Instant::now();
        let n = h.mark_stale_pending_unknown().unwrap();
        println!("{:<48} {:>10}  {n} rows", "mark_stale_pending_unknown", ms(t.elapsed()));
        let t = Instant::now();
        let n = h.apply_retention(335).unwrap();
        println!("{:<48} {:>10}  {n} rows", "apply_retention (oldest month)", ms(t.elapsed()));
    }

    if !part("startup") {
        return;
    }
    println!("-- start-up: Store::open (migrations, PRAGMA optimize, crash recovery, bulk jobs)");
    // Leave 1,000 rows pending, as a crash in the middle of a bulk job would.
    let pending = db
        .conn()
        .execute("UPDATE history SET outcome = 'pending', finished_at_ms = NULL WHERE id % 1000 = 0", [])
        .unwrap();
    let open = |dir: &std::path::Path| {
        let t = Instant::now();
        let store = Store::open(dir, Arc::new(MemoryStore::default()), Arc::new(clock.clone())).unwrap();
        let took = t.elapsed();
        drop(store);
        took
    };
    let empty = tempfile::tempdir().unwrap();
    let empty_first = open(empty.path());
    let empty_again = open(empty.path());
    let full_recovering = open(&dir);
    let full_again = open(&dir);
    println!("{:<48} {:>10}", "Store::open, empty (creates the database)", ms(empty_first));
    println!("{:<48} {:>10}", "Store::open, empty (again)", ms(empty_again));
    println!("{:<48} {:>10}  {pending} rows recovered", "Store::open, full (crash recovery)", ms(full_recovering));
    println!("{:<48} {:>10}", "Store::open, full (again)", ms(full_again));
}
