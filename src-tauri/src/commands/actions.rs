//! Resend and query: preview the signed request (masked), run it (recorded in history), and browse, read
//! and export history. History cannot be edited from here. ("Copy with secrets" is in `copy_secrets`.)

use crate::save::SavedFiles;
use crate::state::AppState;
use callback_desk::accounts::SANDBOX_BASE_URL;
use callback_desk::actions::{ActionRequest, ActionResult};
use callback_desk::history::{Cursor, HistoryDetail, HistoryFilter, HistoryPage, HistoryRow};
use callback_desk::i18n::{Catalog, Language, Zone};
use callback_desk::results::{self, ResultsView};
use callback_desk::team::trail::TrailFilter;
use callback_desk::team::trail_csv::{self, TrailCsv};
use callback_desk::team::Team;
use callback_desk::wire::RedactedRequest;
use callback_desk::Error;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) async fn sandbox_root_for(state: &AppState, account_id: i64) -> Result<Option<String>, Error> {
    let view = state.accounts().await?.get(account_id)?;
    Ok(if view.base_url == SANDBOX_BASE_URL { Some(state.sandbox_root().await?) } else { None })
}

#[tauri::command]
pub async fn preview_action(
    state: tauri::State<'_, AppState>,
    request: ActionRequest,
) -> Result<RedactedRequest, Error> {
    let root = sandbox_root_for(&state, request.account_id).await?;
    let actions = state.actions().await?;
    tauri::async_runtime::spawn_blocking(move || actions.preview(&request, root.as_deref()))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn run_action(state: tauri::State<'_, AppState>, request: ActionRequest) -> Result<ActionResult, Error> {
    let root = sandbox_root_for(&state, request.account_id).await?;
    let actions = state.actions().await?;
    let transport = state.transport().await?;
    actions.run(&request, root.as_deref(), transport.as_ref(), None).await
}

/// A History row with the team member who did it (null in solo use and for rows from before joining).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRowView {
    #[serde(flatten)]
    pub row: HistoryRow,
    pub member: Option<String>,
}

/// A page of History with each row's member.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct HistoryPageView {
    // The core's bindings by their own path (a type of the core named here would be imported from this crate's).
    #[ts(type = "Array<import(\"./HistoryRow\").HistoryRow & { member: string | null }>")]
    pub rows: Vec<HistoryRowView>,
    #[ts(type = "import(\"./Cursor\").Cursor | null")]
    pub next_cursor: Option<Cursor>,
}

/// A page of History, each row with its member in a team workspace.
#[tauri::command]
pub async fn history_page(
    state: tauri::State<'_, AppState>,
    filter: HistoryFilter,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<HistoryPageView, Error> {
    let history = state.history().await?;
    let vault = super::team::vault(&state).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let HistoryPage { rows, next_cursor } = history.page(&filter, cursor, limit)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut members = callback_desk::team::outbox::members_of(vault.db(), &ids)?;
        let rows = rows.into_iter().map(|row| HistoryRowView { member: members.remove(&row.id), row }).collect();
        Ok(HistoryPageView { rows, next_cursor })
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn history_count(state: tauri::State<'_, AppState>, filter: HistoryFilter) -> Result<u64, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || history.count(&filter))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

#[tauri::command]
pub async fn history_get(state: tauri::State<'_, AppState>, id: i64) -> Result<HistoryDetail, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || history.get(id)).await.map_err(|e| Error::internal(e.to_string()))?
}

pub use crate::save::ExportResult;

/// How the window asks for a history export.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ExportOptions {
    /// For people (the default in the window): words in `language`, times in `zone`, no payloads. Else the
    /// technical export with the redacted requests and responses.
    pub readable: bool,
    /// The window's language (`en`, `zh-CN`, `pt-BR`): the readable export's and the Save dialog's.
    pub language: String,
    /// Times in the computer's time zone (`local`) or in `utc`.
    pub zone: String,
    /// In a team workspace: the whole team's trail (every member's actions this member may see) instead of
    /// this installation's history, as `history export --team`.
    #[serde(default)]
    #[ts(optional)]
    pub team: Option<TeamExport>,
}

/// Which of the team's trail to export.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TeamExport {
    /// Only this member's actions.
    pub member: Option<String>,
}

/// Exports the filtered history as CSV where the user chooses (see `crate::save`), streamed; progress goes
/// to the window as `history-export-progress` events. `None`: the user cancelled the Save dialog.
#[tauri::command]
pub async fn history_export_csv<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    filter: HistoryFilter,
    options: ExportOptions,
) -> Result<Option<ExportResult>, Error> {
    use tauri::Emitter;
    let language = Language::from_tag(&options.language);
    let zone = if options.zone.eq_ignore_ascii_case("utc") { Zone::Utc } else { Zone::Local };
    let kind = if options.readable { "" } else { "-technical" };
    let whose = if options.team.is_some() { "team-history" } else { "history" };
    let name = format!("callback-desk-{whose}{kind}-{}.csv", chrono_stamp(state.clock.now_ms()));
    let saved = state.saved_files.clone();
    if let Some(TeamExport { member }) = options.team {
        let accounts = state.accounts().await?;
        let filter = TrailFilter::from_history(&filter, member, &accounts)?;
        // Opened before the Save dialog: an unreachable team database is told before asking where to save.
        let team = Team::open(accounts.vault()).await?;
        let format = if options.readable { TrailCsv::Readable(language, zone) } else { TrailCsv::Technical };
        return tauri::async_runtime::spawn_blocking(move || {
            save_export(&app, &saved, &name, language, |w| {
                // The trail has no count: progress says the rows written so far (total 0).
                let progress = |done| {
                    let _ = app.emit("history-export-progress", (done, 0u64));
                };
                tauri::async_runtime::block_on(trail_csv::export(&team, &filter, format, w, progress))
            })
        })
        .await
        .map_err(|e| Error::internal(e.to_string()))?;
    }
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || {
        save_export(&app, &saved, &name, language, |w| {
            let mut last = 0u64;
            let progress = |done, total| {
                if done == total || done >= last + 2000 {
                    last = done;
                    let _ = app.emit("history-export-progress", (done, total));
                }
            };
            if options.readable {
                history.export_readable_csv(&filter, language, zone, w, progress)
            } else {
                history.export_csv(&filter, w, progress)
            }
        })
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Asks where to save `name` (the Save dialog in `language`; see `crate::save`) and writes it there with
/// `write`. `None`: the user cancelled. Blocks while the dialog is open: call it off the main thread.
pub(crate) fn save_export<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    saved: &SavedFiles,
    name: &str,
    language: Language,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<u64, Error>,
) -> Result<Option<ExportResult>, Error> {
    let title = Catalog::of(language).text("common.save_as");
    let Some(path) = crate::save::choose_path(app, name, &title)? else { return Ok(None) };
    crate::save::write_file(saved, &path, write).map(Some)
}

/// Shows a file saved in this session in the system's file manager.
#[tauri::command]
pub async fn show_in_folder(state: tauri::State<'_, AppState>, path: String) -> Result<(), Error> {
    let saved = state.saved_files.clone();
    tauri::async_runtime::spawn_blocking(move || crate::save::show_in_folder(&saved, &path))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

/// The results of one look-up (the Query screen's serials, up to 100) as shown.
#[tauri::command]
pub async fn action_results(state: tauri::State<'_, AppState>, history_id: i64) -> Result<ResultsView, Error> {
    let history = state.history().await?;
    tauri::async_runtime::spawn_blocking(move || {
        let (op, rows) = results::action_results(&history, history_id)?;
        Ok(ResultsView::of(&op.name, rows, usize::MAX))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Saves the results of one look-up as CSV where the user chooses (see `callback_desk::results`).
/// `None`: the user cancelled the Save dialog.
#[tauri::command]
pub async fn save_action_results<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    history_id: i64,
    language: Option<String>,
) -> Result<Option<ExportResult>, Error> {
    let history = state.history().await?;
    let name = format!("callback-desk-lookup-{history_id}-{}.csv", chrono_stamp(state.clock.now_ms()));
    let language = Language::from_tag(language.as_deref().unwrap_or_default());
    let saved = state.saved_files.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let (op, rows) = results::action_results(&history, history_id)?;
        save_export(&app, &saved, &name, language, |w| results::write_csv(&op, &rows, w))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

pub(crate) fn chrono_stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.format("%Y%m%d-%H%M%S").to_string()).unwrap_or_default()
}
