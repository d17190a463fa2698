//! Desktop notifications of bulk jobs (a job finished, stopped (by an error or a cancel) or is waiting for
//! the provider's limit) and of team approvals (another member approved or rejected one of this member's
//! requests). Shown only while the window is not in front of the user (hidden, minimized to the
//! tray or not focused) and unless turned off in Settings; the texts come from the window's catalogs in its
//! language. Clicking one shows the window on that job (`show-job` event) or on the Approvals screen
//! (`show-approvals`).
//!
//! On Linux the notification is sent with notify-rust over libdbus, with a default action that the
//! notification server reports when it is clicked (tauri-plugin-notification shows only a title and a body
//! there and drops actions); elsewhere tauri-plugin-notification shows it.

use callback_desk::i18n::{format_time, Catalog, Language, Zone};
use callback_desk::jobs::{JobProgress, JobState};
use callback_desk::Error;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::Mutex;
use tauri::{Emitter, Manager, Runtime};

/// The event that shows a job in the window (its id).
pub const SHOW_JOB_EVENT: &str = "show-job";
/// The event that shows the Approvals screen (the approval's id).
pub const SHOW_APPROVALS_EVENT: &str = "show-approvals";

/// What a click on a notification shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Click {
    Job(i64),
    Approval(i64),
}

/// A wait shorter than this is part of a job's normal pace (a per-minute budget waits up to a minute) and is not
/// announced.
pub const WAIT_WORTH_TELLING_MS: i64 = 120_000;

/// What a job's report tells the user about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Every call was made (some may have failed).
    Finished,
    /// The job stopped on an error and waits, paused, for the user.
    Stopped,
    /// The job was cancelled.
    Cancelled,
    /// The job waits for the provider's budget (or anything else it waits for) for a while.
    Waiting,
}

/// What a job reports, as the notifications need it.
#[derive(Debug, Clone)]
pub struct JobReport<'a> {
    pub progress: &'a JobProgress,
    pub account: &'a str,
    /// Why the job stopped, when an error stopped it.
    pub error: Option<&'a Error>,
    /// Whether this report is the job's last of this run (the runner returned).
    pub ended: bool,
}

/// The alert a report calls for, from the job's state: `None` for the reports of a job that simply goes on,
/// and for a wait already announced (`wait_announced`) or too short to matter.
pub fn alert_for(report: &JobReport<'_>, now_ms: i64, wait_announced: bool) -> Option<AlertKind> {
    let p = report.progress;
    match p.state {
        JobState::Done => report.ended.then_some(AlertKind::Finished),
        JobState::Cancelled => report.ended.then_some(AlertKind::Cancelled),
        // Paused by the user says nothing; paused by an error (no keyring, budget used up) is a stop.
        JobState::Paused | JobState::Interrupted => {
            (report.ended && report.error.is_some()).then_some(AlertKind::Stopped)
        }
        JobState::Running => match p.waiting_until_ms {
            Some(until) if !wait_announced && until - now_ms >= WAIT_WORTH_TELLING_MS => Some(AlertKind::Waiting),
            _ => None,
        },
    }
}

/// Whether an alert is shown: notifications are on and the window is not in front of the user.
pub fn should_show(enabled: bool, window_in_front: bool) -> bool {
    enabled && !window_in_front
}

/// A notification's title and body in `language`, times in `zone`.
pub fn texts(kind: AlertKind, report: &JobReport<'_>, language: Language, zone: Zone) -> (String, String) {
    let c = Catalog::of(language);
    let p = report.progress;
    let n = |v: u64| Value::from(language.number(v as i64));
    let mut params: Map<String, Value> = json!({
        "account": report.account,
        "done": n(p.done),
        "total": n(p.total),
        "ok": n(p.ok),
        "failed": n(p.failed),
        "unknown": n(p.unknown),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let (title, body) = match kind {
        // As the window's Jobs panel reads a finished job: all good, all failed, or some of each.
        AlertKind::Finished if p.failed == 0 && p.unknown == 0 => ("finished_title", "finished_body"),
        AlertKind::Finished if p.ok == 0 && p.unknown == 0 => ("failed_title", "failed_body"),
        AlertKind::Finished => ("finished_problems_title", "finished_problems_body"),
        AlertKind::Cancelled => ("cancelled_title", "cancelled_body"),
        AlertKind::Stopped => {
            params.insert("reason".into(), Value::from(report.error.map(|e| reason(c, e)).unwrap_or_default()));
            ("stopped_title", "stopped_body")
        }
        AlertKind::Waiting => {
            let until = p.waiting_until_ms.unwrap_or_default();
            params.insert("time".into(), Value::from(format_time(until, language, zone)));
            ("waiting_title", "waiting_body")
        }
    };
    (c.text(&format!("notifications.{title}")), c.t(&format!("notifications.{body}"), &params))
}

/// An error in words, as the window says it.
fn reason(c: &Catalog, e: &Error) -> String {
    let key = format!("errors.{}", e.code.as_str());
    if c.has(&key) {
        c.t(&key, &e.params)
    } else {
        e.code.as_str().to_owned()
    }
}

/// The jobs whose current wait was announced (a wait is announced once; a call sent ends it).
static WAITS_ANNOUNCED: Mutex<Option<HashSet<i64>>> = Mutex::new(None);

fn wait_announced(job_id: i64, announce: Option<bool>) -> bool {
    let mut guard = WAITS_ANNOUNCED.lock().unwrap_or_else(|e| e.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    match announce {
        Some(true) => !set.insert(job_id),
        Some(false) => set.remove(&job_id),
        None => set.contains(&job_id),
    }
}

/// Called with each report of a job running in this app: shows the notification it calls for, if any.
pub fn job_report<R: Runtime>(app: &tauri::AppHandle<R>, report: &JobReport<'_>) {
    let id = report.progress.job_id;
    if report.progress.waiting_until_ms.is_none() || report.ended {
        wait_announced(id, Some(false));
    }
    let now = chrono::Utc::now().timestamp_millis();
    let Some(kind) = alert_for(report, now, wait_announced(id, None)) else { return };
    if kind == AlertKind::Waiting {
        wait_announced(id, Some(true));
    }
    let settings = crate::commands::prefs::notification_settings(app);
    if !should_show(settings.enabled, window_in_front(app)) {
        return;
    }
    let (title, body) = texts(kind, report, settings.language, settings.zone);
    tracing::info!(job = id, kind = ?kind, "job notification");
    show(app, Click::Job(id), &title, &body, &Catalog::of(settings.language).text("notifications.open_job"));
}

/// The title and body of a decision on this member's approval request, in `language`.
pub fn approval_texts(d: &crate::team_watch::Decision, language: Language) -> (String, String) {
    let c = Catalog::of(language);
    let params: Map<String, Value> = json!({
        "id": d.id,
        "by": d.by,
        "account": d.account,
        "reason": d.reason.clone().unwrap_or_default(),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let (title, body) = if d.approved {
        ("approval_approved_title", "approval_approved_body")
    } else {
        ("approval_rejected_title", "approval_rejected_body")
    };
    (c.t(&format!("notifications.{title}"), &params), c.t(&format!("notifications.{body}"), &params))
}

/// Called when another member decided one of this member's requests: notifies unless the window is in front.
pub fn approval_decided<R: Runtime>(app: &tauri::AppHandle<R>, d: &crate::team_watch::Decision) {
    let settings = crate::commands::prefs::notification_settings(app);
    if !should_show(settings.enabled, window_in_front(app)) {
        return;
    }
    let (title, body) = approval_texts(d, settings.language);
    tracing::info!(approval = d.id, approved = d.approved, "approval notification");
    show(
        app,
        Click::Approval(d.id),
        &title,
        &body,
        &Catalog::of(settings.language).text("notifications.open_approvals"),
    );
}

/// Whether the main window is visible, not minimized and focused.
fn window_in_front<R: Runtime>(app: &tauri::AppHandle<R>) -> bool {
    app.get_webview_window(crate::window::MAIN).is_some_and(|w| {
        w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false) && w.is_focused().unwrap_or(false)
    })
}

/// Shows the window on job `id` (a click on its notification).
pub fn show_job<R: Runtime>(app: &tauri::AppHandle<R>, id: i64) {
    crate::background::reopen(app);
    let _ = app.emit(SHOW_JOB_EVENT, id);
}

/// Shows the window on what a notification is about (a click on it).
fn show_clicked<R: Runtime>(app: &tauri::AppHandle<R>, click: Click) {
    match click {
        Click::Job(id) => show_job(app, id),
        Click::Approval(id) => {
            crate::background::reopen(app);
            let _ = app.emit(SHOW_APPROVALS_EVENT, id);
        }
    }
}

#[cfg(target_os = "linux")]
fn show<R: Runtime>(app: &tauri::AppHandle<R>, click: Click, title: &str, body: &str, open_label: &str) {
    let mut n = notify_rust::Notification::new();
    n.appname(&app.config().product_name.clone().unwrap_or_else(|| "Callback Desk".into()))
        .summary(title)
        .body(body)
        // The app's icon in the desktop's icon theme, where the installers put it under the binary's name.
        .icon(env!("CARGO_BIN_NAME"))
        // The action a click on the notification runs.
        .action("default", open_label);
    let app = app.clone();
    // Waiting for the click blocks until the notification is closed: a thread of its own.
    std::thread::spawn(move || match n.show() {
        Ok(handle) => handle.wait_for_action(|action| {
            if action == "default" {
                let shower = app.clone();
                let _ = app.run_on_main_thread(move || show_clicked(&shower, click));
            }
        }),
        Err(e) => tracing::warn!(error = %e, "notification not shown"),
    });
}

#[cfg(not(target_os = "linux"))]
fn show<R: Runtime>(app: &tauri::AppHandle<R>, _click: Click, title: &str, body: &str, _open_label: &str) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "notification not shown");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callback_desk::ErrorCode;

    fn progress(state: JobState, done: u64, waiting_until_ms: Option<i64>) -> JobProgress {
        JobProgress {
            job_id: 7,
            state,
            done,
            total: 40,
            ok: done,
            failed: 0,
            unknown: 0,
            throttled: 0,
            eta_seconds: 0,
            estimated_at_ms: None,
            waiting_until_ms,
        }
    }

    fn report<'a>(p: &'a JobProgress, error: Option<&'a Error>, ended: bool) -> JobReport<'a> {
        JobReport { progress: p, account: "Sandbox · CCPayment", error, ended }
    }

    #[test]
    fn a_job_that_ends_or_waits_long_calls_for_one_alert() {
        let now = 1_000_000;
        let done = progress(JobState::Done, 40, None);
        assert_eq!(alert_for(&report(&done, None, true), now, false), Some(AlertKind::Finished));
        let cancelled = progress(JobState::Cancelled, 12, None);
        assert_eq!(alert_for(&report(&cancelled, None, true), now, false), Some(AlertKind::Cancelled));
        let budget = Error::new(ErrorCode::BudgetExhausted);
        let stopped = progress(JobState::Paused, 12, None);
        assert_eq!(alert_for(&report(&stopped, Some(&budget), true), now, false), Some(AlertKind::Stopped));
        // A pause the user asked for is no news to them.
        assert_eq!(alert_for(&report(&stopped, None, true), now, false), None);
        // A running job's reports: a long wait once, a short wait (a per-minute pace) and calls never.
        let long_wait = progress(JobState::Running, 12, Some(now + 3_600_000));
        assert_eq!(alert_for(&report(&long_wait, None, false), now, false), Some(AlertKind::Waiting));
        assert_eq!(alert_for(&report(&long_wait, None, false), now, true), None);
        for pace in [20_000, 60_000] {
            let short_wait = progress(JobState::Running, 12, Some(now + pace));
            assert_eq!(alert_for(&report(&short_wait, None, false), now, false), None);
        }
        let sent = progress(JobState::Running, 13, None);
        assert_eq!(alert_for(&report(&sent, None, false), now, false), None);
        // The "done" report the runner sends before it returns is not the end yet: one alert per end.
        assert_eq!(alert_for(&report(&done, None, false), now, false), None);
    }

    #[test]
    fn a_decision_on_my_request_reads_in_the_three_languages() {
        let approved = crate::team_watch::Decision {
            id: 7,
            approved: true,
            by: "carol".into(),
            account: "Prod".into(),
            reason: None,
        };
        let (title, body) = approval_texts(&approved, Language::En);
        assert_eq!(title, "Request #7 approved");
        assert!(body.contains("carol") && body.contains("Prod"), "{body}");
        let rejected = crate::team_watch::Decision { approved: false, reason: Some("wrong day".into()), ..approved };
        for language in Language::ALL {
            let (title, body) = approval_texts(&rejected, language);
            assert!(title.contains('7') && !title.contains("notifications."), "{title}");
            assert!(body.contains("wrong day") && !body.contains("{{"), "{body}");
        }
    }

    #[test]
    fn alerts_show_only_when_on_and_the_window_is_not_in_front() {
        assert!(should_show(true, false));
        assert!(!should_show(true, true));
        assert!(!should_show(false, false));
        assert!(!should_show(false, true));
    }

    #[test]
    fn each_alert_reads_in_the_three_languages() {
        let done = progress(JobState::Done, 40, None);
        let (title, body) = texts(AlertKind::Finished, &report(&done, None, true), Language::En, Zone::Utc);
        assert_eq!(title, "Job finished");
        assert_eq!(body, "Sandbox · CCPayment: all 40 requests succeeded.");
        let mut mixed = progress(JobState::Done, 1200, None);
        (mixed.total, mixed.ok, mixed.failed, mixed.unknown) = (1200, 1197, 2, 1);
        let (title, body) = texts(AlertKind::Finished, &report(&mixed, None, true), Language::PtBr, Zone::Utc);
        assert_eq!(title, "Trabalho concluído com problemas");
        assert!(
            body.contains("1.197 de 1.200") && body.contains("2 falharam") && body.contains("1 com resultado"),
            "{body}"
        );
        let mut failed = progress(JobState::Done, 40, None);
        (failed.ok, failed.failed) = (0, 40);
        let (title, body) = texts(AlertKind::Finished, &report(&failed, None, true), Language::En, Zone::Utc);
        assert_eq!(title, "Job failed");
        assert_eq!(body, "Sandbox · CCPayment: all 40 requests failed. Open the job to see why.");
        let budget = Error::new(ErrorCode::BudgetExhausted);
        let stopped = progress(JobState::Paused, 12, None);
        let (title, body) =
            texts(AlertKind::Stopped, &report(&stopped, Some(&budget), true), Language::ZhCn, Zone::Utc);
        assert_eq!(title, "任务已停止");
        let reason = Catalog::of(Language::ZhCn).text("errors.budget.exhausted");
        assert!(body.contains("12") && body.ends_with(&reason), "{body}");
        let at = 1_733_320_805_000; // 2024-12-04 14:00:05 UTC
        let waiting = progress(JobState::Running, 12, Some(at));
        let (_, body) = texts(AlertKind::Waiting, &report(&waiting, None, false), Language::En, Zone::Utc);
        assert!(body.ends_with("The next one goes out at 04/12/2024 14:00:05."), "{body}");
        // No placeholder is left unfilled in any language.
        for language in Language::ALL {
            for kind in [AlertKind::Finished, AlertKind::Stopped, AlertKind::Cancelled, AlertKind::Waiting] {
                for p in [&done, &mixed, &failed] {
                    let (title, body) = texts(kind, &report(p, Some(&budget), true), language, Zone::Utc);
                    assert!(!title.contains("notifications.") && !title.is_empty(), "{title}");
                    assert!(!body.contains("{{") && !body.contains("notifications."), "{body}");
                }
            }
        }
    }
}
