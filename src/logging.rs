//! Logging: `tracing` to a daily rolling file in the log directory and to stderr.
//!
//! Redaction happens in two places. First, every secret is a [`crate::secret::Secret`], whose `Debug` and
//! `Display` print `<redacted>`, so a secret passed to a log macro by mistake prints nothing. Second, the
//! log writers scrub every value registered with [`register_secret`] (the vault registers each secret it
//! hands to signing code) before a byte reaches stderr or the file, in case a secret was copied into a
//! plain string somewhere (a provider echoing it in an error body, say).

use crate::secret::{Secret, REDACTED};
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{OnceLock, RwLock};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

fn registry() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Scrub this secret's value from every log line from now on. Values shorter than 6 characters are
/// ignored (they would redact ordinary words).
pub fn register_secret(secret: &Secret) {
    let v = secret.expose();
    if v.len() < 6 {
        return;
    }
    let mut list = registry().write().unwrap_or_else(|e| e.into_inner());
    if !list.iter().any(|s| s == v) {
        list.push(v.to_owned());
    }
}

/// Replace every registered secret in `text` with `<redacted>`.
pub fn scrub(text: &str) -> String {
    let list = registry().read().unwrap_or_else(|e| e.into_inner());
    scrub_with(list.iter().map(String::as_str), text).into_owned()
}

fn scrub_with<'a, 's>(list: impl IntoIterator<Item = &'s str>, text: &'a str) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for s in list {
        if out.contains(s) {
            out = Cow::Owned(out.replace(s, REDACTED));
        }
    }
    out
}

/// Every string in `value` (at any depth, keys included) with registered secrets replaced, as [`scrub`]
/// does for text.
pub fn scrub_value(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(scrub(s)),
        Value::Array(items) => Value::Array(items.iter().map(scrub_value).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (scrub(k), scrub_value(v))).collect()),
        other => other.clone(),
    }
}

/// The secrets registered so far, for scrubbing many texts in a row (an export) without taking the
/// registry's lock for each: [`Scrubber::scrub`] does what [`scrub`] does. The copies are wiped on drop.
pub struct Scrubber {
    list: Vec<zeroize::Zeroizing<String>>,
}

impl Scrubber {
    /// A snapshot of the registered secrets.
    pub fn now() -> Scrubber {
        let list = registry().read().unwrap_or_else(|e| e.into_inner());
        Scrubber { list: list.iter().map(|s| zeroize::Zeroizing::new(s.clone())).collect() }
    }

    /// `text` with every secret of the snapshot replaced by `<redacted>`; borrowed when there was none.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        scrub_with(self.list.iter().map(|s| s.as_str()), text)
    }
}

impl crate::error::Error {
    /// The same error with every registered secret scrubbed from its detail and parameters (as history
    /// stores it), for errors built from what a provider sent back before they reach the UI or the CLI.
    /// (Here, next to the registry, so that `error.rs` imports no other module of the crate.)
    pub fn scrubbed(self) -> Self {
        let params = match scrub_value(&serde_json::Value::Object(self.params)) {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        crate::error::Error { code: self.code, params, detail: self.detail.as_deref().map(scrub) }
    }
}

/// A writer that scrubs each buffered log record before passing it on.
pub struct ScrubbingWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> Write for ScrubbingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let text = String::from_utf8_lossy(&self.buf);
            self.inner.write_all(scrub(&text).as_bytes())?;
            self.buf.clear();
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for ScrubbingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Wraps a `MakeWriter` so that each record is scrubbed.
pub struct Scrubbing<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Scrubbing<M> {
    type Writer = ScrubbingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        ScrubbingWriter { inner: self.0.make_writer(), buf: Vec::new() }
    }
}

/// How many lines the log file's writer thread holds before a caller waits for it.
const LOG_QUEUE_LINES: usize = 1_024;

/// Keeps the background file writer alive; drop it at exit to flush.
pub struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// The rolling file appender, keeping every log file private to the user (0600 on Unix): the file of
/// the current UTC day is created with that mode before the appender opens it (the appender names its
/// files `<prefix>.YYYY-MM-DD.log` by UTC date and would otherwise create them with the default mode).
struct PrivateLogFiles {
    inner: tracing_appender::rolling::RollingFileAppender,
    dir: std::path::PathBuf,
    prefix: String,
    /// The UTC day (days since 1970) whose file was last made private.
    day: i64,
}

/// The appender's file for a UTC day (days since 1970).
fn log_file_of_day(dir: &Path, prefix: &str, day: i64) -> Option<std::path::PathBuf> {
    let date = chrono::DateTime::from_timestamp(day * 86_400, 0)?.format("%Y-%m-%d");
    Some(dir.join(format!("{prefix}.{date}.log")))
}

fn utc_day() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(86_400)
}

impl Write for PrivateLogFiles {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let day = utc_day();
        if day != self.day {
            // At the first write of a new day the appender rolls over to a new file: create it first.
            // (Should the appender's clock pass midnight between this check and its own, the file it
            // creates is restricted at the next write; the folder is private either way.)
            if let Some(path) = log_file_of_day(&self.dir, &self.prefix, day) {
                let _ = crate::paths::ensure_private_file(&path);
            }
            self.day = day;
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Makes every existing `<prefix>.*` file in `dir` private (files from before, or from a rollover).
fn restrict_log_files(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(&format!("{prefix}.")) {
            let _ = crate::paths::restrict_file(&entry.path());
        }
    }
}

/// Start logging to `<log_dir>/<file_prefix>.YYYY-MM-DD.log` (kept 14 days) and stderr. `RUST_LOG`
/// overrides the default level (`info`). On Unix the log folder is private to the user (0700) and every
/// log file readable by the user only (0600). Calling it twice is harmless (the second call only
/// returns a guard).
pub fn init(log_dir: &Path, file_prefix: &str) -> LogGuard {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = crate::paths::create_private_dir(log_dir).ok().and_then(|_| {
        let day = utc_day();
        if let Some(today) = log_file_of_day(log_dir, file_prefix, day) {
            crate::paths::ensure_private_file(&today).ok()?;
        }
        let inner = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(file_prefix)
            .filename_suffix("log")
            .max_log_files(14)
            .build(log_dir)
            .ok()?;
        restrict_log_files(log_dir, file_prefix);
        Some(PrivateLogFiles { inner, dir: log_dir.to_path_buf(), prefix: file_prefix.to_owned(), day })
    });
    let stderr_layer = tracing_subscriber::fmt::layer().with_writer(Scrubbing(io::stderr));
    match file {
        Some(appender) => {
            // The writer thread's queue: its every slot is allocated and written up front, so the default
            // (128,000 lines) held 4 MB of the process's memory from the first moment. A few seconds of the
            // busiest logging fits in 1,024 lines; past that a line waits for room rather than being lost.
            let (nb, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_QUEUE_LINES)
                .lossy(false)
                .finish(appender);
            let file_layer = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(Scrubbing(nb));
            let _ = tracing_subscriber::registry().with(filter()).with(stderr_layer).with(file_layer).try_init();
            LogGuard(Some(guard))
        }
        None => {
            let _ = tracing_subscriber::registry().with(filter()).with(stderr_layer).try_init();
            LogGuard(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_scrubbed_from_log_records() {
        register_secret(&Secret::new("s3cr3t-canary-value"));
        register_secret(&Secret::new("abc")); // too short: ignored
        let mut out = Vec::new();
        {
            let mut w = ScrubbingWriter { inner: &mut out, buf: Vec::new() };
            write!(w, "body={{\"echo\":\"s3cr3t-canary-value\"}} abc").unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "body={\"echo\":\"<redacted>\"} abc");
    }
}
