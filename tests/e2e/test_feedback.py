"""End-to-end test of the feedback that needs no watching, in the real app window.

Saving an account shows a brief confirmation; deleting one shows "Undo", which brings the account back (and
it stays after the undo's time has passed); a delete not undone happens when the window closes, and one
pending when the app is killed never happens (the account is whole after the restart). While a CCPayment job
runs (paced at 1 call a minute by the sandbox's budget), its card's time left counts down and it says until
when it waits for the budget. Photographs the confirmation and the job card in light and dark, in the three
languages.
"""

import os
import re
import signal
import sys
import time

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import set_value
from test_jobs import job_text, open_plan
from test_theme import choose_theme
from test_workflows import AVISTA, CCPAY, CEFFU, LANGS, click, exists, sandbox_accounts, shot
from webdriver import Session, app_pids
from x11close import close_windows_of

# The job this test starts (set once started: earlier test files may have left other jobs on the data folder).
JOB = None


def card(label):
    return f".account-card[data-label='{label}']"


def toast_text(s, testid):
    return s.execute("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                     f"[data-testid={testid}]")


def delete_account(s, label):
    click(s, "[data-testid=nav-accounts]")
    click(s, f"{card(label)} [data-testid=account-delete]")
    set_value(s, f"{card(label)} [data-testid=delete-typed]", label)
    click(s, f"{card(label)} [data-testid=delete-confirm-button]")
    s.find("[data-testid=toast-account-deleted]")
    s.wait_for(lambda: not exists(s, card(label)), f"{label} gone from the list")


def job_ids(s):
    return set(s.execute("return [...document.querySelectorAll('[data-testid=job-card]')].map(c => c.dataset.jobId);"))


def focused_in_toasts(s):
    return s.execute("return document.querySelector('[data-testid=toasts]').contains(document.activeElement);")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    t = catalog("en")
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("saving an account shows a brief confirmation, politely, without taking the focus")
        def _():
            click(s, f"{card(CCPAY)} [data-testid=account-edit]")
            s.find("[data-testid=account-form]")
            set_value(s, "[data-testid=form-notes]", "Checked by the finance team")
            click(s, "[data-testid=form-save]")
            s.find("[data-testid=account-saved]")
            assert s.text("[data-testid=account-saved]") == t("toast.account_saved").replace("{{label}}", CCPAY)
            assert s.attr("[data-testid=toasts]", "aria-live") == "polite"
            assert not focused_in_toasts(s), "the confirmation took the focus"
            click(s, "[data-testid=account-saved] ~ [data-testid=toast-dismiss]")
            s.wait_for(lambda: not exists(s, "[data-testid=account-saved]"), "dismissed")

        @check("deleting an account shows Undo, which brings it back; it stays after the undo's time")
        def _():
            delete_account(s, CEFFU)
            assert s.text("[data-testid=account-deleted]") == t("toast.account_deleted").replace("{{label}}", CEFFU)
            shot(s, "en-feedback-toast-undo.png")
            click(s, "[data-testid=toast-account-deleted] [data-testid=toast-undo]")
            s.find("[data-testid=account-restored]")
            s.wait_for(lambda: exists(s, card(CEFFU)), "Ceffu back in the list")
            # Past the 10 s the delete was held for: nothing deletes it.
            time.sleep(11)
            click(s, "[data-testid=nav-settings]")
            click(s, "[data-testid=nav-accounts]")
            s.wait_for(lambda: exists(s, card(CCPAY)), "accounts listed")
            assert exists(s, card(CEFFU)), "the undone delete happened anyway"

        @check("a delete not undone happens when the window closes")
        def _():
            nonlocal s
            delete_account(s, AVISTA)
            # Closed as the user closes it (the window manager's request), not ended by the driver.
            assert close_windows_of(set(app_pids(APP))) >= 1, "the app's window was not found"
            s.wait_for(lambda: not app_pids(APP), "the app exited with its window", timeout=20)
            try:
                s.close()
            except Exception:  # the window it drove is gone
                pass
            s = Session(SERVER, APP)
            set_language(s, "en")
            click(s, "[data-testid=nav-accounts]")
            s.wait_for(lambda: exists(s, card(CCPAY)), "accounts listed")
            assert not exists(s, card(AVISTA)), "the delete did not happen when the window closed"

        @check("a delete pending when the app is killed never happens: the account is whole after the restart")
        def _():
            nonlocal s
            delete_account(s, CEFFU)
            for pid in app_pids(APP):
                os.kill(pid, signal.SIGKILL)
            s.wait_for(lambda: not app_pids(APP), "the app killed")
            try:
                s.close()
            except Exception:  # the window it drove is gone
                pass
            s = Session(SERVER, APP)
            set_language(s, "en")
            click(s, "[data-testid=nav-accounts]")
            s.wait_for(lambda: exists(s, card(CEFFU)), "Ceffu still there after the crash")
            states = s.execute("return [...document.querySelectorAll(arguments[0] + ' [data-testid^=secret-state-]')]"
                               ".map(e => e.textContent);", card(CEFFU))
            assert states and all(x == t("accounts.secret_saved") for x in states), states

        @check("a running job's time left counts down, and it says until when it waits for the budget")
        def _():
            global JOB
            open_plan(s)
            before = job_ids(s)
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan dialog closed", timeout=20)
            new = s.wait_for(lambda: job_ids(s) - before, "the new job's card", timeout=30)
            JOB = f"[data-testid=job-card][data-job-id='{next(iter(new))}']"
            s.wait_for(lambda: job_text(s, "job-eta", JOB) and job_text(s, "job-waiting", JOB), "time left and the wait", timeout=40)
            first = job_text(s, "job-eta", JOB)
            assert re.match(r"About (\d+ min )?\d+ s left$|About \d+ min left$", first), first
            waiting = job_text(s, "job-waiting", JOB)
            assert re.match(r"Waiting for the provider's budget until \d\d:\d\d(:\d\d)?: next request in (\d+ min )?\d+ s$", waiting), waiting
            s.wait_for(lambda: job_text(s, "job-eta", JOB) != first, "the time left changed", timeout=5)
            assert job_text(s, "job-done", JOB) in ("1 of 5 done", "0 of 5 done"), job_text(s, "job-done", JOB)

        @check("the confirmation and the job card in light and dark, in the three languages")
        def _():
            for theme in ["light", "dark"]:
                choose_theme(s, theme)
                for lang in LANGS:
                    set_language(s, lang)
                    tl = catalog(lang)
                    click(s, "[data-testid=nav-resend]")
                    s.find(JOB)
                    s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", JOB)
                    assert job_text(s, "job-eta", JOB), "no time left shown"
                    shot(s, f"{theme}-{lang}-feedback-job.png")
                    click(s, "[data-testid=nav-accounts]")
                    shown = s.text(f"{card(CEFFU)} .account-label")
                    delete_account(s, CEFFU)
                    label = tl("toast.account_deleted").replace("{{label}}", shown)
                    assert toast_text(s, "account-deleted") == label, toast_text(s, "account-deleted")
                    shot(s, f"{theme}-{lang}-feedback-toast.png")
                    click(s, "[data-testid=toast-account-deleted] [data-testid=toast-undo]")
                    s.wait_for(lambda: exists(s, card(CEFFU)), "Ceffu back")
                    assert not missing_keys(s)
            set_language(s, "en")
            choose_theme(s, "system")
            click(s, "[data-testid=nav-resend]")
            click(s, f"{JOB} [data-testid=job-cancel]")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
