//! `history list|export|verify-chain`: the history the app and the CLI write, as a table, JSON lines or a CSV
//! file; in a team workspace, the check of the team's audit trail.

use crate::{open_store, runtime};
use callback_desk::error::Error;
use callback_desk::history::{HistoryFilter, Outcome};
use callback_desk::i18n::{Language, Zone};
use callback_desk::jobs::unix_seconds;
use callback_desk::paths;
use callback_desk::providers::OperationKind;
use clap::Subcommand;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Clone, Default)]
pub struct HistoryFilterArgs {
    #[arg(long)]
    account_id: Option<i64>,
    /// Only the calls of this bulk job.
    #[arg(long)]
    job_id: Option<i64>,
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    operation: Option<String>,
    /// Only operations of this kind, of any provider: resend, lookup or auth.
    #[arg(long)]
    kind: Option<String>,
    /// pending, ok, failed or unknown.
    #[arg(long)]
    outcome: Option<String>,
    /// From this Unix time in seconds (inclusive).
    #[arg(long)]
    from: Option<i64>,
    /// Up to this Unix time in seconds (exclusive).
    #[arg(long)]
    to: Option<i64>,
    /// Ids, serials, transaction identifiers or account label words.
    #[arg(long)]
    text: Option<String>,
}

#[derive(Subcommand)]
pub enum HistoryCommand {
    /// List actions, newest first.
    List {
        #[command(flatten)]
        filter: HistoryFilterArgs,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// In a team workspace: the team's audit trail (every member's actions you may see) instead of this
        /// installation's history. Rows carry `member`; --job-id does not apply (a bulk job is this installation's).
        #[arg(long)]
        team: bool,
        /// With --team: only this member's actions.
        #[arg(long, requires = "team")]
        member: Option<String>,
    },
    /// Export the filtered history as CSV (never containing secrets or signatures).
    Export {
        #[command(flatten)]
        filter: HistoryFilterArgs,
        #[arg(long)]
        csv: PathBuf,
        /// For people (an auditor): headers and values in words in --language, times in --zone, one row per
        /// action, no requests or responses. Without it: every column with the redacted request and response.
        #[arg(long)]
        readable: bool,
        /// The readable export's language: en, zh-CN or pt-BR.
        #[arg(long, default_value = "en")]
        language: String,
        /// The readable export's times: local (this computer's time zone) or utc.
        #[arg(long, default_value = "local")]
        zone: String,
        /// In a team workspace: the team's audit trail (every member's actions you may see) instead of this
        /// installation's history, with a `member` column; --job-id does not apply.
        #[arg(long)]
        team: bool,
        /// With --team: only this member's actions.
        #[arg(long, requires = "team")]
        member: Option<String>,
    },
    /// In a team workspace (admins): recompute the team audit trail's hash chain. Exit 0 printing "intact",
    /// or 1 naming the first row that was altered.
    VerifyChain,
}

/// `history list --team`: the team's audit trail, newest first, a page at a time from the team database.
fn list_team_trail(
    store: &callback_desk::store::Store,
    f: HistoryFilterArgs,
    member: Option<String>,
    json: bool,
    limit: u32,
) -> Result<ExitCode, Error> {
    use callback_desk::team::trail::{page, TrailFilter};
    // The account's id in this installation, as everywhere on the command line; the trail knows it by its
    // shared id.
    let filter = TrailFilter::from_history(&to_filter(f)?, member, &store.accounts)?;
    let vault = store.accounts.vault().clone();
    runtime()?.block_on(async move {
        let team = callback_desk::team::Team::open(&vault).await?;
        if !json {
            println!(
                "{:<20} {:<16} {:<24} {:<10} {:<28} {:<8} {:>6} SCOPE",
                "TIME (UTC)", "MEMBER", "ACCOUNT", "PROVIDER", "OPERATION", "OUTCOME", "HTTP"
            );
        }
        let (mut before, mut left) = (None, i64::from(limit.max(1)));
        loop {
            let found = page(&team, &filter, before, left).await?;
            for row in &found.rows {
                if json {
                    println!("{}", serde_json::to_string(row).unwrap_or_default());
                } else {
                    let time = chrono::DateTime::from_timestamp_millis(row.at_ms)
                        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default();
                    let http = row.http_status.map(|s| s.to_string()).unwrap_or_default();
                    println!(
                        "{:<20} {:<16} {:<24} {:<10} {:<28} {:<8} {:>6} {}",
                        time, row.member, row.account_label, row.provider, row.operation, row.outcome, http, row.scope
                    );
                }
            }
            left -= found.rows.len() as i64;
            match found.next_before_id {
                Some(id) if left > 0 => before = Some(id),
                _ => break,
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `history export --team`: the team's audit trail as CSV, read from the team database a page at a time.
fn export_team_trail(
    store: &callback_desk::store::Store,
    f: HistoryFilterArgs,
    member: Option<String>,
    readable: Option<(Language, Zone)>,
    csv: &std::path::Path,
) -> Result<ExitCode, Error> {
    use callback_desk::team::trail::TrailFilter;
    use callback_desk::team::trail_csv::{export, TrailCsv};
    let filter = TrailFilter::from_history(&to_filter(f)?, member, &store.accounts)?;
    let format = match readable {
        Some((language, zone)) => TrailCsv::Readable(language, zone),
        None => TrailCsv::Technical,
    };
    let vault = store.accounts.vault().clone();
    let rows = runtime()?.block_on(async move {
        let team = callback_desk::team::Team::open(&vault).await?;
        let mut w = std::io::BufWriter::new(paths::create_private_file(csv)?);
        let progress = |done: u64| {
            if done > 0 && done.is_multiple_of(10_000) {
                eprintln!("exported {done}");
            }
        };
        export(&team, &filter, format, &mut w, progress).await
    })?;
    eprintln!("{rows} rows written to {}", csv.display());
    Ok(ExitCode::SUCCESS)
}

fn to_filter(f: HistoryFilterArgs) -> Result<HistoryFilter, Error> {
    let outcome = match f.outcome.as_deref() {
        None => None,
        Some(o) => Some(
            serde_json::from_value::<Outcome>(Value::String(o.to_owned()))
                .map_err(|_| Error::invalid_field("outcome", "not_allowed"))?,
        ),
    };
    let kind = match f.kind.as_deref() {
        None => None,
        Some(k) => Some(
            serde_json::from_value::<OperationKind>(Value::String(k.to_owned()))
                .map_err(|_| Error::invalid_field("kind", "not_allowed"))?,
        ),
    };
    Ok(HistoryFilter {
        account_id: f.account_id,
        job_id: f.job_id,
        provider: f.provider,
        operation: f.operation,
        kind,
        outcome,
        from_ms: f.from.map(|s| unix_seconds("from", s).map(|s| s * 1000)).transpose()?,
        to_ms: f.to.map(|s| unix_seconds("to", s).map(|s| s * 1000)).transpose()?,
        text: f.text,
    })
}

pub fn run(command: HistoryCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    match command {
        HistoryCommand::List { filter, json, limit, team: true, member } => {
            list_team_trail(&store, filter, member, json, limit)
        }
        HistoryCommand::List { filter, json, limit, .. } => {
            let filter = to_filter(filter)?;
            let team = callback_desk::team::TeamConfig::load(store.accounts.vault().db())?;
            let mut cursor = None;
            let mut left = limit.max(1);
            if !json {
                println!(
                    "{:<20} {:<24} {:<10} {:<28} {:<8} {:>6} {:<24} SCOPE",
                    "TIME (UTC)", "ACCOUNT", "PROVIDER", "OPERATION", "OUTCOME", "HTTP", "ERROR"
                );
            }
            loop {
                let page = store.history.page(&filter, cursor, left.min(500))?;
                // In a team workspace each row names its member (none for rows from before joining).
                let members = match team {
                    Some(_) => {
                        let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                        Some(callback_desk::team::outbox::members_of(store.accounts.vault().db(), &ids)?)
                    }
                    None => None,
                };
                for row in &page.rows {
                    if json {
                        match &members {
                            None => println!("{}", serde_json::to_string(row).unwrap_or_default()),
                            Some(members) => {
                                let mut v = serde_json::to_value(row).unwrap_or(Value::Null);
                                if let Value::Object(m) = &mut v {
                                    m.insert("member".into(), members.get(&row.id).cloned().into());
                                }
                                println!("{v}");
                            }
                        }
                    } else {
                        let v = serde_json::to_value(row).unwrap_or(Value::Null);
                        let time = chrono::DateTime::from_timestamp_millis(v["created_at_ms"].as_i64().unwrap_or(0))
                            .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                            .unwrap_or_default();
                        let s = |k: &str| match &v[k] {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        let error = match &v["error"] {
                            Value::Object(e) => e.get("code").and_then(Value::as_str).unwrap_or("").to_owned(),
                            _ => s("error_code"),
                        };
                        println!(
                            "{:<20} {:<24} {:<10} {:<28} {:<8} {:>6} {:<24} {}",
                            time,
                            s("account_label"),
                            s("provider"),
                            s("operation"),
                            s("outcome"),
                            s("http_status"),
                            error,
                            s("scope")
                        );
                    }
                }
                left = left.saturating_sub(page.rows.len() as u32);
                match page.next_cursor {
                    Some(c) if left > 0 => cursor = Some(c),
                    _ => break,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::VerifyChain => {
            use callback_desk::team::audit::{verify_chain, ChainState};
            let vault = store.accounts.vault().clone();
            let state = runtime()?.block_on(async move {
                let team = callback_desk::team::Team::open(&vault).await?;
                verify_chain(&team).await
            })?;
            match state {
                ChainState::Intact { rows } => {
                    println!("intact");
                    eprintln!("{rows} rows checked");
                    Ok(ExitCode::SUCCESS)
                }
                ChainState::Altered { first_row } => {
                    println!("altered: row {first_row} no longer matches its hash or its link to the row before");
                    Ok(ExitCode::from(1))
                }
            }
        }
        HistoryCommand::Export { filter, csv, readable, language, zone, team, member } => {
            let zone = match zone.to_ascii_lowercase().as_str() {
                "local" => Zone::Local,
                "utc" => Zone::Utc,
                _ => return Err(Error::invalid_field("zone", "not_allowed")),
            };
            let format = readable.then(|| (Language::from_tag(&language), zone));
            if team {
                return export_team_trail(&store, filter, member, format, &csv);
            }
            let filter = to_filter(filter)?;
            // Readable by the user only (0600 on Unix), never through a link: the export holds provider
            // responses.
            let file = paths::create_private_file(&csv)?;
            let mut w = std::io::BufWriter::new(file);
            let progress = |done: u64, total: u64| {
                if done > 0 && (done == total || done.is_multiple_of(10_000)) {
                    eprintln!("exported {done} of {total}");
                }
            };
            let rows = match format {
                Some((language, zone)) => {
                    store.history.export_readable_csv(&filter, language, zone, &mut w, progress)?
                }
                None => store.history.export_csv(&filter, &mut w, progress)?,
            };
            drop(w);
            eprintln!("{rows} rows written to {}", csv.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
