"""Crash safety of bulk jobs in the real app window: kill -9 during a 1,000-call job.

A sandbox runs as its own process (`callback-desk-cli sandbox --no-limits`), with every CYBAVO answer
delayed a little so the job takes long enough to be killed in the middle. A CYBAVO account with an agreed
6,000 calls per minute is added through the Accounts form, and a per-id resend of 1,000 notification ids
is started from the Resend screen. While it runs, the app process is killed with SIGKILL (no chance to
clean up). The app is started again over the same data folder; then:

- the job is shown interrupted, with what was done, and a Resume button;
- every call the job started is in History (read back through `callback-desk-cli history list --json
  --job-id`) as ok, failed or unknown, none pending, and they are exactly the first calls of the plan in
  order, none missing;
- Resume finishes the job, and History then holds every one of the 1,000 ids.
"""

import json
import os
import signal
import subprocess
import sys
import time

from test_shell import APP, SERVER, check, finish, set_language
from test_accounts import CLI, card_by_label, set_value, start_sandbox
from test_faults import add_account, inject
from test_workflows import click, select_account, shot
from webdriver import Session, app_pids
import test_jobs

# The card of this test's job (set once it exists; other tests' jobs may be listed too).
JOB = "[data-testid=job-card]"
LABEL = "Crash test · CYBAVO"
TOTAL = 1000
IDS = [90000010000 + i for i in range(TOTAL)]


def job_ids(s):
    return set(s.execute("return [...document.querySelectorAll('[data-testid=job-card]')].map(c => c.dataset.jobId);"))


def job_attr(s, name):
    return test_jobs.job_attr(s, name, JOB)


def job_text(s, testid):
    return test_jobs.job_text(s, testid, JOB)


def job_rows(job_id):
    out = subprocess.run([CLI, "history", "list", "--json", "--job-id", str(job_id), "--limit", "100000"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    rows.sort(key=lambda r: r["id"])
    return rows


def ids_of(rows):
    """The notification id of each row, read from its scope (e.g. "notification_id 90000010000")."""
    found = []
    for r in rows:
        digits = [w for w in r["scope"].replace("=", " ").replace(":", " ").split() if w.isdigit()]
        assert digits, f"no id in the scope of history row {r['id']}: {r['scope']!r}"
        found.append(int(digits[-1]))
    return found


def main():
    sandbox, demo = start_sandbox(["--no-limits"])
    root = "/".join(demo["cybavo"]["base_url"].split("/")[:3])  # scheme://host:port
    s = Session(SERVER, APP)
    state = {}
    try:
        @check("a CYBAVO account with an agreed 6,000 calls per minute is added through the form")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-accounts]")
            account = dict(demo["cybavo"], calls_per_minute="6000")
            add_account(s, "cybavo", account, LABEL)
            assert card_by_label(s, LABEL)

        @check("a 1,000-call per-id resend job starts from the Resend screen")
        def _():
            # Every CYBAVO answer takes 25 ms more, so the job runs for a while.
            inject(root, {"provider": "cybavo", "kind": "delay", "ms": 25, "count": 100000})
            click(s, "[data-testid=nav-resend]")
            select_account(s, LABEL)
            click(s, "[data-testid=mode-bulk] input")
            click(s, "[data-testid=bulk-ids-list]")
            set_value(s, "[data-testid=bulk-list]", "\n".join(str(i) for i in IDS))
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            calls = s.text("[data-testid=plan-calls]")
            assert calls.replace(",", "").startswith(str(TOTAL)), calls
            if s.execute("return !!document.querySelector('[data-testid=plan-tick]');"):
                click(s, "[data-testid=plan-tick]")
            if s.execute("return !!document.querySelector('[data-testid=plan-type-name]');"):
                set_value(s, "[data-testid=plan-type-name]", LABEL)
            before = job_ids(s)
            click(s, "[data-testid=plan-start]")
            new = s.wait_for(lambda: job_ids(s) - before, "the new job's card", timeout=30)
            global JOB
            state["job"] = int(next(iter(new)))
            JOB = f"[data-testid=job-card][data-job-id='{state['job']}']"

        @check("kill -9 of the app in the middle of the job")
        def _():
            def done():
                text = job_text(s, "job-done") or ""
                digits = "".join(ch for ch in text.split("/")[0].split(" of ")[0] if ch.isdigit())
                return int(digits) if digits else 0
            s.wait_for(lambda: done() >= 150, "150 calls done", timeout=120)
            pids = app_pids(APP)
            assert pids, "the app process was not found"
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            state["killed_at"] = time.time()
            time.sleep(1)
            assert not app_pids(APP), "the app survived SIGKILL"

        @check("after the restart every call the job started is in History: ok, failed or unknown, none missing")
        def _():
            nonlocal s
            try:
                s.close()
            except Exception:  # the window it drove is gone
                pass
            rows = job_rows(state["job"])
            assert 150 <= len(rows) < TOTAL, f"{len(rows)} rows: the kill did not land mid-job"
            # Opening the store (here by the CLI, as the app does at start) settles rows left pending.
            outcomes = {r["outcome"] for r in rows}
            assert outcomes <= {"ok", "failed", "unknown"}, outcomes
            got = ids_of(rows)
            assert got == IDS[:len(got)], "the recorded calls are not the first calls of the plan, in order"
            state["before"] = len(rows)
            s = Session(SERVER, APP)
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            s.find(JOB, timeout=30)
            assert job_attr(s, "data-state") == "interrupted", job_attr(s, "data-state")
            note = job_text(s, "job-interrupted") or ""
            assert f"of {TOTAL:,}" in note or f"of {TOTAL}" in note, note
            s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", "[data-testid=jobs-panel]")
            shot(s, "en-jobs-after-crash.png")

        @check("Resume finishes the job; History then holds all 1,000 ids")
        def _():
            click(s, f"{JOB} [data-testid=job-resume]")
            s.wait_for(lambda: job_attr(s, "data-state") == "done", "the job done", timeout=240)
            rows = job_rows(state["job"])
            assert {r["outcome"] for r in rows} <= {"ok", "failed", "unknown"}
            got = ids_of(rows)
            assert set(got) == set(IDS), f"{len(set(IDS) - set(got))} ids never sent"
            # The call in flight at the kill stays `unknown` and is not sent again: one row per call.
            assert len(rows) == TOTAL, f"{len(rows)} rows for {TOTAL} calls"
    finally:
        try:
            s.close()
        except Exception:
            pass
        sandbox.terminate()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
