//! `bulk plan|run|resume|cancel|list|results`: bulk jobs on a stored account within the provider's rate budgets,
//! stored like the app's; a job the app is running is refused (`job.already_running`), and in a team
//! workspace a job on a shared account that another member runs (`team.job_leased`).

use crate::signals::StopSignals;
use crate::{open_store, parse_params};
use callback_desk::accounts::SANDBOX_BASE_URL;
use callback_desk::clock::SystemClock;
use callback_desk::error::Error;
use callback_desk::jobs::{JobControl, JobProgress, JobState, PlanRequest, SystemSleeper};
use callback_desk::paths;
use callback_desk::transport::{HttpTransport, TransportConfig};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args, Clone)]
pub struct BulkArgs {
    /// A stored account.
    #[arg(long)]
    account_id: i64,
    #[arg(long)]
    operation: String,
    /// Start of the period, Unix seconds (CCPayment windows, Ceffu `resendFromDateTime`, CYBAVO lists).
    #[arg(long)]
    since: Option<i64>,
    /// End of the period, Unix seconds (default: now).
    #[arg(long)]
    until: Option<i64>,
    /// Fields copied into every call, plus lists to split: `serials` (CYBAVO resends), `ids` (CYBAVO
    /// query-callbacks), `transaction_identifiers` (Avista), `eventTypes` (Ceffu).
    #[arg(long, default_value = "{}")]
    params: String,
}

#[derive(Subcommand)]
pub enum BulkCommand {
    /// Print the plan as one JSON object: `calls` (each with the exact `params` it sends, in order),
    /// `estimated_seconds` and `days` under the account's budgets. Sends nothing.
    Plan(BulkArgs),
    /// Plan and run a job: one JSON progress line per call or wait, then the job. Ctrl-C pauses it
    /// (resume with `bulk resume`). Exit 0 only when every call succeeded.
    Run(BulkArgs),
    /// Resume a paused, cancelled or interrupted job from its next call. `--team-job-id` (a job of the
    /// team workspace, `bulk list --team`) runs the team's job here: this installation's run of it, or
    /// another member's whose app stopped (its lease ran out), from its next call, the call they had in
    /// flight counted unknown; not a job a member cancelled (`team.job_cancelled`).
    Resume {
        #[arg(long, required_unless_present = "team_job_id", conflicts_with = "team_job_id")]
        job_id: Option<i64>,
        #[arg(long)]
        team_job_id: Option<i64>,
    },
    /// Cancel a job nobody runs (paused or interrupted); in a team workspace the team's record of it too.
    /// Prints the job.
    Cancel {
        #[arg(long)]
        job_id: i64,
    },
    /// Print every job as JSON, newest first. `--team`: the team workspace's jobs on the shared accounts
    /// you have a role on (whoever runs them), from the team database.
    List {
        #[arg(long)]
        team: bool,
    },
    /// Write a job's results as CSV: one line per id (serial, notification id, transaction identifier)
    /// or per call, with outcome, HTTP status, provider code, message and history id, and for CYBAVO
    /// look-ups the decoded callback. Never contains secrets or signatures.
    Results {
        #[arg(long)]
        job_id: i64,
        /// The file to write (`-` for standard output).
        #[arg(long)]
        csv: PathBuf,
    },
}

fn plan_request(args: BulkArgs) -> Result<PlanRequest, Error> {
    Ok(PlanRequest {
        account_id: args.account_id,
        operation: args.operation,
        params: parse_params(&args.params)?,
        since: args.since,
        until: args.until,
        calls: None,
    })
}

/// How often a running job's calls are pushed to the team's audit trail.
const TEAM_PUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn run(command: BulkCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    let id = match command {
        BulkCommand::Plan(args) => {
            let plan = store.jobs.plan(&plan_request(args)?)?;
            println!("{}", serde_json::to_string(&plan).map_err(|e| Error::internal(e.to_string()))?);
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::List { team: true } => {
            println!("{}", serde_json::to_string_pretty(&store.jobs.team_list().await?).unwrap_or_default());
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::Cancel { job_id } => {
            println!(
                "{}",
                serde_json::to_string(&store.jobs.cancel_stopped_everywhere(job_id).await?).unwrap_or_default()
            );
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::List { team: false } => {
            println!("{}", serde_json::to_string_pretty(&store.jobs.list()?).unwrap_or_default());
            return Ok(ExitCode::SUCCESS);
        }
        BulkCommand::Run(args) => {
            let plan = store.jobs.plan(&plan_request(args)?)?;
            store.jobs.create(&plan)?
        }
        BulkCommand::Resume { job_id: Some(job_id), .. } => job_id,
        BulkCommand::Resume { team_job_id: Some(team_job_id), .. } => {
            store.jobs.for_team_job_to_take_over(team_job_id).await?
        }
        BulkCommand::Resume { .. } => unreachable!("clap requires one of the two"),
        BulkCommand::Results { job_id, csv } => {
            let (job, rows) = store.jobs.results(job_id)?;
            let op = job.operation_descriptor()?;
            if csv.as_os_str() == "-" {
                callback_desk::results::write_csv(&op, &rows, std::io::stdout().lock())?;
            } else {
                // Readable by the user only (0600 on Unix), never through a link: results hold provider data.
                let file = paths::create_private_file(&csv)?;
                let n = callback_desk::results::write_csv(&op, &rows, std::io::BufWriter::new(file))?;
                eprintln!("{n} rows written to {}", csv.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let job = store.jobs.get(id)?;
    let view = store.accounts.get(job.account_id)?;
    let sandbox = if view.base_url == SANDBOX_BASE_URL {
        Some(callback_desk::sandbox::Sandbox::start(callback_desk::sandbox::SandboxConfig::default()).await?)
    } else {
        None
    };
    let root = sandbox.as_ref().map(|h| h.base_url());
    let transport = HttpTransport::new(TransportConfig::default())?;
    let control = JobControl::new();
    let mut signals = StopSignals::register()?;
    let on_signal = control.clone();
    let watcher = tokio::spawn(async move {
        signals.wait().await;
        eprintln!("pausing after the call in flight");
        on_signal.pause();
    });
    let sleeper = SystemSleeper { clock: Arc::new(SystemClock) };
    let mut progress = |p: &JobProgress| println!("{}", serde_json::to_string(p).unwrap_or_default());
    // In a team workspace the job's calls go to the team's audit trail while it runs, and all of them after.
    let in_team = callback_desk::team::TeamConfig::load(store.accounts.vault().db())?.is_some();
    let pusher = in_team.then(|| {
        callback_desk::team::outbox::push_in_background(
            store.accounts.vault().clone(),
            Arc::new(SystemClock),
            TEAM_PUSH_EVERY,
        )
    });
    let result = store.jobs.run(id, root.as_deref(), &transport, &sleeper, &control, &mut progress).await;
    watcher.abort();
    if let Some(pusher) = pusher {
        pusher.abort();
        if let Err(e) = callback_desk::team::outbox::push_now(store.accounts.vault(), &SystemClock).await {
            eprintln!("{}", serde_json::json!({ "warning": e }));
        }
    }
    if let Err(e) = &result {
        if e.code == callback_desk::ErrorCode::TeamJobLeased {
            eprintln!(
                "job {id} is being run by {} in the team workspace; follow it with `callback-desk-cli bulk list --team`",
                e.params.get("member").and_then(|m| m.as_str()).unwrap_or_default()
            );
        }
        if e.code == callback_desk::ErrorCode::JobAlreadyRunning {
            eprintln!(
                "job {id} is being run by process {} (the app or another terminal); let it finish, or pause it \
                 there and run `callback-desk-cli bulk resume --job-id {id}` again",
                e.params.get("pid").map(|p| p.to_string()).unwrap_or_default()
            );
        }
    }
    let job = result?;
    println!("{}", serde_json::to_string(&job).unwrap_or_default());
    if job.state != JobState::Done {
        eprintln!(
            "job {} is {}; resume with: callback-desk-cli bulk resume --job-id {}",
            job.id,
            job.state.as_str(),
            job.id
        );
    }
    Ok(if job.state == JobState::Done && job.failed == 0 && job.unknown == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
