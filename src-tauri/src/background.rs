//! Work that goes on when the window closes. Closing the window while a job runs in this app asks first
//! (the window shows the question on `close-requested`): keep running in the background, pause the job,
//! or cancel it (each after the call in flight, then the app quits); with no job running, closing quits.
//! In the background the window is hidden and a tray icon shows: its menu says how far the job is, opens
//! the window again (which hides the icon) and quits (pausing what still runs).
//!
//! On Linux the tray is a StatusNotifierItem (libayatana-appindicator) whose menu is exported over
//! dbusmenu: desktops show it, and a click on the icon opens the menu (appindicator reports no clicks), so
//! "Open Callback Desk" is its first action. Where the tray cannot be made, the window is minimized instead.

use crate::state::AppState;
use callback_desk::i18n::Catalog;
use callback_desk::jobs::{JobProgress, JobState};
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{Emitter, Manager, Runtime};
use ts_rs::TS;

/// The event that asks the window what to do with the running jobs (their number).
pub const CLOSE_REQUESTED_EVENT: &str = "close-requested";

/// The tray icon's id.
const TRAY_ID: &str = "background";

/// How long quitting waits for the calls in flight before it quits anyway (their rows then read "unknown"
/// at the next start, as after any interruption).
const STOP_WAIT: Duration = Duration::from_secs(60);

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// Nothing runs: the window closes and the app quits.
    Quit,
    /// Jobs run: the window asks what to do with them.
    Ask { running: usize },
}

/// What closing the window does while `running` jobs run in this app.
pub fn close_action(running: usize) -> CloseAction {
    if running == 0 {
        CloseAction::Quit
    } else {
        CloseAction::Ask { running }
    }
}

/// The user's answer to the question on closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum CloseChoice {
    /// Hide the window; the jobs go on, the tray icon stays.
    Background,
    /// Pause the jobs after the call in flight, then quit.
    Pause,
    /// Cancel the jobs after the call in flight, then quit.
    Cancel,
}

/// The tray's progress line: its catalog key under `background.` for a job's latest report.
pub fn tray_line_key(p: Option<&JobProgress>) -> &'static str {
    match p.map(|p| (p.state, p.waiting_until_ms.is_some())) {
        None => "tray_idle",
        Some((JobState::Running, false)) => "tray_running",
        Some((JobState::Running, true)) => "tray_waiting",
        Some((JobState::Done, _)) => "tray_finished",
        Some(_) => "tray_stopped",
    }
}

/// The tray's menu items (once it has been made), whether it is shown, and the latest report of a job of
/// this app.
struct Tray<R: Runtime> {
    items: Mutex<Option<TrayItems<R>>>,
    shown: AtomicBool,
    latest: Mutex<Option<JobProgress>>,
}

/// The tray menu's items whose texts change.
struct TrayItems<R: Runtime> {
    open: MenuItem<R>,
    progress: MenuItem<R>,
    quit: MenuItem<R>,
}

impl<R: Runtime> Clone for TrayItems<R> {
    fn clone(&self) -> Self {
        TrayItems { open: self.open.clone(), progress: self.progress.clone(), quit: self.quit.clone() }
    }
}

/// Registers the tray's state (at start-up).
pub fn init<R: Runtime>(app: &tauri::AppHandle<R>) {
    app.manage(Tray::<R> { items: Mutex::new(None), shown: false.into(), latest: Mutex::new(None) });
}

/// The window was asked to close: quits when nothing runs here, else asks the window.
pub fn close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    let running = window.state::<AppState>().controls.lock().unwrap_or_else(|e| e.into_inner()).len();
    if let CloseAction::Ask { running } = close_action(running) {
        api.prevent_close();
        tracing::info!(running, "window closing while jobs run: asking");
        let _ = window.emit(CLOSE_REQUESTED_EVENT, running);
    }
}

/// Carries out the answer to the question on closing.
pub fn close_with<R: Runtime>(app: &tauri::AppHandle<R>, choice: CloseChoice) {
    tracing::info!(?choice, "window closing");
    match choice {
        CloseChoice::Background => to_background(app),
        CloseChoice::Pause | CloseChoice::Cancel => stop_and_quit(app, choice),
    }
}

/// Hides the window behind a tray icon (or minimizes it where no tray can be made).
fn to_background<R: Runtime>(app: &tauri::AppHandle<R>) {
    let Some(window) = app.get_webview_window(crate::window::MAIN) else { return };
    match show_tray(app) {
        Ok(()) => {
            let _ = window.hide();
        }
        Err(e) => {
            tracing::warn!(error = %e, "no tray icon: the window is minimized instead");
            let _ = window.minimize();
        }
    }
}

/// The tray's texts in the window's language.
fn catalog<R: Runtime>(app: &tauri::AppHandle<R>) -> &'static Catalog {
    Catalog::of(crate::commands::prefs::notification_settings(app).language)
}

fn progress_line<R: Runtime>(app: &tauri::AppHandle<R>, p: Option<&JobProgress>) -> String {
    let c = catalog(app);
    let language = c.language();
    let params = p
        .map(|p| {
            serde_json::json!({"done": language.number(p.done as i64), "total": language.number(p.total as i64)})
                .as_object()
                .cloned()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    c.t(&format!("background.{}", tray_line_key(p)), &params)
}

/// Shows the tray icon, made the first time; afterwards it is only hidden and shown again, so its D-Bus objects
/// (StatusNotifierItem, dbusmenu) stay the same while the app runs.
fn show_tray<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
    let tray = app.try_state::<Tray<R>>().ok_or("the tray's state is not registered")?;
    let latest = tray.latest.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let line = progress_line(app, latest.as_ref());
    let c = catalog(app);
    let existing = tray.items.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match (existing, app.tray_by_id(TRAY_ID)) {
        (Some(items), Some(icon)) => {
            // The language may have changed since.
            items.open.set_text(c.text("background.tray_open"))?;
            items.quit.set_text(c.text("background.tray_quit"))?;
            items.progress.set_text(&line)?;
            icon.set_tooltip(Some(&line))?;
            icon.set_visible(true)?;
        }
        _ => {
            let items = TrayItems {
                open: MenuItem::with_id(app, "open", c.text("background.tray_open"), true, None::<&str>)?,
                progress: MenuItem::with_id(app, "progress", &line, false, None::<&str>)?,
                quit: MenuItem::with_id(app, "quit", c.text("background.tray_quit"), true, None::<&str>)?,
            };
            let menu = Menu::with_items(
                app,
                &[&items.open, &items.progress, &PredefinedMenuItem::separator(app)?, &items.quit],
            )?;
            let mut builder = TrayIconBuilder::with_id(TRAY_ID)
                .menu(&menu)
                .tooltip(&line)
                .show_menu_on_left_click(false)
                .on_menu_event(|app, event| match event.id().as_ref() {
                    "open" => reopen(app),
                    "quit" => stop_and_quit(app, CloseChoice::Pause),
                    _ => {}
                })
                .on_tray_icon_event(|icon, event| {
                    if let TrayIconEvent::Click {
                        button: MouseButton::Left, button_state: MouseButtonState::Up, ..
                    } = event
                    {
                        reopen(icon.app_handle());
                    }
                });
            if let Some(icon) = app.default_window_icon() {
                builder = builder.icon(icon.clone());
            }
            builder.build(app)?;
            *tray.items.lock().unwrap_or_else(|e| e.into_inner()) = Some(items);
        }
    }
    tray.shown.store(true, Ordering::SeqCst);
    tracing::info!("tray icon shown");
    Ok(())
}

/// A job's report: kept for the tray, whose progress line follows it while it is shown.
pub fn job_report<R: Runtime>(app: &tauri::AppHandle<R>, p: &JobProgress) {
    let Some(tray) = app.try_state::<Tray<R>>() else { return };
    *tray.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.clone());
    if !tray.shown.load(Ordering::SeqCst) {
        return;
    }
    let items = tray.items.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(items) = items {
        let line = progress_line(app, Some(p));
        let _ = items.progress.set_text(&line);
        if let Some(icon) = app.tray_by_id(TRAY_ID) {
            let _ = icon.set_tooltip(Some(&line));
        }
    }
}

/// Shows the window again (from the tray, a notification or another launch) and hides the tray icon.
pub fn reopen<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(tray) = app.try_state::<Tray<R>>() {
        if tray.shown.swap(false, Ordering::SeqCst) {
            if let Some(icon) = app.tray_by_id(TRAY_ID) {
                let _ = icon.set_visible(false);
            }
            tracing::info!("tray icon hidden: the window is back");
        }
    }
    if let Some(window) = app.get_webview_window(crate::window::MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Pauses or cancels every job of this app after its call in flight, then quits once they have stopped.
fn stop_and_quit<R: Runtime>(app: &tauri::AppHandle<R>, choice: CloseChoice) {
    let state = app.state::<AppState>().inner().clone();
    for control in state.controls.lock().unwrap_or_else(|e| e.into_inner()).values() {
        match choice {
            CloseChoice::Cancel => control.cancel(),
            _ => control.pause(),
        }
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let started = std::time::Instant::now();
        while !state.controls.lock().unwrap_or_else(|e| e.into_inner()).is_empty() && started.elapsed() < STOP_WAIT {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tracing::info!("jobs stopped: quitting");
        app.exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_asks_only_while_a_job_runs() {
        assert_eq!(close_action(0), CloseAction::Quit);
        assert_eq!(close_action(1), CloseAction::Ask { running: 1 });
        assert_eq!(close_action(3), CloseAction::Ask { running: 3 });
    }

    #[test]
    fn the_tray_line_follows_the_job() {
        let mut p = JobProgress {
            job_id: 1,
            state: JobState::Running,
            done: 12,
            total: 40,
            ok: 12,
            failed: 0,
            unknown: 0,
            throttled: 0,
            eta_seconds: 0,
            estimated_at_ms: None,
            waiting_until_ms: None,
        };
        assert_eq!(tray_line_key(None), "tray_idle");
        assert_eq!(tray_line_key(Some(&p)), "tray_running");
        let en = Catalog::of(callback_desk::i18n::Language::En);
        let params = serde_json::json!({"done": "12", "total": "40"}).as_object().cloned().unwrap();
        assert_eq!(en.t("background.tray_running", &params), "Job: 12 of 40 sent");
        p.waiting_until_ms = Some(1);
        assert_eq!(tray_line_key(Some(&p)), "tray_waiting");
        p.state = JobState::Done;
        assert_eq!(tray_line_key(Some(&p)), "tray_finished");
        for state in [JobState::Paused, JobState::Cancelled, JobState::Interrupted] {
            p.state = state;
            assert_eq!(tray_line_key(Some(&p)), "tray_stopped");
        }
    }
}
