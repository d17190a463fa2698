"""End-to-end test of the work screens in the real app window, against the built-in sandbox.

Starting from "Try it with simulated providers", it goes from the form through the confirmation to the
result panel and the history row for: a CYBAVO resend of all withdrawal callbacks (a broad resend, so the
stronger confirmation), a CYBAVO look-up by serial numbers (then "Resend this callback"), a Ceffu, an
Avista and a CCPayment resend. Resent callbacks go to the sandbox's built-in receiver (nothing is set up
for them), and the Sandbox inbox shows what arrived with its signature badge. It then checks the History
rows, the detail drawer and a CSV export's content, and photographs every screen in the three languages.
"""

import csv
import json
import os
import pathlib
import re
import subprocess
import sys
import time

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import set_value
from webdriver import Session

LANGS = ["en", "zh-CN", "pt-BR"]
CYBAVO = "Sandbox · CYBAVO SOFA"
CEFFU = "Sandbox · Ceffu"
AVISTA = "Sandbox · Avista"
CCPAY = "Sandbox · CCPayment v1"
SERIALS = ["90000000001", "90000000002"]
# run.sh shortens the delay after which the app clears a command copied with its secrets.
CLEAR_SECONDS = int(os.environ.get("CALLBACK_DESK_CLIPBOARD_CLEAR_SECONDS", "60"))
EXPORT_DIR = os.environ.get("CALLBACK_DESK_EXPORT_DIR")


def select_account(s, label):
    s.find("[data-testid=account-select]")
    def option():
        return s.execute(
            "const sel = document.querySelector('[data-testid=account-select]');"
            "const o = sel && [...sel.options].find(o => o.dataset.label === arguments[0]);"
            "return o ? o.value : null;", label)
    # Accounts added on another screen reach this picker when the screen reads them again.
    try:
        s.wait_for(option, f"account {label!r} in the picker", timeout=10)
    except Exception:
        pass
    value = option()
    assert value, f"no account {label!r} in the picker"
    # A screen that has just opened may still replace its picker once its accounts are read again; a choice
    # made on the picker being replaced is made again, as a person would.
    for attempt in range(3):
        set_value(s, "[data-testid=account-select]", value)
        try:
            s.wait_for(lambda: s.attr("[data-testid=picked-label]", "data-label") == label, f"{label} picked", timeout=5)
            return
        except Exception:
            if attempt == 2:
                shot(s, "failed-select-account.png")
                raise


def click(s, css):
    """Scrolls the element to the middle of the window first (the screens scroll inside the main area)."""
    s.find(css)
    s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", css)
    s.click(css)


def choose_operation(s, name):
    """Chooses an operation on a work screen and waits until its own form is drawn: a field filled in before
    would belong to the form being replaced, and the chosen operation's field would stay empty."""
    css = f"[data-testid=op-choice-{name}]"
    click(s, css)
    s.wait_for(lambda: "active" in (s.attr(css, "class") or ""), f"the operation {name} chosen")


# The order each app language writes a date in (the date fields' segments): day-month-year in English (en-GB)
# and Portuguese, year-month-day in Chinese; then hours and minutes (and seconds for a single call's time).
DATE_ORDER = {"en": "%d%m%Y", "pt-BR": "%d%m%Y", "zh-CN": "%Y%m%d"}


def type_date(s, testid, when, lang, seconds=False):
    """Types `when` (a local datetime) into the date field `testid` digit by digit, as a person does: a click on
    its first segment, then the digits in the language's order (each segment moves on by itself)."""
    s.find(f"[data-testid={testid}-input] [role=spinbutton]")
    s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", f"[data-testid={testid}-input]")
    s.click(f"[data-testid={testid}-input] [role=spinbutton]")
    digits = when.strftime(DATE_ORDER[lang] + ("%H%M%S" if seconds else "%H%M"))
    s.keys(digits)


def field_text(s, testid):
    """What a date field shows, without the marks that keep it left-to-right."""
    text = s.text(f"[data-testid={testid}-input]")
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069").strip()


def shot(s, name):
    time.sleep(0.4)  # let the window repaint before the capture
    s.screenshot(str(SHOTS / name))


def exists(s, css):
    return s.execute("return !!document.querySelector(arguments[0]);", css)


def count(s, css):
    return s.execute("return document.querySelectorAll(arguments[0]).length;", css)


def clipboard():
    """What the desktop's clipboard holds, read as another program would (xclip); "" when it holds no text."""
    r = subprocess.run(["xclip", "-selection", "clipboard", "-o"], capture_output=True, text=True, timeout=10)
    return r.stdout if r.returncode == 0 else ""


def record_ipc_answers(s):
    """From now on, keeps every IPC answer the page receives (the app's IPC answers through fetch)."""
    s.execute("""
        if (window.__ipcAnswers) return;
        window.__ipcAnswers = [];
        const fetch0 = window.fetch;
        window.fetch = async function (input, init) {
          const response = await fetch0.call(this, input, init);
          const url = String(input && input.url ? input.url : input);
          if (url.startsWith('ipc:') || url.includes('ipc.localhost')) {
            const text = await response.clone().text();
            window.__ipcAnswers.push([url, text]);
          }
          return response;
        };""")


def ipc_answers(s):
    return s.execute("return window.__ipcAnswers || [];")


def confirm_and_wait(s, expect_level):
    click(s, "[data-testid=resend-go]")
    try:
        s.find("[data-testid=confirm-dialog]")
    except Exception:
        shot(s, "failed-confirm.png")
        raise
    level = s.attr("[data-testid=confirm-level]", "data-level")
    assert level == expect_level, f"confirmation level {level!r}, expected {expect_level!r}"
    assert catalog("en")("confirm.duplicates") in s.text("[data-testid=confirm-duplicates]")
    return level


def send(s):
    click(s, "[data-testid=confirm-send]")
    s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
    return s.attr("[data-testid=result-panel]", "data-outcome")


def sandbox_accounts(s):
    """In English, on the Accounts screen: "Try it with simulated providers" unless its five accounts exist."""
    set_language(s, "en")
    click(s, "[data-testid=nav-accounts]")
    s.wait_for(lambda: exists(s, "[data-testid=sandbox-try]") or count(s, ".account-card") > 0, "accounts screen")
    if exists(s, "[data-testid=sandbox-try]"):
        click(s, "[data-testid=sandbox-try]")
    s.wait_for(lambda: s.execute(
        "return [...document.querySelectorAll('.account-card')].filter(c => c.dataset.label.startsWith('Sandbox ·')).length;") >= 5,
        "5 sandbox accounts")


def inbox_rows(s):
    """The Sandbox inbox's rows: (API key, signature state)."""
    return s.execute("return [...document.querySelectorAll('[data-testid=inbox-row]')]"
                     ".map(r => [r.dataset.api, r.querySelector('[data-testid=inbox-signature]').dataset.signature]);")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    t = catalog("en")
    try:
        @check("simulated providers are set up from the Accounts screen")
        def _():
            sandbox_accounts(s)

        @check("CYBAVO: resend all withdrawal callbacks needs the stronger confirmation")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            assert s.text("[data-testid=env-badge]") == t("env.sandbox")
            choose_operation(s, "resend-withdrawal-callbacks")
            click(s, "[data-testid=op-notification_id-all]")
            click(s, "[data-testid=resend-preview]")
            req = s.text("[data-testid=preview-request]")
            assert "/sender/notifications/manual" in req and '"notification_id": 0' in req, req
            assert "X-CHECKSUM" in req
            shot(s, "en-resend-preview.png")
            confirm_and_wait(s, "strong")
            assert exists(s, "[data-testid=confirm-reason-broad_value]")
            assert s.execute("return document.querySelector('[data-testid=confirm-send]').disabled;"), "send enabled before the tick"
            click(s, "[data-testid=confirm-tick]")
            assert not s.execute("return document.querySelector('[data-testid=confirm-send]').disabled;")
            shot(s, "en-resend-confirm-broad.png")
            outcome = send(s)
            summary = s.text("[data-testid=result-summary]")
            assert outcome == "ok", f"{outcome}: {summary}"
            assert re.search(r"\d+ callbacks? resent", summary), summary
            click(s, "[data-testid=result-raw-toggle]")
            assert '"count"' in s.text("[data-testid=result-raw]")
            shot(s, "en-resend-result.png")

        @check("'See in History' opens the action's history entry")
        def _():
            click(s, "[data-testid=result-see-history]")
            s.find("[data-testid=history-drawer] [data-testid=drawer-body]")
            body = s.text("[data-testid=history-drawer]")
            assert t("ops.cybavo.resend-withdrawal-callbacks.label") in body, body
            click(s, "[data-testid=drawer-close]")

        @check("Copy with secrets: asks first, names the account, the app copies a real command (never sent to the "
               "window) and clears the clipboard")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            choose_operation(s, "resend-deposit-callbacks")
            set_value(s, "[data-testid=op-notification_id]", SERIALS[0])
            click(s, "[data-testid=resend-preview]")
            s.find("[data-testid=resend-preview-panel]")
            record_ipc_answers(s)
            click(s, "[data-testid=copy-curl-secrets]")
            s.find("[data-testid=copy-secrets-dialog]")
            assert s.text("[data-testid=copy-secrets-account]") == CYBAVO
            assert f"“{CYBAVO}”" in s.text("[data-testid=copy-secrets-warning]")
            assert s.text("[data-testid=copy-secrets-clipboard]") == t("copy_secrets.clears").replace("{{seconds}}", str(CLEAR_SECONDS))
            shot(s, "en-copy-secrets-dialog.png")
            # Cancelling copies nothing.
            click(s, "[data-testid=copy-secrets-cancel]")
            assert not exists(s, "[data-testid=copy-secrets-dialog]")
            assert not clipboard().startswith("curl")
            click(s, "[data-testid=copy-curl-secrets]")
            click(s, "[data-testid=copy-secrets-confirm]")
            try:
                s.wait_for(lambda: exists(s, "[data-testid=copy-secrets-done]"), "the copy")
            except AssertionError:
                shot(s, "failed-copy-secrets.png")
                click(s, "[data-testid=copy-secrets-cancel]")
                raise
            assert s.text("[data-testid=copy-secrets-done]") == t("copy_secrets.copied_clears").replace("{{seconds}}", str(CLEAR_SECONDS))
            copied = clipboard()
            # (Never printed: it holds the sandbox account's secret.)
            assert copied.startswith("curl --globoff --path-as-is -X POST 'http://127.0.0.1:"), "not a cURL command"
            assert "X-CHECKSUM: " in copied and "X-API-CODE: " in copied and "<redacted>" not in copied, "masked"
            shot(s, "en-copy-secrets-copied.png")
            # The window got a ticket and "copied", never the command or its credentials.
            answers = ipc_answers(s)
            by_command = {url.rsplit("/", 1)[-1]: text for url, text in answers}
            assert json.loads(by_command["copy_with_secrets"]) == {"clear_seconds": CLEAR_SECONDS}, "copy answer"
            assert set(json.loads(by_command["prepare_copy_with_secrets"])) == {"ticket", "valid_seconds", "clear_seconds"}
            credentials = [re.search(f"-H '{h}: ([^']+)'", copied).group(1) for h in ("X-API-CODE", "X-CHECKSUM")]
            leaks = [url for url, text in answers for c in [copied] + credentials if c in text]
            assert not leaks, f"IPC answers holding the command or its credentials: {leaks}"
            time.sleep(CLEAR_SECONDS + 1.5)
            assert clipboard() == "", "the clipboard still holds the command"
            # The copy is not an action: the history has no row for it.
            click(s, "[data-testid=nav-history]")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 1, "history rows")
            rows = s.execute("return [...document.querySelectorAll('[data-testid=history-row]')].map(r => r.textContent);")
            assert not any(t("ops.cybavo.resend-deposit-callbacks.label") in r for r in rows), rows

        @check("CYBAVO: look up callbacks by serial numbers, then resend one")
        def _():
            click(s, "[data-testid=nav-query]")
            select_account(s, CYBAVO)
            click(s, "[data-testid=query-tab-query-callbacks]")
            set_value(s, "[data-testid=op-ids]", f"{SERIALS[0]},\n {SERIALS[1]}")
            click(s, "[data-testid=query-run]")
            s.wait_for(lambda: count(s, "[data-testid=query-row]") == 2, "2 callbacks", timeout=30)
            serials = s.execute("return [...document.querySelectorAll('[data-testid=query-row]')].map(r => r.dataset.rowId);")
            assert sorted(serials) == SERIALS, serials
            table = s.text("[data-testid=query-table]")
            type_words = [t(f"cybavo.type.{k}") for k in ("deposit", "withdraw", "collect", "airdrop")]
            assert any(w in table for w in type_words), table
            assert "type_label" not in table and "cybavo." not in table, table
            shot(s, "en-query-results.png")
            click(s, "[data-testid=query-row] [data-testid=query-resend]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.resend.title"), "resend screen")
            s.wait_for(lambda: s.execute(
                "const e = document.querySelector('[data-testid=op-notification_id]'); return e ? e.value : null;") == serials[0],
                "notification_id prefilled")

        @check("Ceffu: resend failed webhooks (sandbox, last hour: normal confirmation)")
        def _():
            select_account(s, CEFFU)
            set_value(s, "[data-testid=op-webhookId]", "1721442311151521794")
            set_value(s, "[data-testid=op-eventType]", "1")
            click(s, "[data-testid=op-resendFromDateTime-preset-hour_ago]")
            confirm_and_wait(s, "normal")
            shot(s, "en-resend-confirm.png")
            outcome = send(s)
            assert outcome == "ok", s.text("[data-testid=result-panel]")
            assert t("result.ceffu_ok") in s.text("[data-testid=result-summary]")

        @check("Ceffu: a window more than 24 hours back needs the stronger confirmation")
        def _():
            click(s, "[data-testid=op-resendFromDateTime-preset-day_ago]")
            confirm_and_wait(s, "strong")
            assert exists(s, "[data-testid=confirm-reason-old_window]")
            click(s, "[data-testid=confirm-cancel]")

        @check("Avista: resend the webhook of PAG-2024-0001")
        def _():
            select_account(s, AVISTA)
            set_value(s, "[data-testid=op-transaction_identifier]", "PAG-2024-0001")
            confirm_and_wait(s, "normal")
            outcome = send(s)
            text = s.text("[data-testid=result-panel]")
            assert outcome == "ok", text
            assert "HTTP" in s.text("[data-testid=result-summary]"), text
            lines = s.execute("return [...document.querySelectorAll('[data-testid=result-line]')].map(e => e.textContent);")
            assert any(re.search(r"log number: \d+", l) for l in lines), lines

        @check("Sandbox inbox: the Avista webhook reached the sandbox's receiver (not signed), CYBAVO's verify")
        def _():
            click(s, "[data-testid=nav-inbox]")
            assert s.text("[data-testid=screen-title]") == t("screens.inbox.title")
            s.wait_for(lambda: any(api == "avista" for api, _ in inbox_rows(s)), "the Avista delivery", timeout=30)
            rows = inbox_rows(s)
            assert ["avista", "not_signed"] in rows, rows
            cybavo = [sig for api, sig in rows if api == "cybavo"]
            assert cybavo and all(sig == "valid" for sig in cybavo), rows
            badge = s.text("[data-testid=inbox-row][data-api=avista] [data-testid=inbox-signature]")
            assert badge == t("inbox.signature.not_signed"), badge
            click(s, "[data-testid=inbox-row][data-api=avista] [data-testid=inbox-toggle]")
            detail = s.text("[data-testid=inbox-detail]")
            assert "PAG-2024-0001" in detail and "/__sandbox/inbox/receive/avista" in detail, detail
            assert "x-webhook-secret: <redacted>" in detail, detail
            assert "sbx-avista-webhook" not in detail, "the webhook secret is shown"
            shot(s, "en-inbox.png")
            click(s, "[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-toggle]")
            assert s.text("[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-signature]") == t("inbox.signature.valid")
            assert t("inbox.explain.valid").split("{{")[0] in s.text("[data-testid=inbox-detail]")
            shot(s, "en-inbox-cybavo.png")
            # Back on Resend, with the account in use still picked.
            click(s, "[data-testid=nav-resend]")
            s.wait_for(lambda: exists(s, "[data-testid=picked-label]") and s.text("[data-testid=picked-label]") == AVISTA,
                       "Resend with the Avista account")

        @check("CCPayment: resend the webhooks of a one-hour window")
        def _():
            select_account(s, CCPAY)
            shot(s, "en-resend-ccpayment-form.png")
            click(s, "[data-testid=op-start_timestamp-preset-hour_ago]")
            shown = field_text(s, "op-start_timestamp")
            assert re.fullmatch(r"\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d", shown), shown
            # Never Unix seconds on the form.
            assert not re.search(r"\b1\d{9}\b", s.text("[data-testid=resend-form]")), s.text("[data-testid=resend-form]")
            confirm_and_wait(s, "normal")
            outcome = send(s)
            summary = s.text("[data-testid=result-summary]")
            assert outcome == "ok", s.text("[data-testid=result-panel]")
            assert re.search(r"\d+ webhooks queued", summary), summary
            shot(s, "en-resend-ccpayment-result.png")

        @check("History lists every action with its outcome; filters narrow it")
        def _():
            click(s, "[data-testid=nav-history]")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 5, "history rows")
            rows = s.execute("return [...document.querySelectorAll('[data-testid=history-row]')].map(r => [r.dataset.provider, r.dataset.operation, r.dataset.outcome]);")
            have = {(p, o) for p, o, outcome in rows if outcome == "ok"}
            for want in [("cybavo", "resend-withdrawal-callbacks"), ("cybavo", "query-callbacks"), ("ceffu", "resend-webhooks"),
                         ("avista", "resend-webhook"), ("ccpayment", "resend-webhooks")]:
                assert want in have, f"{want} not in {rows}"
            set_value(s, "[data-testid=filter-provider]", "ceffu")
            s.wait_for(lambda: s.execute("return [...document.querySelectorAll('[data-testid=history-row]')].every(r => r.dataset.provider === 'ceffu');")
                       and count(s, "[data-testid=history-row]") >= 1, "ceffu only")
            click(s, "[data-testid=filter-clear]")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 5, "all rows again")
            click(s, "[data-testid=history-row][data-provider=avista] td")
            s.find("[data-testid=drawer-request]")
            drawer = s.text("[data-testid=history-drawer]")
            assert "PAG-2024-0001" in drawer, drawer
            shot(s, "en-history-detail.png")

        @check("History: Repeat goes through the resend confirmation again")
        def _():
            click(s, "[data-testid=history-repeat]")
            s.find("[data-testid=confirm-dialog]")
            assert s.text("[data-testid=screen-title]") == t("screens.resend.title")
            assert "PAG-2024-0001" in s.text("[data-testid=confirm-scope]")
            click(s, "[data-testid=confirm-cancel]")

        @check("History: CSV export of the filtered set, with its path")
        def _():
            click(s, "[data-testid=nav-history]")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 5, "history rows")
            # The technical export (the readable one, for people, is test_firstday_records's).
            click(s, "[data-testid=history-export-technical]")
            s.find("[data-testid=export-done]", timeout=30)
            path = s.attr("[data-testid=export-done]", "data-path")
            if EXPORT_DIR:
                assert path.startswith(EXPORT_DIR), f"{path} not in {EXPORT_DIR}"
            text = pathlib.Path(path).read_text(encoding="utf-8")
            rows = list(csv.reader(text.splitlines()))
            assert len(rows) >= 6, rows[:3]
            for needle in ["resend-withdrawal-callbacks", "query-callbacks", "PAG-2024-0001", "1721442311151521794", "ccpayment"]:
                assert needle in text, f"{needle} not in the export"
            assert "sbx55743" not in text, "a secret is in the export"
            shot(s, "en-history-export.png")

        @check("every work screen is translated in the three languages")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                tt = catalog(lang)
                click(s, "[data-testid=nav-resend]")
                select_account(s, CYBAVO)
                choose_operation(s, "resend-deposit-callbacks")
                set_value(s, "[data-testid=op-notification_id]", SERIALS[0])
                s.wait_for(lambda: s.execute("return document.querySelector('[data-testid=op-notification_id]').value;") == SERIALS[0],
                           "the serial in its field")
                click(s, "[data-testid=resend-preview]")
                s.find("[data-testid=preview-request]")
                assert tt("ops.cybavo.resend-deposit-callbacks.label") in s.text("[data-testid=resend-form]")
                shot(s, f"{lang}-resend-form.png")
                click(s, "[data-testid=copy-curl-secrets]")
                s.find("[data-testid=copy-secrets-dialog]")
                shot(s, f"{lang}-copy-secrets-dialog.png")
                click(s, "[data-testid=copy-secrets-cancel]")
                click(s, "[data-testid=op-notification_id-all]")
                click(s, "[data-testid=resend-go]")
                s.find("[data-testid=confirm-dialog]")
                shot(s, f"{lang}-resend-confirm.png")
                click(s, "[data-testid=confirm-cancel]")
                select_account(s, CCPAY)
                click(s, "[data-testid=op-start_timestamp-preset-hour_ago]")
                shot(s, f"{lang}-resend-ccpayment.png")
                click(s, "[data-testid=nav-query]")
                select_account(s, CYBAVO)
                click(s, "[data-testid=query-tab-query-callbacks]")
                set_value(s, "[data-testid=op-ids]", " ".join(SERIALS))
                click(s, "[data-testid=query-run]")
                s.wait_for(lambda: count(s, "[data-testid=query-row]") == 2, "2 callbacks", timeout=30)
                shot(s, f"{lang}-query-results.png")
                click(s, "[data-testid=query-tab-list-callbacks]")
                shot(s, f"{lang}-query-range.png")
                select_account(s, AVISTA)
                s.find("[data-testid=query-unsupported]")
                shot(s, f"{lang}-query-unsupported.png")
                click(s, "[data-testid=nav-history]")
                s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 5, "history rows")
                s.wait_for(lambda: re.search(r"\d+\D+\d+", s.text("[data-testid=history-count]")), "row count")
                shot(s, f"{lang}-history-list.png")
                click(s, "[data-testid=history-row] td")
                s.find("[data-testid=drawer-request]")
                shot(s, f"{lang}-history-drawer.png")
                click(s, "[data-testid=drawer-close]")
                click(s, "[data-testid=nav-inbox]")
                s.wait_for(lambda: count(s, "[data-testid=inbox-row]") >= 2, "inbox rows")
                assert tt("inbox.signature.not_signed") in s.text("[data-testid=inbox-table]")
                assert tt("inbox.signature.valid") in s.text("[data-testid=inbox-table]")
                click(s, "[data-testid=inbox-row][data-api=avista] [data-testid=inbox-toggle]")
                s.find("[data-testid=inbox-detail]")
                shot(s, f"{lang}-inbox.png")
                missing = missing_keys(s)
                assert not missing, f"missing translation keys: {missing}"
            set_language(s, "en")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
