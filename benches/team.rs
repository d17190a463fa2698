//! The team workspace's costs against a real PostgreSQL server, with members as the product runs them.
//!
//! `scripts/with-desktop-session.sh scripts/with-postgres.sh cargo bench --bench team` (the members'
//! keyrings need a D-Bus session tool; PostgreSQL the throwaway server). Prints numbers; asserts nothing
//! about time. Parts (`TEAM_BENCH_PARTS`, default all of `resend,trail,budget`):
//!
//! - **resend**: a resend in team mode next to the same resend solo, each a whole `callback-desk-cli call`
//!   process on a stored sandbox account (`TEAM_BENCH_RUNS` pairs, default 40; solo then team in each pair).
//!   Target: team adds < 50 ms p95 over solo.
//! - **trail**: a page of the team's trail (`history list --team`, `team::trail::page`) over
//!   `TEAM_BENCH_ROWS` rows (default 1,000,000) of 20 members, as an admin and as a viewer (row-level
//!   security), plain, deep, and filtered. Target: < 50 ms a page.
//! - **budget**: 20 members reserving one shared budget at once, each on its own connection as its own login
//!   role, for `TEAM_BENCH_SECONDS` (default 15) against 300 calls a minute: decisions a second, calls
//!   granted, and calls over the limit in any sliding minute (target 0).

#[path = "../tests/common/team_env.rs"]
mod team_env;

use callback_desk::clock::{Clock, SystemClock};
use callback_desk::limits::{LimitSettings, Reservation};
use callback_desk::providers::budget::Budget;
use callback_desk::providers::OperationKind;
use callback_desk::team::connect::Endpoint;
use callback_desk::team::trail::{page, TrailFilter};
use callback_desk::team::trail_csv::{export, TrailCsv};
use callback_desk::team::{Team, TeamConfig};
use serde_json::Value;
use std::time::{Duration, Instant};
use team_env::{invite_credentials, superuser, team_database, Member, Sandbox};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// (median, 95th percentile, worst) of `ms`.
fn spread(ms: &mut [f64]) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), ms[ms.len() - 1])
}

/// A member invited by `admin` with `role`, connected with the invitation's credentials (no installation).
async fn invited(admin: &Member, name: &str, role: &str) -> Team {
    let code = admin.ok(&["team", "invite", "--member", name, "--role", role]);
    let c = invite_credentials(code.trim());
    let endpoint = Endpoint {
        host: c["host"].as_str().unwrap().to_owned(),
        port: c["port"].as_u64().unwrap() as u16,
        dbname: c["dbname"].as_str().unwrap().to_owned(),
        user: c["user"].as_str().unwrap().to_owned(),
    };
    let config = TeamConfig { endpoint, member: name.to_owned(), joined_at_ms: 0 };
    Team::connect(config, c["password"].as_str().unwrap(), &Default::default()).await.unwrap()
}

/// The sandbox's CYBAVO account with the simulator's own limit as its agreed budget (60 calls a minute).
fn add_cybavo(member: &Member, sandbox: &Sandbox) -> String {
    let file = member.data.path().join("cybavo-account.json");
    let mut account = sandbox.accounts["cybavo"].clone();
    account["calls_per_minute"] = 60.into();
    std::fs::write(&file, account.to_string()).unwrap();
    member.ok(&["accounts", "add", "--account", file.to_str().unwrap(), "--label", "Cybavo bench"]).trim().to_owned()
}

fn resend(admin: &Member) {
    let runs: usize = env_or("TEAM_BENCH_RUNS", 40);
    // A simulator each, so that the solo and the team installation each have the simulator's whole budget.
    let (solo_sandbox, team_sandbox) = (Sandbox::start(), Sandbox::start());
    let solo = Member::new();
    let (solo_id, team_id) = (add_cybavo(&solo, &solo_sandbox), add_cybavo(admin, &team_sandbox));
    let timed = |m: &Member, id: &str| loop {
        let params = r#"{"notification_id": 90000000001}"#;
        let started = Instant::now();
        let (code, out, err) =
            m.cli(&["call", "--account-id", id, "--operation", "resend-deposit-callbacks", "--params", params]);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if code == 0 {
            return ms;
        }
        // Over the budget (more than 60 runs a minute): nothing was sent; wait, untimed, and run again.
        let refused: Value = serde_json::from_str(err.lines().last().unwrap_or("{}")).unwrap_or(Value::Null);
        let wait = refused["error"]["params"]["wait_seconds"].as_u64();
        assert!(refused["error"]["code"] == "budget.wait" && wait.is_some(), "the resend did not go: {out} {err}");
        std::thread::sleep(Duration::from_secs(wait.unwrap_or(1)));
    };
    // One uncounted pair: first runs fill caches.
    timed(&solo, &solo_id);
    timed(admin, &team_id);
    let (mut solo_ms, mut team_ms, mut extra) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let s = timed(&solo, &solo_id);
        let t = timed(admin, &team_id);
        solo_ms.push(s);
        team_ms.push(t);
        extra.push(t - s);
    }
    let (s50, s95, _) = spread(&mut solo_ms);
    let (t50, t95, _) = spread(&mut team_ms);
    let (e50, e95, _) = spread(&mut extra);
    println!("resend, whole CLI process, {runs} pairs: solo p50 {s50:.1} ms, p95 {s95:.1} ms; team p50 {t50:.1} ms, p95 {t95:.1} ms");
    println!("resend: team minus solo within a pair p50 {e50:.1} ms, p95 {e95:.1} ms (target < 50 ms p95)");
}

async fn trail(admin: &Member, dbname: &str) {
    let rows: i64 = env_or("TEAM_BENCH_ROWS", 1_000_000);
    let runs: usize = env_or("TEAM_BENCH_RUNS", 40).min(20);
    let auditor = invited(admin, "auditor", "admin").await;
    let viewer = invited(admin, "viewer", "viewer").await;
    for i in 0..18 {
        invited(admin, &format!("member{i:02}"), "operator").await;
    }
    // The rows as members' pushes would have left them (hashes not chained: this measures reading).
    let dba = superuser(dbname).await;
    let started = Instant::now();
    dba.batch_execute(&format!(
        "INSERT INTO callback_desk.audit (origin, member, at, received_at, account_id, account_label, provider,
             environment, kind, operation, scope, outcome, http_status, error_code, duration_ms, payload,
             prev_hash, hash)
         SELECT m.name || '/bench/' || g, m.name, now() - (({rows} - g) || ' seconds')::interval, now(), NULL,
             'Merchant ' || (g % 7), (ARRAY['cybavo','ceffu','avista','ccpayment'])[1 + g % 4], 'production',
             'action', 'resend-deposit-callbacks', 'serial ' || (90000000000 + g),
             CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 97 = 0 THEN 'unknown' ELSE 'ok' END, 200, NULL, 40, NULL,
             '\\x00'::bytea, '\\x00'::bytea
         FROM generate_series(1, {rows}) g,
              (SELECT array_agg(name ORDER BY name) AS names FROM callback_desk.members) all_members
         CROSS JOIN LATERAL (SELECT all_members.names[1 + g % array_length(all_members.names, 1)] AS name) m;
         ANALYZE callback_desk.audit;"
    ))
    .await
    .unwrap();
    println!("trail: {rows} rows of 21 members seeded in {:.1} s", started.elapsed().as_secs_f64());
    let max_id: i64 = dba.query_one("SELECT max(id) FROM callback_desk.audit", &[]).await.unwrap().get(0);

    let cases: Vec<(&str, &Team, TrailFilter, Option<i64>)> = vec![
        ("admin, first page", &auditor, TrailFilter::default(), None),
        ("admin, a page half-way down", &auditor, TrailFilter::default(), Some(max_id - rows / 2)),
        ("admin, one member", &auditor, TrailFilter { member: Some("member07".into()), ..Default::default() }, None),
        ("admin, failed only", &auditor, TrailFilter { outcome: Some("failed".into()), ..Default::default() }, None),
        ("admin, unknown only", &auditor, TrailFilter { outcome: Some("unknown".into()), ..Default::default() }, None),
        ("admin, one provider", &auditor, TrailFilter { provider: Some("avista".into()), ..Default::default() }, None),
        (
            "admin, a provider no row names",
            &auditor,
            TrailFilter { provider: Some("fireblocks".into()), ..Default::default() },
            None,
        ),
        (
            "admin, resends only",
            &auditor,
            TrailFilter { kind: Some(OperationKind::Resend), ..Default::default() },
            None,
        ),
        (
            "admin, look-ups only (no row is one)",
            &auditor,
            TrailFilter { kind: Some(OperationKind::Lookup), ..Default::default() },
            None,
        ),
        (
            "admin, words (a serial)",
            &auditor,
            TrailFilter { text: Some(format!("{}", 90000000000 + rows - 5000)), ..Default::default() },
            None,
        ),
        (
            "admin, a word most rows hold",
            &auditor,
            TrailFilter { text: Some("Merchant".into()), ..Default::default() },
            None,
        ),
        (
            "admin, words no row holds",
            &auditor,
            TrailFilter { text: Some("PAG-2024-0001".into()), ..Default::default() },
            None,
        ),
        ("viewer (row-level security: own rows only), first page", &viewer, TrailFilter::default(), None),
    ];
    for (name, team, filter, before) in cases {
        let first = Instant::now();
        let got = page(team, &filter, before, 50).await.unwrap();
        let first_ms = first.elapsed().as_secs_f64() * 1000.0;
        let mut ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            page(team, &filter, before, 50).await.unwrap();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, p95, worst) = spread(&mut ms);
        println!(
            "trail page of 50 ({name}): {} rows, first {first_ms:.1} ms, p50 {p50:.1} ms, p95 {p95:.1} ms, worst {worst:.1} ms (target < 50 ms)",
            got.rows.len()
        );
    }
    // The whole trail as CSV for an auditor, in words, page after page: time, and this process's peak memory.
    let peak_before = peak_rss_kib();
    for (name, format) in [
        ("technical", TrailCsv::Technical),
        ("readable", TrailCsv::Readable(callback_desk::i18n::Language::En, callback_desk::i18n::Zone::Utc)),
    ] {
        let t = Instant::now();
        let mut out = CountingSink(0);
        let written = export(&auditor, &TrailFilter::default(), format, &mut out, |_| {}).await.unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "trail export ({name}): {written} rows, {:.1} MB of CSV in {s:.1} s ({:.0} rows a second), peak memory of this process {} → {} MiB",
            out.0 as f64 / 1e6,
            written as f64 / s,
            peak_before / 1024,
            peak_rss_kib() / 1024
        );
    }
}

/// Counts what is written and keeps nothing.
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// This process's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn budget(admin: &Member, dbname: &str) {
    const MEMBERS: usize = 20;
    const PER_MINUTE: u32 = 300;
    let seconds: u64 = env_or("TEAM_BENCH_SECONDS", 15);
    let mut teams = Vec::new();
    for i in 0..MEMBERS {
        teams.push(invited(admin, &format!("reserver{i:02}"), "operator").await);
    }
    let budget = Budget { per_minute: Some(PER_MINUTE), per_day: None };
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut team in teams {
        tasks.push(tokio::spawn(async move {
            let (mut granted, mut decisions) = (0u64, 0u64);
            let settings = LimitSettings::default();
            while Instant::now() < until {
                let now = SystemClock.now_ms();
                match callback_desk::team::budget::reserve(
                    &mut team,
                    "bench-merchant",
                    "resend",
                    budget,
                    &settings,
                    now,
                    1,
                )
                .await
                .unwrap()
                {
                    Reservation::Granted => granted += 1,
                    Reservation::WaitUntil(_) => {}
                }
                decisions += 1;
            }
            (granted, decisions)
        }));
    }
    let (mut granted, mut decisions) = (0, 0);
    for t in tasks {
        let (g, d) = t.await.unwrap();
        granted += g;
        decisions += d;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // The most calls recorded in any sliding minute (the limit the provider counts).
    let dba = superuser(dbname).await;
    let most: i64 = dba
        .query_one(
            "SELECT coalesce(max((SELECT count(*) FROM callback_desk.rate_calls b
                                  WHERE b.merchant = a.merchant AND b.bucket = a.bucket
                                    AND b.at_ms > a.at_ms - 60000 AND b.at_ms <= a.at_ms)), 0)
             FROM callback_desk.rate_calls a WHERE a.merchant = 'bench-merchant'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    println!(
        "budget: {MEMBERS} members for {elapsed:.1} s against {PER_MINUTE} calls a minute: {decisions} decisions ({:.0} a second), {granted} calls granted, most in any sliding minute {most}, over the limit {} (target 0)",
        decisions as f64 / elapsed,
        (most - i64::from(PER_MINUTE)).max(0)
    );
}

fn main() {
    let parts = std::env::var("TEAM_BENCH_PARTS").unwrap_or_else(|_| "resend,trail,budget".into());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dbname = "team_bench";
    let url = runtime.block_on(team_database(dbname));
    let admin = Member::new();
    admin.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    for part in parts.split(',') {
        match part.trim() {
            "resend" => resend(&admin),
            "trail" => runtime.block_on(trail(&admin, dbname)),
            "budget" => runtime.block_on(budget(&admin, dbname)),
            other => panic!("unknown part {other:?} (resend, trail, budget)"),
        }
    }
}
