"""End-to-end test of work that goes on when the window closes, in the real window against the built-in sandbox.
The desktop is real too: a notification server (dunst, started by run.sh on the session's bus) and a
StatusNotifierWatcher (desktop.py: the part of a desktop's panel that tray icons register with); the window is
closed as a window manager's close button does (WM_DELETE_WINDOW).

- Settings offers the notifications switch, on; photographed in light and dark, in the three languages.
- An Avista job of 25 resends runs, each slowed by the sandbox. Closing the window asks what to do with it
  (photographed in light and dark, in the three languages; axe finds no serious or critical violation in it);
  "Keep the window open" keeps it.
- "Keep running in the background": the window goes, the job goes on (the sandbox counts more resends), and the
  tray icon's menu says how far it is; the tray's "Open Callback Desk" shows the window again.
- Into the background again, the job finishes there: the notification server shows "Job finished"; clicking
  it (its default action) shows the window on that job; the notification is then in `dunstctl history`.
- With notifications turned off in Settings, a job finishing in the background shows none.
- With no job running, closing the window quits the app, as before.
- The tray's "Quit" pauses the running job after the request in flight (the command-line companion then reads it
  paused, not interrupted), then quits.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from axe import audit, blocking, summary
from desktop import dunstctl, notification_history, notifications_shown, shown_window, start_watcher, tray_click, tray_menu, tray_status
from test_shell import APP, LANGS, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import CLI, set_value
from test_theme import choose_theme
from test_workflows import AVISTA, click, exists, sandbox_accounts, select_account, shot
from webdriver import Session, app_pids
from x11close import close_windows_of

TITLE = "Callback Desk"
JOB = "[data-testid=job-card]"
CALLS = 25
DELAY_MS = 3000


def sandbox_root(s):
    """The sandbox's root URL, from the receiver URL the Avista form is given by "the sandbox's receiver"."""
    click(s, "[data-testid=op-url-receiver]")
    url = s.wait_for(lambda: s.execute("return document.querySelector('[data-testid=op-url]').value;"), "the receiver URL")
    return "/".join(url.split("/")[:3])


def avista_resends(root):
    return json.loads(urllib.request.urlopen(f"{root}/__sandbox/state", timeout=10).read())["calls"].get("avista", 0)


def inject(root, fault):
    req = urllib.request.Request(f"{root}/__sandbox/faults", method="POST", data=json.dumps(fault).encode(),
                                 headers={"Content-Type": "application/json"})
    assert json.loads(urllib.request.urlopen(req, timeout=10).read())["pending_faults"], fault


def clear_faults(root):
    urllib.request.urlopen(urllib.request.Request(f"{root}/__sandbox/faults", method="DELETE"), timeout=10).read()


def to_background(s):
    """Answers "Keep running in the background". Clicked from the page's script: a WebDriver click waits for the
    window to paint again, which a hidden window does not."""
    s.find("[data-testid=close-background]")
    s.execute("setTimeout(() => document.querySelector('[data-testid=close-background]').click(), 0);")
    s.wait_for(lambda: shown_window(TITLE) is None, "the window hidden")


def job_state(s, job):
    return s.attr(f"{JOB}[data-job-id='{job}']", "data-state")


def ask_to_close(s):
    """Closes the shown window as its close button does."""
    s.wait_for(lambda: shown_window(TITLE), "the window shown")
    assert close_windows_of(set(app_pids(APP))) >= 1, "the app's window was not found"


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    tray_dir = tempfile.mkdtemp(prefix="callback-desk-e2e-tray-")
    tray_file = os.path.join(tray_dir, "items")
    watcher = start_watcher(tray_file)
    s = Session(SERVER, APP)
    t = catalog("en")
    state = {}
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("Settings: notifications are on by default (light and dark, three languages)")
        def _():
            for theme in ["light", "dark"]:
                choose_theme(s, theme)
                for lang in LANGS:
                    set_language(s, lang)
                    s.find("[data-testid=notifications-field]")
                    assert s.execute("return document.querySelector('[data-testid=notifications-toggle]').checked;")
                    s.execute("document.querySelector('[data-testid=notifications-field]').scrollIntoView({block: 'center'});")
                    shot(s, f"{theme}-{lang}-settings-notifications.png")
                    assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")

        @check(f"an Avista job of {CALLS} slowed resends starts")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, AVISTA)
            root = state["root"] = sandbox_root(s)
            clear_faults(root)
            inject(root, {"provider": "avista", "kind": "delay", "ms": DELAY_MS, "count": CALLS + 5, "path": "resend-webhook"})
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=bulk-list]", "\n".join(f"PAG-2024-{i:04d}" for i in range(1, CALLS + 1)))
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
            job = state["job"] = s.execute("return Number(document.querySelector(arguments[0]).dataset.jobId);", JOB)
            assert job_state(s, job) == "running", job_state(s, job)

        @check("closing the window while it runs asks first (light and dark, three languages); 'Keep the window open' keeps it")
        def _():
            for theme in ["dark", "light"]:
                choose_theme(s, theme)
                for lang in LANGS:
                    set_language(s, lang)
                    ask_to_close(s)
                    s.find("[data-testid=close-dialog]")
                    tl = catalog(lang)
                    assert s.text("[data-testid=close-background]").startswith(tl("background.keep")), s.text("[data-testid=close-background]")
                    shot(s, f"{theme}-{lang}-close-dialog.png")
                    assert not missing_keys(s), missing_keys(s)
                    if lang == "en":
                        found = audit(s)
                        print(f"     axe, the question on closing, {theme}: {summary(found)}")
                        assert not blocking(found), blocking(found)
                    click(s, "[data-testid=close-stay]")
                    s.wait_for(lambda: not exists(s, "[data-testid=close-dialog]"), "the question gone")
                    assert shown_window(TITLE), "the window went although the user kept it"
            choose_theme(s, "system")
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            assert job_state(s, state["job"]) == "running", "the job ended before the window was closed: slow it more"

        @check("'Keep running in the background': the window goes, the job goes on, the tray shows how far it is")
        def _():
            ask_to_close(s)
            to_background(s)
            assert app_pids(APP), "the app quit"
            before = avista_resends(state["root"])
            s.wait_for(lambda: tray_status(tray_file) == "Active", "the tray icon shown", timeout=30)
            menu = s.wait_for(lambda: tray_menu(tray_file), "the tray icon's menu")
            labels = [e["label"] for e in menu]
            assert t("background.tray_open") in labels and t("background.tray_quit") in labels, labels
            progress = [e for e in menu if re.fullmatch(rf"Job: \d+ of {CALLS} sent", e["label"])]
            assert progress and not progress[0]["enabled"], labels
            s.wait_for(lambda: avista_resends(state["root"]) > before, "another resend sent in the background", timeout=30)
            s.wait_for(lambda: [e["label"] for e in tray_menu(tray_file) or []] != labels, "the tray's progress moving", timeout=30)

        @check("the tray's 'Open Callback Desk' shows the window again and hides the tray icon")
        def _():
            tray_click(tray_file, t("background.tray_open"))
            s.wait_for(lambda: shown_window(TITLE), "the window shown again")
            s.wait_for(lambda: tray_status(tray_file) == "Passive", "the tray icon hidden")
            s.find("[data-testid=app-shell]")
            assert job_state(s, state["job"]) == "running", job_state(s, state["job"])

        @check("the job finishes in the background: a notification says so, and clicking it shows that job")
        def _():
            ask_to_close(s)
            to_background(s)
            assert tray_status(tray_file) == "Active", tray_status(tray_file)
            s.wait_for(lambda: notifications_shown() > 0, "a notification", timeout=CALLS * DELAY_MS / 1000 + 60)
            menu = tray_menu(tray_file)
            assert f"Job finished: {CALLS} of {CALLS} sent" in [e["label"] for e in menu], menu
            # The notification's default action, as a click on it.
            dunstctl("action", "0")
            s.wait_for(lambda: shown_window(TITLE), "the window shown by the notification")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.history.title"), "History")
            s.find("[data-testid=filter-job]")
            assert str(state["job"]) in s.text("[data-testid=filter-job]"), s.text("[data-testid=filter-job]")
            shot(s, "en-background-notification-opened-job.png")
            dunstctl("close-all")
            history = s.wait_for(lambda: notification_history(), "the notification in dunst's history")
            summary, body = history[0]
            assert summary == t("notifications.finished_title"), history
            assert body.startswith(f"{AVISTA}:") and f"{CALLS}" in body, body

        @check("with notifications turned off in Settings, a job that finishes in the background shows none")
        def _():
            click(s, "[data-testid=nav-settings]")
            click(s, "[data-testid=notifications-toggle]")
            s.find("[data-testid=notifications-saved]")
            assert not s.execute("return document.querySelector('[data-testid=notifications-toggle]').checked;")
            before = len(notification_history())
            click(s, "[data-testid=nav-resend]")
            select_account(s, AVISTA)
            inject(state["root"], {"provider": "avista", "kind": "delay", "ms": DELAY_MS, "count": 3, "path": "resend-webhook"})
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=bulk-list]", "PAG-2024-0001\nPAG-2024-0002\nPAG-2024-0003")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
            ask_to_close(s)
            to_background(s)
            s.wait_for(lambda: "Job finished: 3 of 3 sent" in [e["label"] for e in tray_menu(tray_file) or []],
                       "the job finished (the tray says so)", timeout=60)
            assert notifications_shown() == 0 and len(notification_history()) == before, dunstctl("history")
            tray_click(tray_file, t("background.tray_open"))
            s.wait_for(lambda: shown_window(TITLE), "the window shown again")
            click(s, "[data-testid=nav-settings]")
            click(s, "[data-testid=notifications-toggle]")
            s.find("[data-testid=notifications-saved]")

        @check("with no job running, closing the window quits the app")
        def _():
            clear_faults(state["root"])
            ask_to_close(s)
            s.wait_for(lambda: not app_pids(APP), "the app quit", timeout=30)
        @check("the tray's 'Quit' pauses the running job after the request in flight, then quits")
        def _():
            nonlocal s
            s.close()  # the session of the app that quit
            s = Session(SERVER, APP)
            click(s, "[data-testid=nav-resend]")
            select_account(s, AVISTA)
            root = sandbox_root(s)
            inject(root, {"provider": "avista", "kind": "delay", "ms": DELAY_MS, "count": CALLS + 5, "path": "resend-webhook"})
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=bulk-list]", "\n".join(f"PAG-2024-{i:04d}" for i in range(1, CALLS + 1)))
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
            job = s.execute("return Number(document.querySelector(arguments[0]).dataset.jobId);", JOB)
            ask_to_close(s)
            to_background(s)
            s.wait_for(lambda: tray_status(tray_file) == "Active", "the tray icon shown", timeout=30)
            tray_click(tray_file, t("background.tray_quit"))
            s.wait_for(lambda: not app_pids(APP), "the app quit", timeout=30)
            # Read by the command-line companion: a job whose runner vanished mid-run would read "interrupted".
            jobs = json.loads(subprocess.run([CLI, "bulk", "list"], capture_output=True, text=True, check=True).stdout)
            quit_job = next(j for j in jobs if j["id"] == job)
            assert quit_job["state"] == "paused" and 0 < quit_job["next_index"] < CALLS, quit_job
            assert quit_job["unknown"] == 0, quit_job
    finally:
        s.close()
        watcher.terminate()
        watcher.wait(timeout=10)
        shutil.rmtree(tray_dir, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
