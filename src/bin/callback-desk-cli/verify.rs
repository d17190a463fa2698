//! `verify`: checks the signature of a response or callback over the raw body bytes; exit 0 when valid.

use crate::{fail, load_account};
use callback_desk::error::Error;
use callback_desk::providers;
use clap::ValueEnum;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    account: PathBuf,
    #[arg(long, value_enum)]
    kind: Kind,
    #[arg(long)]
    body_file: PathBuf,
    /// A header as "Name: value" (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Response,
    Callback,
}

pub fn run(args: Args) -> ExitCode {
    match verify(&args) {
        Ok(Ok(())) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Ok(Err(why)) => {
            println!("invalid: {why}");
            ExitCode::from(1)
        }
        Err(e) => fail(&e),
    }
}

fn verify(args: &Args) -> Result<Result<(), String>, Error> {
    let account = load_account(&args.account)?;
    let body_file = &args.body_file;
    let body = std::fs::read(body_file)
        .map_err(|e| Error::invalid_field("body_file", "unreadable").detail(format!("{}: {e}", body_file.display())))?;
    let headers: Vec<(String, String)> = args
        .headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
            None => Err(Error::invalid_field("header", "not_name_value").detail(h.clone())),
        })
        .collect::<Result<_, _>>()?;
    let what = match args.kind {
        Kind::Response => "responses",
        Kind::Callback => "callbacks",
    };
    Ok(providers::verify_signature(&account, &headers, &body)
        .unwrap_or_else(|| Err(format!("{} does not sign {what}", account.provider()))))
}
