"""End-to-end test of a finance person's first day on Query and History, in the real window at 1280×800.

Against the built-in sandbox: a CYBAVO look-up of three serial numbers of which one does not exist names the
missing one and shows the table with "Resend this callback" inside the window (no sideways scrolling, checked
by element positions); the two rows found (a deposit and a withdrawal) are selected and resent together, one
paced job per kind. History is then filtered to last week's resends of that account (the app cannot record
the past: the test moves the account's rows exactly a week back in the database, as if done then) and
exported as the readable CSV for an auditor, whose headers, times (the app's format, in this computer's time
zone) and outcomes are checked in English, Chinese and Portuguese; "Show in folder" shows the file or says
where it is. Leaving History and coming back keeps its filters; the sidebar collapses and remembers it.
Photographs Query and History at 1024×700, 1280×800 and 1920×1080 in the three languages.
"""

import csv
import datetime
import os
import pathlib
import re
import sqlite3
import sys
import time

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import set_value
from test_workflows import (CEFFU, CYBAVO, LANGS, click, confirm_and_wait, count, exists, sandbox_accounts, select_account,
                            send, shot)
from webdriver import Session

FOUND = ["90000000001", "90000000002"]
MISSING = "90000000099"
DAY_MS = 86_400_000
EXPORT_DIR = os.environ.get("CALLBACK_DESK_EXPORT_DIR")
DATA_DIR = os.environ.get("CALLBACK_DESK_DATA_DIR")
SIZES = [(1024, 700), (1280, 800), (1920, 1080)]


def resize(s, width, height):
    """Sets the window so that its page is `width`×`height` CSS pixels (the window's frame comes on top). The
    window manager applies a size a moment later, so each step waits for the page's size to settle, then
    corrects the request by what is still missing."""
    asked = [width, height]
    for _ in range(5):
        s.s("POST", "/window/rect", {"width": asked[0], "height": asked[1]})
        inner = settled_page_size(s)
        if inner == [width, height]:
            return
        asked = [asked[0] + width - inner[0], asked[1] + height - inner[1]]
    raise AssertionError(f"timed out waiting for a {width}×{height} page (last {inner})")


def settled_page_size(s, timeout=10):
    """The page's size once two readings 150 ms apart agree."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        now = s.execute("return [window.innerWidth, window.innerHeight];")
        if now == last:
            return now
        last = now
        time.sleep(0.15)
    return last


def in_view_horizontally(s, css):
    """Whether every element matching `css` lies within the page's width (nothing hidden to the right)."""
    return s.execute(
        "const els = [...document.querySelectorAll(arguments[0])];"
        "return els.length > 0 && els.every(e => { const r = e.getBoundingClientRect();"
        "  return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; });", css)


def app_time(ms, lang):
    """A moment as the app writes it in `lang`, in this computer's time zone (the app's and the test's)."""
    d = datetime.datetime.fromtimestamp(ms / 1000)
    return d.strftime("%Y/%m/%d %H:%M:%S") if lang == "zh-CN" else d.strftime("%d/%m/%Y %H:%M:%S")


def db():
    conn = sqlite3.connect(pathlib.Path(DATA_DIR) / "callback-desk.sqlite3", timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def move_a_week_back(account_id):
    """Moves every action of the account exactly 7 days back: done last week as far as History knows."""
    with db() as conn:
        conn.execute("UPDATE history SET created_at_ms = created_at_ms - ?1,"
                     " finished_at_ms = finished_at_ms - ?1 WHERE account_id = ?2", (7 * DAY_MS, account_id))
        return conn.execute("SELECT id, created_at_ms, operation, outcome FROM history WHERE account_id = ?1"
                            " ORDER BY created_at_ms DESC, id DESC", (account_id,)).fetchall()


def account_id(s, label):
    """The id of the account labelled `label`, from History's account filter (once its options are loaded)."""
    return int(s.wait_for(lambda: s.execute(
        "const sel = document.querySelector('[data-testid=filter-account]');"
        "const o = sel && [...sel.options].find(o => o.textContent === arguments[0]); return o ? o.value : null;", label),
        f"{label} in the account filter"))


def read_csv(path):
    if EXPORT_DIR:
        assert path.startswith(EXPORT_DIR), f"{path} not in {EXPORT_DIR}"
    assert os.stat(path).st_mode & 0o777 == 0o600, oct(os.stat(path).st_mode)
    return list(csv.reader(pathlib.Path(path).read_text(encoding="utf-8-sig").splitlines()))


def look_up(s, serials):
    click(s, "[data-testid=nav-query]")
    select_account(s, CYBAVO)
    click(s, "[data-testid=query-tab-query-callbacks]")
    set_value(s, "[data-testid=op-ids]", " ".join(serials))
    click(s, "[data-testid=query-run]")
    s.wait_for(lambda: exists(s, "[data-testid=query-table]"), "the look-up's table", timeout=30)


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    state = {}
    try:
        @check("simulated providers are set up from the Accounts screen")
        def _():
            sandbox_accounts(s)
            resize(s, 1280, 800)

        @check("Query at 1280×800: the missing serial is named, Resend this callback is in view, nothing scrolls sideways")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                t = catalog(lang)
                look_up(s, FOUND + [MISSING])
                headline = s.text("[data-testid=query-count]")
                assert headline == t("query.found_asked").replace("{{n}}", "3").replace("{{found}}", "2"), headline
                assert s.text("[data-testid=query-missing-ids]") == MISSING
                assert count(s, "[data-testid=query-row]") == 2
                s.execute("document.querySelector('[data-testid=query-table]').scrollIntoView({block: 'center'});")
                assert in_view_horizontally(s, "[data-testid=query-resend]"), "a Resend button is out of view"
                assert in_view_horizontally(s, "[data-testid=query-select]"), "a checkbox is out of view"
                assert not s.execute("const w = document.querySelector('[data-testid=query-table]').parentElement;"
                                     "return w.scrollWidth > w.clientWidth + 1;"), "the table scrolls sideways"
                note = s.text("[data-testid=query-delivery-note]")
                assert note == t("query.delivery_note.cybavo"), note
                assert missing_keys(s) == "", missing_keys(s)
                shot(s, f"{lang}-firstday-query-1280.png")

        @check("Query: the two rows found are selected and resent together, one paced job per kind")
        def _():
            set_language(s, "en")
            t = catalog("en")
            look_up(s, FOUND + [MISSING])
            click(s, "[data-testid=query-select-all]")
            assert s.text("[data-testid=query-selected-count]") == "2 selected"
            assert "2 kinds" in s.text("[data-testid=query-resend-groups]")
            click(s, "[data-testid=query-resend-selected]")
            for step in range(2):
                s.find("[data-testid=plan-dialog]")
                assert s.text("[data-testid=plan-calls]").startswith("1"), s.text("[data-testid=plan-calls]")
                if step == 0:
                    shot(s, "en-firstday-query-plan.png")
                click(s, "[data-testid=plan-tick]")
                click(s, "[data-testid=plan-start]")
                # The next kind's plan (its box not ticked yet), or none left.
                # Read in one go: the dialog may close, or the next plan's box be not drawn yet, in between.
                s.wait_for(lambda: s.execute("const tick = document.querySelector('[data-testid=plan-tick]');"
                                             "return !document.querySelector('[data-testid=plan-dialog]')"
                                             "  || (tick !== null && !tick.checked);"),
                           "the next plan or the end", timeout=20)
            s.wait_for(lambda: exists(s, "[data-testid=query-resend-started]"), "jobs started", timeout=20)
            assert s.text("[data-testid=query-resend-started]") == t("query.resend_started_other").replace("{{n}}", "2")
            for op in ["resend-deposit-callbacks", "resend-withdrawal-callbacks"]:
                card = f"[data-testid=job-card][data-operation={op}]"
                s.wait_for(lambda: exists(s, card), f"the {op} job", timeout=20)
                s.wait_for(lambda: s.execute("const c = document.querySelector(arguments[0]); return c && c.dataset.state;", card)
                           == "done", f"the {op} job done", timeout=60)
            shot(s, "en-firstday-query-jobs.png")

        @check("History: last week's resends of one account, in words, exported for an auditor in three languages")
        def _():
            # Another account's resend, which the account filter leaves out.
            click(s, "[data-testid=nav-resend]")
            select_account(s, CEFFU)
            set_value(s, "[data-testid=op-webhookId]", "1721442311151521794")
            set_value(s, "[data-testid=op-eventType]", "4")
            click(s, "[data-testid=op-resendFromDateTime-preset-hour_ago]")
            confirm_and_wait(s, "normal")
            assert send(s) == "ok", s.text("[data-testid=result-panel]")
            click(s, "[data-testid=nav-history]")
            s.find("[data-testid=filter-account]")
            cybavo = account_id(s, CYBAVO)
            rows = move_a_week_back(cybavo)
            resends = [r for r in rows if r[2].startswith("resend-")]
            assert len(resends) >= 2 and len(resends) < len(rows), rows
            state["resends"] = resends
            for lang in LANGS:
                set_language(s, lang)
                t = catalog(lang)
                click(s, "[data-testid=nav-history]")
                click(s, "[data-testid=filter-clear]") if exists(s, "[data-testid=filter-clear]") else None
                set_value(s, "[data-testid=filter-account]", str(cybavo))
                if not s.execute("return document.querySelector('[data-testid=filter-resends]').checked;"):
                    click(s, "[data-testid=filter-resends]")
                s.find("[data-testid=filter-dates-preset-last_week]", timeout=30)
                click(s, "[data-testid=filter-dates-preset-last_week]")
                s.wait_for(lambda: count(s, "[data-testid=history-row]") == len(resends)
                           and s.execute("return [...document.querySelectorAll('[data-testid=history-row]')]"
                                         ".every(r => r.dataset.operation.startsWith('resend-'));"),
                           f"{len(resends)} resend rows of last week", timeout=20)
                times = s.execute("return [...document.querySelectorAll('[data-testid=history-time]')].map(e => e.textContent);")
                assert len(times) == len(resends), times
                assert in_view_horizontally(s, "[data-testid=history-row] .pill"), "an outcome is out of view"
                assert not s.execute("const w = document.querySelector('[data-testid=history-scroll]');"
                                     "return w.scrollWidth > w.clientWidth + 1;"), "History scrolls sideways"
                shot(s, f"{lang}-firstday-history-1280.png")

                click(s, "[data-testid=history-export]")
                s.find("[data-testid=export-done]", timeout=30)
                path = s.attr("[data-testid=export-done]", "data-path")
                table = read_csv(path)
                header = [t("history.readable.entry"), t("history.readable.time"), t("work.account"), t("env.label"),
                          t("history.col.provider"), t("history.readable.action"), t("history.readable.scope"),
                          t("history.col.outcome"), t("history.readable.details"), t("history.readable.identifiers"),
                          t("history.readable.job")]
                assert table[0][:1] == header[:1] and table[0][2:] == header[2:], table[0]
                assert re.fullmatch(re.escape(header[1]).replace(r"\{\{zone\}\}", ".+"), table[0][1]), table[0][1]
                body = table[1:]
                assert [int(r[0]) for r in body] == [r[0] for r in resends], (body, resends)
                for line, (_, at_ms, operation, outcome) in zip(body, resends):
                    assert line[1] == app_time(at_ms, lang), (line[1], app_time(at_ms, lang))
                    assert line[2] == CYBAVO and line[4] == "CYBAVO SOFA", line
                    assert line[5] == t(f"ops.cybavo.{operation}.label"), line
                    assert line[7] == t(f"outcome.{outcome}"), line
                    assert line[6].startswith(t("ops.cybavo.notification_id.label") + t("common.colon")), line
                text = pathlib.Path(path).read_text(encoding="utf-8-sig")
                for raw in ["POST", "X-CHECKSUM", "sbx55743", "notification_id=", "resend-deposit-callbacks"]:
                    assert raw not in text, f"{raw} in the readable export"
                click(s, "[data-testid=export-show-folder]")
                time.sleep(1)
                if exists(s, "[data-testid=export-reveal-error]"):
                    # No file manager in the test's desktop session: the app says where the file is.
                    assert path in s.text("[data-testid=export-reveal-error]")
                assert missing_keys(s) == "", missing_keys(s)

        @check("History keeps its filters when the screen is left and found again")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-query]")
            click(s, "[data-testid=nav-history]")
            s.find("[data-testid=history-filters]")
            assert s.execute("return document.querySelector('[data-testid=filter-resends]').checked;")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") == len(state["resends"]), "the same rows")

        @check("the sidebar collapses to its icons and remembers it")
        def _():
            click(s, "[data-testid=sidebar-toggle]")
            assert s.attr("[data-testid=sidebar]", "data-collapsed") == "true"
            width = s.execute("return document.querySelector('[data-testid=sidebar]').getBoundingClientRect().width;")
            assert width < 100, width
            shot(s, "en-firstday-sidebar-collapsed.png")
            s.reload()
            s.find("[data-testid=sidebar]", timeout=30)
            assert s.attr("[data-testid=sidebar]", "data-collapsed") == "true"
            click(s, "[data-testid=sidebar-toggle]")

        @check("Accounts: each field's help says where in the provider's portal the value is found, in three languages")
        def _():
            resize(s, 1280, 800)
            for lang in LANGS:
                set_language(s, lang)
                t = catalog(lang)
                click(s, "[data-testid=nav-accounts]")
                click(s, "[data-testid=account-add]")
                for provider, fields in (("ccpayment", ("api_version", "app_id")), ("avista", ("client_id",))):
                    set_value(s, "[data-testid=form-provider]", provider)
                    for name in fields:
                        s.find(f"[data-testid=form-{name}]")
                        help_text = s.execute(
                            "return document.querySelector(arguments[0]).closest('.field').querySelector('.field-help').textContent;",
                            f"[data-testid=form-{name}]")
                        assert help_text == t(f"accounts.{provider}.{name}.help"), (lang, name, help_text)
                    s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
                              f"[data-testid=form-{fields[-1]}]")
                    shot(s, f"{lang}-firstday-accounts-{provider}.png")
                assert missing_keys(s) == "", missing_keys(s)
                click(s, "[data-testid=form-cancel]")
            set_language(s, "en")

        @check("Query and History photographed at 1024×700, 1280×800 and 1920×1080 in three languages")
        def _():
            for width, height in SIZES:
                resize(s, width, height)
                for lang in LANGS:
                    set_language(s, lang)
                    look_up(s, FOUND + [MISSING])
                    assert not s.execute("const w = document.querySelector('[data-testid=query-table]').parentElement;"
                                         "return w.scrollWidth > w.clientWidth + 1;"), f"Query scrolls sideways at {width}"
                    shot(s, f"{lang}-firstday-query-{width}.png")
                    click(s, "[data-testid=nav-history]")
                    s.wait_for(lambda: count(s, "[data-testid=history-row]") > 0, "history rows")
                    assert not s.execute("const w = document.querySelector('[data-testid=history-scroll]');"
                                         "return w.scrollWidth > w.clientWidth + 1;"), f"History scrolls sideways at {width}"
                    shot(s, f"{lang}-firstday-history-{width}.png")
            resize(s, 1280, 800)
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
