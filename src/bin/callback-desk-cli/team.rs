//! `team init|invite|join|credentials|members|share|unshare|role|policy|remove|push`: the team workspace on
//! PostgreSQL this installation belongs to.

use crate::{open_store, runtime};
use callback_desk::clock::{Clock, SystemClock};
use callback_desk::error::Error;
use callback_desk::secret::Secret;
use callback_desk::team::members::{self, Role};
use callback_desk::team::policy::AccountPolicy;
use callback_desk::team::tls::{read_pem_file, TeamTls};
use callback_desk::team::{outbox, rules, shared, Team};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create the workspace in a PostgreSQL database and become its first admin. The URL is that of a role
    /// with CREATEROLE that owns the database (postgres://ROLE:PASSWORD@HOST:PORT/DB); its password is used
    /// once and not kept: this member gets a login role of their own, whose password goes to the vault.
    Init {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        member: String,
        #[command(flatten)]
        tls: TlsFiles,
    },
    /// Create a member with a role (admins only); prints one line, the invitation code to hand to them.
    Invite {
        #[arg(long)]
        member: String,
        /// viewer, operator, approver or admin.
        #[arg(long)]
        role: String,
    },
    /// Make this installation the invited member (the invitation works once).
    Join {
        #[arg(long)]
        invite: String,
        #[command(flatten)]
        tls: TlsFiles,
    },
    /// Add or replace this member's client certificate and key, and/or the authority of the server's
    /// certificate. Kept once a connection with them reaches the team database; what is not given stays.
    Credentials {
        #[command(flatten)]
        tls: TlsFiles,
    },
    /// Print the workspace's members as a JSON array of {name, role}.
    Members,
    /// Give a member their copies of a shared account's secrets, sealed to their key (admins only). The id
    /// is the account's in this installation (`accounts list`). Prints what was shared as JSON.
    Share {
        #[arg(long)]
        account_id: i64,
        #[arg(long)]
        member: String,
    },
    /// Take a member's share of a shared account back (admins of the account): their copies of its secrets
    /// are deleted, so their installation can no longer use it. Prints JSON {member, rotate} as `remove` does:
    /// the secrets they held, which they could have copied, to rotate at the provider (then `accounts edit`).
    Unshare {
        #[arg(long)]
        account_id: i64,
        #[arg(long)]
        member: String,
    },
    /// Give a member a role on one shared account (the account's admins), standing in for their workspace
    /// role there: viewer, operator, approver or admin, or `workspace` to go back to their workspace role.
    /// The id is the account's in this installation (`accounts list`).
    Role {
        #[arg(long)]
        account_id: i64,
        #[arg(long)]
        member: String,
        #[arg(long)]
        role: String,
    },
    /// Print a shared account's approval policy as JSON, or change it (the account's admins): every resend
    /// on it waits for a second member's approval (--every-resend), or resends held back only for the given
    /// reasons go through (--waive production,time_window…), or the rule as it is (--reset). The id is the
    /// account's in this installation (`accounts list`).
    Policy {
        #[arg(long)]
        account_id: i64,
        #[arg(long)]
        every_resend: bool,
        /// Reasons, comma-separated: production, broad_value, time_window, many_ids, or an operation's own.
        #[arg(long, value_delimiter = ',')]
        waive: Vec<String>,
        #[arg(long, conflicts_with_all = ["every_resend", "waive"])]
        reset: bool,
    },
    /// Remove a member (admins only): their sealed copies are deleted and their database login disabled.
    /// Prints JSON {member, rotate}: the shared accounts whose credentials they could have copied, to rotate
    /// at the provider (account_id, team_account_id, label, provider, secrets).
    Remove {
        #[arg(long)]
        member: String,
    },
    /// Send the finished actions not yet in the team's audit trail (also done after every `call`).
    Push,
}

/// The TLS files of `team init`, `team join` and `team credentials`, each read once: the private key goes to
/// the vault, never to a file of the data folder.
#[derive(Args)]
pub struct TlsFiles {
    /// This member's client certificate (PEM), for a server that asks members for one; with --client-key.
    #[arg(long, value_name = "FILE")]
    client_cert: Option<PathBuf>,
    /// The private key of --client-cert (PEM), kept in the vault.
    #[arg(long, value_name = "FILE")]
    client_key: Option<PathBuf>,
    /// The certificate (PEM) of the authority that signed the server's certificate, when no publicly
    /// trusted authority did; the server's certificate is then checked against it alone.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

impl TlsFiles {
    fn read(&self) -> Result<TeamTls, Error> {
        let read = |field: &str, path: &Option<PathBuf>| path.as_deref().map(|p| read_pem_file(field, p)).transpose();
        let cert = read("client_cert", &self.client_cert)?;
        let key = read("client_key", &self.client_key)?.map(Secret::new);
        let ca = read("ca_cert", &self.ca_cert)?;
        TeamTls::from_pem(cert.as_deref(), key, ca.as_deref())
    }

    fn is_empty(&self) -> bool {
        self.client_cert.is_none() && self.client_key.is_none() && self.ca_cert.is_none()
    }
}

pub fn run(command: TeamCommand) -> Result<ExitCode, Error> {
    let store = open_store()?;
    let vault = store.accounts.vault().clone();
    let rt = runtime()?;
    rt.block_on(async move {
        match command {
            TeamCommand::Init { database_url, member, tls } => {
                let tls = tls.read()?;
                let config = members::init(&vault, &SystemClock, &database_url, &member, &tls).await?;
                eprintln!("team workspace ready; this installation is its admin {}", config.member);
            }
            TeamCommand::Invite { member, role } => {
                let role = Role::parse(&role)?;
                let team = Team::open(&vault).await?;
                println!("{}", members::invite(&team, &member, role).await?);
            }
            TeamCommand::Join { invite, tls } => {
                let tls = tls.read()?;
                let config = members::join(&vault, &SystemClock, &invite, &tls).await?;
                eprintln!("joined the team workspace as {}", config.member);
            }
            TeamCommand::Credentials { tls } => {
                if tls.is_empty() {
                    return Err(Error::invalid_field("client_cert", "team_credentials_none"));
                }
                let now = members::set_credentials(&vault, &SystemClock, tls.read()?).await?;
                eprintln!(
                    "team credentials saved: client certificate {}, server authority {}",
                    if now.has_client_cert() { "yes" } else { "no" },
                    if now.has_ca() { "given" } else { "the system's" }
                );
            }
            TeamCommand::Members => {
                let team = Team::open(&vault).await?;
                let list = members::list(&team).await?;
                println!("{}", serde_json::to_string(&list).unwrap_or_default());
            }
            TeamCommand::Share { account_id, member } => {
                let mut team = Team::open(&vault).await?;
                let done = shared::share(&mut team, &store.accounts, account_id, &member).await?;
                println!("{}", serde_json::to_string(&done).unwrap_or_default());
            }
            TeamCommand::Unshare { account_id, member } => {
                let team = Team::open(&vault).await?;
                let taken = shared::unshare(&team, &store.accounts, account_id, &member).await?;
                println!("{}", serde_json::to_string(&taken).unwrap_or_default());
                match taken.rotate.first() {
                    Some(r) => eprintln!(
                        "{member} could have copied these credentials of {}: {}; rotate them at the provider, then \
                         edit the account (accounts edit) with the new ones",
                        r.label,
                        r.secrets.join(", ")
                    ),
                    None => eprintln!("{member} held no copy of this account's secrets"),
                }
            }
            TeamCommand::Role { account_id, member, role } => {
                let role = match role.trim() {
                    "workspace" => None,
                    other => Some(Role::parse(other)?),
                };
                let view = store.accounts.get(account_id)?;
                let team_id = rules::team_id_of(&view)?;
                let team = Team::open(&vault).await?;
                members::set_account_role(&team, team_id, &member, role).await?;
            }
            TeamCommand::Policy { account_id, every_resend, waive, reset } => {
                let view = store.accounts.get(account_id)?;
                let team_id = rules::team_id_of(&view)?;
                let team = Team::open(&vault).await?;
                let policy = if reset || every_resend || !waive.is_empty() {
                    let policy = AccountPolicy::checked(every_resend, waive)?;
                    policy.set(&team, team_id).await?;
                    policy
                } else {
                    AccountPolicy::of(&team, team_id).await?
                };
                println!("{}", serde_json::to_string(&policy).unwrap_or_default());
            }
            TeamCommand::Remove { member } => {
                let team = Team::open(&vault).await?;
                let removed = shared::remove_member(&team, &store.accounts, &member).await?;
                println!("{}", serde_json::to_string(&removed).unwrap_or_default());
                if !removed.rotate.is_empty() {
                    eprintln!(
                        "{member} could have copied the credentials of {} shared accounts: rotate them at the provider",
                        removed.rotate.len()
                    );
                }
            }
            TeamCommand::Push => {
                let team = Team::open(&vault).await?;
                let pushed = outbox::push(vault.db(), &team, SystemClock.now_ms()).await?;
                eprintln!("{pushed} actions pushed; {} waiting", outbox::waiting(vault.db())?);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
