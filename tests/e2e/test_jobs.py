"""End-to-end test of bulk jobs in the real app window, against the built-in sandbox.

Starting from "Try it with simulated providers", it plans a CCPayment "resend everything since…" over the
last 5 hours (5 one-hour windows), checks the plan shown before anything is sent, starts it and sees the
first call go out at once and the job wait for CCPayment's budget (1 call a minute) with a countdown;
then cancels it, resumes it (waiting again), follows "See this job in History", and finally restarts the
app while the job runs to find it interrupted with a Resume button. No step waits for the budget.
On the Query screen it loads a CSV file of 150 serials (with a header, a duplicate and a line that is
no serial) through "Load from file…", runs the look-up as a job, saves the results file and reads it
from the export folder. Avista's identifiers come from a plain text file.
Photographs the plan, the Jobs panel and the loaded file in the three languages.
"""

import csv
import os
import pathlib
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import set_value
from test_workflows import AVISTA, CCPAY, CEFFU, CYBAVO, LANGS, click, count, exists, sandbox_accounts, select_account, shot, type_date
from webdriver import Session

JOB = "[data-testid=job-card][data-operation=resend-webhooks]"
QUERY_JOB = "[data-testid=job-card][data-operation=query-callbacks]"
EXPORT_DIR = os.environ.get("CALLBACK_DESK_EXPORT_DIR")
FILES = pathlib.Path(tempfile.mkdtemp(prefix="callback-desk-e2e-files-"))
RESULT_COLUMNS = ["id", "call", "outcome", "http_status", "provider_code", "error_code", "message", "history_id",
                  "type", "state", "processing_state", "callback_outcome", "currency", "amount", "fees", "time",
                  "order_id", "txid", "vout_index", "from_address", "to_address"]


def pick_file(s, css, path):
    """Chooses `path` in the file input `css`, as the file chooser would (WebDriver "send keys" to it)."""
    el = s.find(css)
    s.s("POST", f"/element/{el}/value", {"text": str(path)})


def serials_csv():
    """150 serials of the demo wallet's range with a header, a duplicate, a blank line and a bad line."""
    lines = ["created_at,serial,note"]
    for i in range(150):
        lines.append(f"2025-01-{1 + i % 28:02d},{90000000001 + i},batch {i // 50}")
        if i == 9:
            lines.append("2025-01-10,90000000001,repeated")
            lines.append("")
            lines.append("2025-01-10,n/a,no serial")
    path = FILES / "serials.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The bad line's number in the file (1-based): header + 10 rows + the repeat + the blank line.
    return path, 14


def read_results(path):
    if EXPORT_DIR:
        assert path.startswith(EXPORT_DIR), f"{path} not in {EXPORT_DIR}"
    text = pathlib.Path(path).read_text(encoding="utf-8-sig")
    assert "sbx55743" not in text and "x-checksum" not in text.lower(), "a secret or signature header is in the results"
    return list(csv.reader(text.splitlines()))


def job_attr(s, name, card=JOB):
    return s.execute(
        "const c = document.querySelector(arguments[0]); return c ? c.getAttribute(arguments[1]) : null;", card, name)


def job_text(s, testid, card=JOB):
    return s.execute(
        "const c = document.querySelector(arguments[0]);"
        "const e = c && c.querySelector('[data-testid=' + arguments[1] + ']'); return e ? e.textContent : null;",
        card, testid)


def done_count(s):
    """The number of calls the CCPayment job has made, from its "N of 5 done" line."""
    return int(job_text(s, "job-done").split()[0])


def history_rows_loaded(s):
    """The number of rows the History screen lists once it has loaded them (None while it loads)."""
    if exists(s, "[data-testid=history-no-match]"):
        return 0
    if exists(s, "[data-testid=history-count]") and s.text("[data-testid=history-count]").startswith("Showing"):
        return count(s, "[data-testid=history-row]")
    return None


def click_job(s, testid):
    click(s, f"{JOB} [data-testid={testid}]")


def open_plan(s, lang="en"):
    click(s, "[data-testid=nav-resend]")
    select_account(s, CCPAY)
    click(s, "[data-testid=mode-bulk] input")
    # Five hours that have passed, typed as a person does: five one-hour requests.
    start = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=5, minutes=1)
    type_date(s, "bulk-window-from", start, lang)
    type_date(s, "bulk-window-to", start + timedelta(hours=5), lang)
    click(s, "[data-testid=bulk-plan]")
    s.find("[data-testid=plan-dialog]")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    t = catalog("en")
    state = {}
    try:
        @check("simulated providers are set up from the Accounts screen")
        def _():
            sandbox_accounts(s)

        @check("CCPayment: the account's budget is shown next to the resend button")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CCPAY)
            s.find("[data-testid=budget-left]")
            left = s.text("[data-testid=budget-left]")
            assert re.search(r"\d+ of 25 requests left today", left), left
            state["fresh"] = s.text("[data-testid=budget-next]") == t("bulk.budget_next_now")
            shot(s, "en-jobs-budget.png")

        @check("'Resend everything since…' shows the plan before anything is sent")
        def _():
            open_plan(s)
            calls = s.text("[data-testid=plan-calls]")
            assert calls.startswith("5"), calls
            assert s.text("[data-testid=plan-days]").startswith("1"), s.text("[data-testid=plan-days]")
            duration = s.text("[data-testid=plan-duration]")
            assert re.search(r"\d+ min", duration), duration
            assert s.execute("return document.querySelector('[data-testid=plan-start]').disabled;"), "start enabled before the tick"
            assert not exists(s, JOB), "a job exists before the plan was confirmed"
            shot(s, "en-jobs-plan.png")

        @check("starting: the first call goes at once, then the job waits for the budget with a countdown")
        def _():
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan dialog closed", timeout=20)
            s.find(JOB)
            try:
                s.wait_for(lambda: job_text(s, "job-waiting"), "waiting countdown", timeout=40)
            except Exception:
                shot(s, "failed-jobs-waiting.png")
                raise
            assert job_attr(s, "data-state") == "running"
            done = job_text(s, "job-done")
            # With the budget unused the first call goes at once; after an earlier CCPayment call it may wait first.
            expect = ["1 of 5 done"] if state.get("fresh", True) else ["0 of 5 done", "1 of 5 done"]
            assert done in expect, done
            waiting = job_text(s, "job-waiting")
            assert re.search(r"next request in (\d+ min )?\d+ s", waiting), waiting
            if done == "1 of 5 done":
                assert job_text(s, "job-ok") == "1 succeeded", job_text(s, "job-ok")
            state["done"] = done
            shot(s, "en-jobs-running.png")

        @check("cancel stops the job; resume goes on and waits again")
        def _():
            before = int(state["done"].split()[0])
            click_job(s, "job-cancel")
            s.wait_for(lambda: job_attr(s, "data-state") == "cancelled", "cancelled", timeout=20)
            # A call whose wait ended while the cancel was on its way has left and is counted; no other.
            done = done_count(s)
            assert done in (before, before + 1), (before, done)
            assert job_text(s, "job-state") == t("bulk.state.cancelled")
            shot(s, "en-jobs-cancelled.png")
            time.sleep(2)
            assert done_count(s) == done, "a cancelled job went on sending"
            click_job(s, "job-resume")
            s.wait_for(lambda: job_attr(s, "data-state") == "running", "running again", timeout=20)
            s.wait_for(lambda: job_text(s, "job-waiting"), "waiting again", timeout=20)
            # Resumed after the budget's minute ended, the next call goes at once before the wait.
            again = done_count(s)
            assert again in (done, done + 1), (done, again)

        @check("'See this job in History' shows only the job's calls")
        def _():
            n = done_count(s)
            click_job(s, "job-history")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.history.title"), "history screen")
            s.find("[data-testid=filter-job]")
            # One more call may land while the screen opens (one a minute); none of another job or screen.
            s.wait_for(lambda: history_rows_loaded(s) in (n, n + 1), f"{n} history row(s)")
            shot(s, "en-jobs-history.png")

        @check("Ceffu, CYBAVO and Avista plans: one call per event type, serial or identifier")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CEFFU)
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=op-webhookId]", "1721442311151521794")
            click(s, "[data-testid=bulk-each-3]")
            click(s, "[data-testid=bulk-each-4]")
            click(s, "[data-testid=bulk-since-preset-day_ago]")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            assert s.text("[data-testid=plan-calls]").startswith("2"), s.text("[data-testid=plan-calls]")
            assert s.text("[data-testid=plan-note]") == t("bulk.note.ceffu")
            shot(s, "en-jobs-plan-ceffu.png")
            click(s, "[data-testid=plan-cancel]")
            select_account(s, CYBAVO)
            click(s, "[data-testid=mode-bulk] input")
            click(s, "[data-testid=bulk-ids-all]")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            assert s.text("[data-testid=plan-calls]").startswith("1")
            assert s.text("[data-testid=plan-note]") == t("bulk.note.cybavo_all")
            click(s, "[data-testid=plan-cancel]")
            click(s, "[data-testid=bulk-ids-list]")
            set_value(s, "[data-testid=bulk-list]", "90000000001, 90000000002\n90000000003 90000000002")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            assert s.text("[data-testid=plan-calls]").startswith("3"), s.text("[data-testid=plan-calls]")
            click(s, "[data-testid=plan-cancel]")
            select_account(s, AVISTA)
            click(s, "[data-testid=mode-bulk] input")
            ids = FILES / "avista-ids.txt"
            ids.write_text("PAG-2024-0001\nPAG-2024-0002, PAG-2024-0001\n", encoding="utf-8")
            pick_file(s, "[data-testid=bulk-list-file-input]", ids)
            s.find("[data-testid=bulk-list-file-summary]")
            summary = s.text("[data-testid=bulk-list-file-summary]")
            assert "avista-ids.txt" in summary and ": 2" in summary and t("idfile.duplicates").replace("{{n}}", "1") in summary, summary
            assert s.execute("return document.querySelector('[data-testid=bulk-list]').value;") == "PAG-2024-0001\nPAG-2024-0002"
            s.execute("document.querySelector('[data-testid=bulk-list]').scrollIntoView({block: 'center'});")
            shot(s, "en-resend-avista-file.png")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            assert s.text("[data-testid=plan-calls]").startswith("2"), s.text("[data-testid=plan-calls]")
            shot(s, "en-jobs-plan-avista.png")
            click(s, "[data-testid=plan-cancel]")

        @check("Query: a CSV file of serials loads, runs as a job, and its results file is saved")
        def _():
            click(s, "[data-testid=nav-query]")
            select_account(s, CYBAVO)
            click(s, "[data-testid=query-tab-query-callbacks]")
            path, bad_line = serials_csv()
            state["serials_csv"] = path
            pick_file(s, "[data-testid=op-ids-file-input]", path)
            s.find("[data-testid=op-ids-file-summary]")
            summary = s.text("[data-testid=op-ids-file-summary]")
            for want in [t("idfile.loaded_column").replace("{{column}}", "serial").replace("{{file}}", "serials.csv").replace("{{n}}", "150"),
                         t("idfile.duplicates").replace("{{n}}", "1"),
                         t("idfile.bad_lines").replace("{{n}}", "1").replace("{{lines}}", f"line {bad_line}")]:
                assert want in summary, f"{want!r} not in {summary!r}"
            assert s.text("[data-testid=op-ids-count]") == "150 entered"
            assert exists(s, "[data-testid=query-job-note]")
            shot(s, "en-query-file.png")
            click(s, "[data-testid=query-run]")
            try:
                s.wait_for(lambda: exists(s, "[data-testid=query-count]"), "the look-up job's results", timeout=60)
            except Exception:
                shot(s, "failed-query-job.png")
                raise
            # The demo wallet holds serials 90000000001 to 90000000060.
            assert s.text("[data-testid=query-count]") == "60 of 150 serial numbers found", s.text("[data-testid=query-count]")
            assert count(s, "[data-testid=query-row]") == 60
            assert s.text("[data-testid=query-not-found]") == "Not found: 90"
            assert s.execute("return document.querySelector(arguments[0]).dataset.state;", QUERY_JOB) == "done"
            click(s, "[data-testid=query-save]")
            s.find("[data-testid=query-saved]", timeout=30)
            rows = read_results(s.attr("[data-testid=query-saved]", "data-path"))
            assert rows[0] == RESULT_COLUMNS, rows[0]
            assert len(rows) == 151, len(rows)
            by_id = {r[0]: r for r in rows[1:]}
            first, last = by_id["90000000001"], by_id["90000000150"]
            assert first[1:4] == ["1", "ok", "200"] and first[8] == "deposit" and first[7].isdigit(), first
            assert last[1:4] == ["2", "not_found", "200"] and last[8] == "", last
            s.execute("document.querySelector('[data-testid=query-results]').scrollIntoView({block: 'start'});")
            assert exists(s, "[data-testid=query-saved]"), "the saved file's path is no longer shown"
            time.sleep(0.6)  # the window repaints after the scroll
            shot(s, "en-query-job-results.png")
            # The same file from the Jobs panel.
            click(s, f"{QUERY_JOB} [data-testid=job-save]")
            s.find(f"{QUERY_JOB} [data-testid=job-saved]", timeout=30)
            again = read_results(s.attr(f"{QUERY_JOB} [data-testid=job-saved]", "data-path"))
            assert again == rows
            s.execute("document.querySelector('[data-testid=jobs-panel]').scrollIntoView({block: 'start'});")
            shot(s, "en-query-jobs.png")

        @check("Load from file: an empty file and a file without serials are refused, saying why")
        def _():
            click(s, "[data-testid=nav-query]")
            select_account(s, CYBAVO)
            empty = FILES / "empty.csv"
            empty.write_text("", encoding="utf-8")
            pick_file(s, "[data-testid=op-ids-file-input]", empty)
            s.find("[data-testid=op-ids-file-error]")
            assert s.text("[data-testid=op-ids-file-error]") == t("idfile.error.empty").replace("{{file}}", "empty.csv")
            names = FILES / "names.csv"
            names.write_text("name,amount\nAna,10\nBia,20\n", encoding="utf-8")
            pick_file(s, "[data-testid=op-ids-file-input]", names)
            s.wait_for(lambda: "names.csv" in (s.text("[data-testid=op-ids-file-error]") or ""), "the no-id-column error")
            assert s.text("[data-testid=op-ids-file-error]") == t("idfile.error.no_id_column_integer").replace("{{file}}", "names.csv")
            s.execute("document.querySelector('[data-testid=op-ids]').scrollIntoView({block: 'start'});")
            shot(s, "en-query-file-error.png")

        @check("the plan and the Jobs panel are translated in the three languages")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                tt = catalog(lang)
                try:
                    open_plan(s, lang)
                except Exception:
                    shot(s, f"failed-{lang}-open-plan.png")
                    raise
                # The dialog's text as the page has it (WebDriver's visible text of a top-layer dialog may be empty).
                plan = s.wait_for(lambda: s.execute(
                    "const d = document.querySelector('[data-testid=plan-dialog]'); return d ? d.innerText : '';"),
                    "the plan's text")
                assert tt("bulk.plan_title") in plan, (lang, plan[:200])
                shot(s, f"{lang}-jobs-plan.png")
                click(s, "[data-testid=plan-cancel]")
                s.find(JOB)
                assert job_text(s, "job-state") == tt("bulk.state.running"), job_text(s, "job-state")
                # The countdown survives leaving the screen and coming back (its next event may be a minute away).
                # (If the budget's minute just ended, the next call is in flight; its wait follows within moments.)
                s.wait_for(lambda: job_text(s, "job-waiting"), "the countdown after coming back to the screen", timeout=15)
                s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", "[data-testid=jobs-panel]")
                shot(s, f"{lang}-jobs-panel.png")
                # The Query screen: the loaded file's summary and the look-up job's results, translated.
                click(s, "[data-testid=nav-query]")
                select_account(s, CYBAVO)
                pick_file(s, "[data-testid=op-ids-file-input]", state["serials_csv"])
                s.find("[data-testid=op-ids-file-summary]")
                assert tt("idfile.duplicates").split("{{")[0] in s.text("[data-testid=op-ids-file-summary]")
                assert tt("query.search_job").split("{{")[0].strip() in s.text("[data-testid=query-run]")
                shot(s, f"{lang}-query-file.png")
                click(s, f"{QUERY_JOB} [data-testid=job-show-results]")
                s.wait_for(lambda: exists(s, "[data-testid=query-count]"), "results shown again")
                s.execute("document.querySelector('[data-testid=query-results]').scrollIntoView({block: 'start'});")
                shot(s, f"{lang}-query-job-results.png")
                missing = missing_keys(s)
                assert not missing, f"missing translation keys: {missing}"
            set_language(s, "en")

        @check("a job running when the app closes is shown interrupted at the next start, with Resume")
        def _():
            nonlocal s
            s.close()
            time.sleep(1)
            s = Session(SERVER, APP)
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            s.find(JOB, timeout=30)
            assert job_attr(s, "data-state") == "interrupted", job_attr(s, "data-state")
            # The sidebar says so without scrolling: a red badge on the screens holding the Jobs panel.
            s.wait_for(lambda: exists(s, "[data-testid=nav-query-attention]"), "red badge on Query")
            label = s.attr("[data-testid=nav-query-attention]", "aria-label")
            assert re.fullmatch(r"\d+ jobs? failed or interrupted", label), label
            assert exists(s, "[data-testid=nav-resend-attention]")
            note = job_text(s, "job-interrupted")
            # Calls may have been made since the last look (one a minute): any count of the 5 will do.
            assert note and re.search(r"\b[0-5] of 5\b", note), note
            s.find(f"{JOB} [data-testid=job-resume]")
            s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", "[data-testid=jobs-panel]")
            shot(s, "en-jobs-interrupted.png")
            # Cancel it without sending anything, so later runs start clean.
            click_job(s, "job-cancel")
            try:
                s.wait_for(lambda: job_attr(s, "data-state") == "cancelled", "cancelled", timeout=20)
            except Exception:
                shot(s, "failed-jobs-cancel-interrupted.png")
                raise
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
