//! The team's trail as a CSV file, for an auditor: every row the reader may see that matches the filter,
//! newest first, read from the team database a page at a time (memory stays flat at any length) and written
//! as they come. Rows appended after the export started are not included (pages go by id, downwards from
//! the first page's newest row). Two formats, as the local history's: the technical one (the trail's
//! columns as stored) and the readable one (headers and values in words, in a language and a time zone).
//! Neither holds a request, a response or a secret: the trail holds none.

use super::step::WorkspaceStep;
use super::trail::{page, TrailFilter, TrailRow, MAX_PAGE};
use super::Team;
use crate::csv::{write_csv_record, Cell, Timestamps, CSV_BOM};
use crate::db::storage_error;
use crate::error::Result;
use crate::history::Readable;
use crate::i18n::{Language, Zone};
use crate::logging::Scrubber;
use serde_json::{Map, Value};
use std::io::Write;

/// The technical export's columns, in order: the trail's, as `history list --team --json` names them.
pub const TRAIL_CSV_HEADER: &[&str] = &[
    "id",
    "at",
    "member",
    "account_id",
    "account_label",
    "provider",
    "environment",
    "kind",
    "operation",
    "scope",
    "outcome",
    "http_status",
    "error_code",
    "duration_ms",
];

/// The catalog keys of the readable export's headers, in order.
const READABLE_HEADERS: &[&str] = &[
    "history.readable.entry",
    "history.readable.time",
    "history.col.member",
    "work.account",
    "env.label",
    "history.col.provider",
    "history.readable.action",
    "history.readable.scope",
    "history.col.outcome",
    "history.readable.details",
];

/// Which export of the trail.
#[derive(Debug, Clone, Copy)]
pub enum TrailCsv {
    /// The trail's columns as stored.
    Technical,
    /// For people: words in the language, times in the zone.
    Readable(Language, Zone),
}

/// Writes the trail rows matching `filter` as CSV (UTF-8 with a byte-order mark, CRLF line ends, RFC 4180
/// quoting, cells defused against spreadsheet formulas) with a header row. `progress(done)` is called after
/// each page. Returns the number of rows written.
pub async fn export(
    team: &Team,
    filter: &TrailFilter,
    format: TrailCsv,
    mut writer: impl Write,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let io = |e: std::io::Error| storage_error(format!("writing the export failed: {e}"));
    let scrubber = Scrubber::now();
    let mut readable = match format {
        TrailCsv::Technical => None,
        TrailCsv::Readable(language, zone) => Some(Readable::new(language, zone)),
    };
    writer.write_all(CSV_BOM).map_err(io)?;
    match &readable {
        None => write_csv_record(&mut writer, TRAIL_CSV_HEADER.iter().map(|h| Cell::Num(h))),
        Some(r) => write_csv_record(&mut writer, r.headers(READABLE_HEADERS).iter().map(|h| Cell::Text(h))),
    }
    .map_err(io)?;
    let (mut timestamps, mut line, mut done, mut before) = (Timestamps::default(), Vec::new(), 0u64, None);
    progress(0);
    loop {
        let found = page(team, filter, before, MAX_PAGE).await?;
        line.clear();
        for row in &found.rows {
            let cells = match &mut readable {
                None => technical_cells(&mut timestamps, row),
                Some(r) => readable_cells(r, row),
            };
            let cells: Vec<String> = cells.into_iter().map(|c| scrubber.scrub(&c).into_owned()).collect();
            write_csv_record(&mut line, cells.iter().map(|c| Cell::Text(c))).map_err(io)?;
        }
        writer.write_all(&line).map_err(io)?;
        done += found.rows.len() as u64;
        progress(done);
        match found.next_before_id {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    writer.flush().map_err(io)?;
    Ok(done)
}

fn technical_cells(timestamps: &mut Timestamps, row: &TrailRow) -> Vec<String> {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        row.id.to_string(),
        timestamps.iso(row.at_ms),
        row.member.clone(),
        opt(row.account_id),
        row.account_label.clone(),
        row.provider.clone(),
        row.environment.clone(),
        row.kind.clone(),
        row.operation.clone(),
        row.scope.clone(),
        row.outcome.clone(),
        opt(row.http_status.map(i64::from)),
        row.error_code.clone().unwrap_or_default(),
        opt(row.duration_ms),
    ]
}

/// A row in words, as History's table in the window says it: an action by its operation and what it
/// covered; an approval's step by its name; a change of the workspace (a share, a role…) by its kind.
fn readable_cells(r: &mut Readable, row: &TrailRow) -> Vec<String> {
    let on_account = !row.account_label.is_empty();
    let (provider, operation) =
        if row.provider.is_empty() { (String::new(), String::new()) } else { r.action(&row.provider, &row.operation) };
    let step = WorkspaceStep::read(&row.kind, &row.scope);
    let (action, scope, outcome) = match row.kind.as_str() {
        "action" => (operation, r.scope_text(&row.provider, &row.operation, &row.scope), r.outcome_text(&row.outcome)),
        "approval" => {
            (operation, step_scope(r, step.as_ref(), &row.scope), r.words_or("history.team.step", &row.outcome))
        }
        kind => (
            r.words_or("history.team.kind", step.as_ref().and_then(WorkspaceStep::kind_key).unwrap_or(kind)),
            step_scope(r, step.as_ref(), &row.scope),
            r.outcome_text(&row.outcome),
        ),
    };
    vec![
        row.id.to_string(),
        r.time(row.at_ms),
        row.member.clone(),
        row.account_label.clone(),
        if on_account { r.environment_text(&row.environment) } else { String::new() },
        provider,
        action,
        scope,
        outcome,
        row.error_code.as_deref().map(|code| r.error_text(code, None)).unwrap_or_default(),
    ]
}

/// What a step of the workspace covered, in words: whom a share or a role was about, which approval request
/// a step was of. A policy or an account added, changed or deleted say nothing more than their kind. A
/// scope this version cannot read is given as written.
fn step_scope(r: &Readable, step: Option<&WorkspaceStep>, scope: &str) -> String {
    let c = r.catalog();
    let with = |key: &str, name: &str, value: &str| c.t(key, &Map::from_iter([(name.to_owned(), Value::from(value))]));
    match step {
        None => scope.to_owned(),
        Some(WorkspaceStep::Approval { id }) => with("history.team.approval_scope", "id", &id.to_string()),
        Some(WorkspaceStep::Share { member }) => with("history.team.scope.share", "member", member),
        Some(WorkspaceStep::Unshare { member }) => with("history.team.scope.unshare", "member", member),
        Some(WorkspaceStep::MemberRemoved { member }) => with("history.team.scope.member", "member", member),
        Some(WorkspaceStep::Role { member, role }) => {
            let role = match role {
                Some(role) => c.text(&format!("team.roles.{}", role.as_str())),
                None => c.text("history.team.scope.team_role"),
            };
            let params = Map::from_iter([
                ("member".to_owned(), Value::from(member.as_str())),
                ("role".to_owned(), Value::from(role)),
            ]);
            c.t("history.team.scope.role", &params)
        }
        Some(
            WorkspaceStep::AccountAdded
            | WorkspaceStep::AccountEdited
            | WorkspaceStep::AccountDeleted
            | WorkspaceStep::Policy,
        ) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;

    fn row(kind: &str, operation: &str, scope: &str, outcome: &str) -> TrailRow {
        TrailRow {
            id: 7,
            member: "bob".into(),
            at_ms: 1_764_979_200_000,
            account_id: Some(3),
            account_label: "Shop".into(),
            provider: "cybavo".into(),
            environment: "production".into(),
            kind: kind.into(),
            operation: operation.into(),
            scope: scope.into(),
            outcome: outcome.into(),
            http_status: None,
            error_code: None,
            duration_ms: None,
        }
    }

    #[test]
    fn every_header_of_the_readable_trail_is_in_every_catalog() {
        for language in Language::ALL {
            let c = Catalog::of(language);
            for key in READABLE_HEADERS {
                assert!(c.has(key), "{}: {key}", language.tag());
            }
        }
    }

    #[test]
    fn steps_of_the_workspace_are_said_in_words() {
        let mut r = Readable::new(Language::En, Zone::Utc);
        let cells = |r: &mut Readable, kind, scope, outcome| {
            let cells = readable_cells(r, &row(kind, "", scope, outcome));
            (cells[6].clone(), cells[7].clone(), cells[8].clone())
        };
        assert_eq!(cells(&mut r, "share", "account 3 to carol", "ok").1, "With carol");
        assert_eq!(cells(&mut r, "unshare", "account 3 from carol", "ok").1, "From carol");
        assert_eq!(cells(&mut r, "role", "account 3 carol approver", "ok").1, "carol: Approver");
        assert_eq!(cells(&mut r, "role", "account 3 carol workspace role", "ok").1, "carol: same as team role");
        assert_eq!(cells(&mut r, "member", "remove carol", "ok").0, "Member removed");
        assert_eq!(cells(&mut r, "member", "remove carol", "ok").1, "carol");
        assert_eq!(cells(&mut r, "account", "edit account 3", "ok").0, "Shared account changed");
        assert_eq!(cells(&mut r, "account", "delete account 3", "ok").0, "Shared account deleted");
        assert_eq!(cells(&mut r, "policy", "account 3 policy", "ok").0, "Approval rules changed");
        assert_eq!(cells(&mut r, "policy", "account 3 policy", "ok").1, "");
        // A scope this version cannot read is given as written, never dropped.
        assert_eq!(cells(&mut r, "role", "account 3 carol auditor", "ok").1, "account 3 carol auditor");
        assert_eq!(cells(&mut r, "share", "to carol", "ok").1, "to carol");
    }

    #[test]
    fn an_approval_step_names_its_request_and_the_step() {
        let mut r = Readable::new(Language::PtBr, Zone::Utc);
        let cells = readable_cells(&mut r, &row("approval", "resend-withdrawal-callbacks", "approval 12", "approved"));
        let c = Catalog::of(Language::PtBr);
        assert_eq!(cells[7], c.t("history.team.approval_scope", &Map::from_iter([("id".into(), Value::from("12"))])));
        assert_eq!(cells[8], c.text("history.team.step.approved"));
        assert_ne!(cells[6], "resend-withdrawal-callbacks", "the operation is named in words");
    }
}
