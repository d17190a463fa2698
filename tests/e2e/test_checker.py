"""End-to-end test of "Check a callback" in the real app window, with the built-in sandbox's simulated providers.

A CYBAVO deposit callback is resent from the sandbox account; in the Sandbox inbox, "Check" on its row opens it
in the checker, which says it is genuine (the account's secret verifies its X-CHECKSUM in the app's core), reads
its type, state, amount in units and serial, and "Look it up" opens Query with its serial filled in. The same
delivery as the sandbox's receiver took it (read from the sandbox's own inbox endpoint), pasted as a whole raw
HTTP request, is genuine too; with its amount changed it is "Not signed by this account"; a request without
its request line is refused on its field with the fix. The checker is photographed in light and dark, in
English, Chinese and Portuguese.
"""

import json
import re
import sys
import urllib.request

from test_accounts import set_value
from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_workflows import CYBAVO, SERIALS, choose_operation, click, count, exists, sandbox_accounts, select_account, send, shot
from webdriver import Session

LANGS = ["en", "zh-CN", "pt-BR"]


def verdict(s):
    """The verdict shown once the check has answered (read in one go: the result is redrawn as it arrives)."""
    read = "const r = document.querySelector('[data-testid=check-result]'); return r ? r.dataset.verdict : null;"
    s.wait_for(lambda: s.execute(read) is not None, "the checker's verdict", timeout=30)
    return s.execute(read)


def fields(s):
    """The callback's fields as shown: {label: value}."""
    return dict(s.execute(
        "return [...document.querySelectorAll('[data-testid=check-field]')]"
        ".map(f => [f.querySelector('dt').textContent, f.querySelector('dd').textContent]);"))


def sandbox_inbox_url(s):
    """The running sandbox's own inbox endpoint, from the receiver addresses the Sandbox inbox lists."""
    click(s, "[data-testid=nav-inbox]")
    s.find("[data-testid=inbox-receivers]")
    text = s.execute("return document.querySelector('[data-testid=inbox-receivers] ul').textContent;")
    m = re.search(r"(http://127\.0\.0\.1:\d+)/__sandbox/inbox/receive/cybavo", text)
    assert m, text
    return m.group(1) + "/__sandbox/inbox"


def raw_request(entry, body=None):
    """The delivery as a raw HTTP request, as a server's log writes it."""
    path = re.sub(r"^https?://[^/]+", "", entry["url"])
    head = "".join(f"{k}: {v}\r\n" for k, v in entry["headers"])
    return f"POST {path} HTTP/1.1\r\n{head}\r\n{entry['body'] if body is None else body}"


def paste_request(s, text):
    click(s, "[data-testid=nav-check]")
    s.find("[data-testid=check-form]")
    if exists(s, "[data-testid=check-paste-instead]"):
        click(s, "[data-testid=check-paste-instead]")
    click(s, "[data-testid=check-mode-request]")
    set_value(s, "[data-testid=check-request]", text)
    click(s, "[data-testid=check-run]")


def choose_theme(s, choice):
    click(s, "[data-testid=nav-settings]")
    set_value(s, "[data-testid=theme-select]", choice)
    s.find("[data-testid=theme-saved]")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    t = catalog("en")
    state = {}
    try:
        @check("a CYBAVO deposit callback is resent to the sandbox's receiver")
        def _():
            sandbox_accounts(s)
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            choose_operation(s, "resend-deposit-callbacks")
            set_value(s, "[data-testid=op-notification_id]", SERIALS[0])
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            assert send(s) == "ok", s.text("[data-testid=result-panel]")

        @check("Sandbox inbox › Check: the delivery is genuine, read in words, and Look it up opens Query with its serial")
        def _():
            click(s, "[data-testid=nav-inbox]")
            s.wait_for(lambda: exists(s, "[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-check]"),
                       "the CYBAVO delivery", timeout=30)
            click(s, "[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-check]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.check.title"), "the checker")
            assert verdict(s) == "valid", s.text("[data-testid=check-result]")
            assert s.attr("[data-testid=picked-label]", "data-label") == CYBAVO
            text = s.text("[data-testid=check-verdict]")
            assert t("check.verdict.valid") in text and "CYBAVO SOFA" in text, text
            shown = fields(s)
            assert shown[t("query.col.serial")] == SERIALS[0], shown
            assert shown[t("query.col.type")] == t("cybavo.type.deposit"), shown
            assert re.fullmatch(r"\d[\d,]*(\.\d+)?", shown[t("query.col.amount")]), shown
            state["amount"] = shown[t("query.col.amount")]
            assert not missing_keys(s)
            shot(s, "en-check-inbox-valid.png")
            click(s, "[data-testid=check-lookup]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.query.title"), "the Query screen")
            s.wait_for(lambda: s.execute(
                "const e = document.querySelector('[data-testid=op-ids]'); return e ? e.value : null;") == SERIALS[0],
                "the serial filled in")

        @check("the delivery pasted as a raw HTTP request is genuine; with its amount changed it is not this account's")
        def _():
            with urllib.request.urlopen(sandbox_inbox_url(s), timeout=10) as r:
                entries = json.loads(r.read())
            entry = next(e for e in entries if e["api"] == "cybavo")
            paste_request(s, raw_request(entry))
            assert verdict(s) == "valid", s.text("[data-testid=check-result]")
            body = json.loads(entry["body"])
            assert body["serial"] == int(SERIALS[0]), body
            # The amount's first digit changed, its length kept (the logged Content-Length still fits the body).
            amount = body["amount"]
            changed = ("9" if amount[0] != "9" else "1") + amount[1:]
            tampered = entry["body"].replace(f'"amount":"{amount}"', f'"amount":"{changed}"')
            assert tampered != entry["body"] and len(tampered) == len(entry["body"]), entry["body"]
            paste_request(s, raw_request(entry, tampered))
            assert verdict(s) == "mismatch", s.text("[data-testid=check-result]")
            text = s.text("[data-testid=check-verdict]")
            assert t("check.verdict.mismatch") in text and "X-CHECKSUM" in text, text
            # The changed amount is read as the callback says it.
            assert fields(s)[t("query.col.amount")] != state["amount"], fields(s)
            shot(s, "en-check-tampered.png")
            state["tampered"] = raw_request(entry, tampered)

        @check("a request without its request line is refused on its field, with the fix")
        def _():
            paste_request(s, "X-CHECKSUM: abc\r\n\r\n{}")
            s.wait_for(lambda: exists(s, "[data-testid=error-box]"), "the error", timeout=20)
            box = s.text("[data-testid=error-box]")
            assert f"“{t('fields.callback_request')}”" in box and "POST /callback HTTP/1.1" in box, box
            assert s.attr("[data-testid=check-request]", "aria-invalid") == "true"
            assert not exists(s, "[data-testid=check-result]")

        @check("screenshots of the checker in light and dark, in three languages, with nothing untranslated")
        def _():
            for theme in ["light", "dark"]:
                choose_theme(s, theme)
                for lang in LANGS:
                    set_language(s, lang)
                    paste_request(s, state["tampered"])
                    assert verdict(s) == "mismatch"
                    assert catalog(lang)("check.verdict.mismatch") in s.text("[data-testid=check-verdict]")
                    assert not missing_keys(s), missing_keys(s)
                    s.execute("document.querySelector('.content').scrollTop = 0;")
                    shot(s, f"{theme}-{lang}-check-form.png")
                    s.execute("document.querySelector('[data-testid=check-result]').scrollIntoView({block: 'start'});")
                    shot(s, f"{theme}-{lang}-check-result.png")
                    click(s, "[data-testid=nav-inbox]")
                    s.wait_for(lambda: count(s, "[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-check]") > 0,
                               "the inbox")
                    shot(s, f"{theme}-{lang}-inbox-with-check.png")
                    click(s, "[data-testid=inbox-row][data-api=cybavo] [data-testid=inbox-check]")
                    assert verdict(s) == "valid"
                    shot(s, f"{theme}-{lang}-check-inbox.png")
            set_language(s, "en")
            choose_theme(s, "system")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
