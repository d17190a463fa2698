"""End-to-end test of provider failures in the real app window, against a sandbox started from the CLI.

The sandbox runs as its own process (`callback-desk-cli sandbox`), so the test can inject faults over
HTTP (`POST /__sandbox/faults`). One `custom`-environment account per provider is added through the
Accounts form with the sandbox's real credentials. Then, for each provider, a fault is injected and a
resend is run from the Resend screen through the confirmation: the result panel must show the translated
error (its ErrorBox carries the error code), and History must hold a `failed` (or `unknown`) row for it.
One error is photographed in each language.
"""

import json
import sys
import time
import urllib.request

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import card_by_label, set_value, start_sandbox
from test_workflows import choose_operation, click, count, exists, select_account, shot
from webdriver import Session

LANGS = ["en", "zh-CN", "pt-BR"]


def add_account(s, provider, demo, label):
    """Adds a custom-environment account through the form, with the sandbox's own credentials."""
    click(s, "[data-testid=account-add]")
    s.find("[data-testid=account-form]")
    set_value(s, "[data-testid=form-provider]", provider)
    set_value(s, "[data-testid=form-label]", label)
    s.click("[data-testid=form-env-custom]")
    set_value(s, "[data-testid=form-base_url]", demo["base_url"])
    for key, value in demo.items():
        if key in ("provider", "base_url"):
            continue
        css = f"[data-testid=form-{key}]"
        if exists(s, css):
            set_value(s, css, str(value))
    click(s, "[data-testid=form-save]")
    s.wait_for(lambda: card_by_label(s, label), f"card {label}")


def inject(root, fault):
    req = urllib.request.Request(f"{root}/__sandbox/faults", method="POST", data=json.dumps(fault).encode(),
                                 headers={"Content-Type": "application/json"})
    pending = json.loads(urllib.request.urlopen(req, timeout=10).read())["pending_faults"]
    assert pending, f"the sandbox did not take {fault}"


def clear_faults(root):
    req = urllib.request.Request(f"{root}/__sandbox/faults", method="DELETE")
    urllib.request.urlopen(req, timeout=10).read()


def pending_faults(root):
    return json.loads(urllib.request.urlopen(f"{root}/__sandbox/faults", timeout=10).read())


def fill_cybavo(s):
    choose_operation(s, "resend-deposit-callbacks")
    set_value(s, "[data-testid=op-notification_id]", "90000000001")


def fill_ceffu(s):
    set_value(s, "[data-testid=op-webhookId]", "1721442311151521794")
    set_value(s, "[data-testid=op-eventType]", "1")
    click(s, "[data-testid=op-resendFromDateTime-preset-hour_ago]")


def fill_avista(s):
    set_value(s, "[data-testid=op-transaction_identifier]", "PAG-2024-0001")


def fill_ccpayment(s):
    click(s, "[data-testid=op-start_timestamp-preset-hour_ago]")


FILL = {"cybavo": fill_cybavo, "ceffu": fill_ceffu, "avista": fill_avista, "ccpayment": fill_ccpayment}
SANDBOX_ID = {"cybavo": "cybavo", "ceffu": "ceffu", "avista": "avista", "ccpayment": "ccpayment-v1"}

# (provider, fault, expected error code, acceptable history outcomes, language of the screenshot or None)
# The rate limit comes last for CYBAVO: what it teaches holds that account's next request (checked below).
CASES = [
    ("cybavo", {"kind": "reset"}, "network.connection_reset", {"unknown"}, None),
    ("ceffu", {"kind": "status", "status": 500}, "provider.server_error", {"unknown"}, "zh-CN"),
    ("avista", {"kind": "status", "status": 504}, "provider.destination_timeout", {"failed"}, "pt-BR"),
    ("ccpayment", {"kind": "wrong_signature"}, "provider.signature_invalid", {"unknown"}, None),
    ("cybavo", {"kind": "rate_limit"}, "provider.rate_limited", {"failed"}, "en"),
]


def sandbox_calls(root, key):
    return json.loads(urllib.request.urlopen(f"{root}/__sandbox/state", timeout=10).read())["calls"][key]


def run_resend(s, label, provider):
    """Fills the provider's resend form, confirms and sends; returns the result panel's outcome."""
    click(s, "[data-testid=nav-resend]")
    select_account(s, label)
    FILL[provider](s)
    click(s, "[data-testid=resend-go]")
    s.find("[data-testid=confirm-dialog]")
    if exists(s, "[data-testid=confirm-tick]"):
        click(s, "[data-testid=confirm-tick]")
    click(s, "[data-testid=confirm-send]")
    s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=60)
    return s.attr("[data-testid=result-panel]", "data-outcome")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    sandbox, demo = start_sandbox()
    demos = {"cybavo": demo["cybavo"], "ceffu": demo["ceffu"], "avista": demo["avista"], "ccpayment": demo["ccpayment-v1"]}
    root = "/".join(demo["cybavo"]["base_url"].split("/")[:3])  # scheme://host:port
    labels = {p: f"Faults {p}" for p in demos}
    s = Session(SERVER, APP)
    try:
        @check("the CLI sandbox answers its fault control endpoint")
        def _():
            clear_faults(root)
            assert pending_faults(root) == [], pending_faults(root)

        @check("one custom account per provider is added through the form with the sandbox's credentials")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-accounts]")
            s.wait_for(lambda: exists(s, "[data-testid=account-add]"), "accounts screen")
            for provider, d in demos.items():
                add_account(s, provider, d, labels[provider])
            # Avista resends need a bearer token: a connection test fetches (and caches) it, so the
            # injected fault below hits the resend itself rather than the token call.
            card = card_by_label(s, labels["avista"])
            click(s, f"[data-testid={card}] [data-testid=account-test]")
            s.wait_for(lambda: s.attr(f"[data-testid={card}] [data-testid=test-result]", "data-ok") == "true",
                       "avista test ok", timeout=30)

        for provider, fault, code, outcomes, lang in CASES:
            @check(f"[{provider}] {fault['kind']} {fault.get('status', '')}: {code}, history row {'/'.join(sorted(outcomes))}")
            def _(provider=provider, fault=fault, code=code, outcomes=outcomes, shot_lang=lang):
                lang = shot_lang or "en"
                set_language(s, lang)
                t = catalog(lang)
                clear_faults(root)
                inject(root, {"provider": SANDBOX_ID[provider], "count": 1, **fault})
                outcome = run_resend(s, labels[provider], provider)
                panel = s.text("[data-testid=result-panel]")
                assert outcome in outcomes, f"outcome {outcome!r}: {panel}"
                box = "[data-testid=result-panel] [data-testid=result-error]"
                assert exists(s, box), f"no error box: {panel}"
                got = s.attr(box, "data-code")
                assert got == code, f"error code {got!r}, expected {code!r}: {panel}"
                message = t(f"errors.{code}").split("{{")[0].strip()
                assert message and message in panel, f"{message!r} not in {panel!r}"
                assert pending_faults(root) == [], f"the fault was not used: {pending_faults(root)}"
                if shot_lang:
                    shot(s, f"{lang}-resend-error-{provider}.png")
                missing = missing_keys(s)
                assert not missing, f"missing translation keys: {missing}"
                # The action's own history entry says it failed.
                click(s, "[data-testid=result-see-history]")
                s.find("[data-testid=history-drawer] [data-testid=drawer-body]")
                hid = s.attr("[data-testid=drawer-body]", "data-id")
                row = f"[data-testid=history-row][data-id='{hid}']"
                s.wait_for(lambda: exists(s, row), f"history row {hid}")
                got_outcome = s.attr(row, "data-outcome")
                assert got_outcome in outcomes, f"history row {hid} is {got_outcome!r}"
                # A resend whose outcome is unknown says it may have happened, and what to check.
                assert (got_outcome == "unknown") == exists(s, "[data-testid=drawer-unknown-resend]"), \
                    s.text("[data-testid=history-drawer]")
                assert s.attr(row, "data-provider") == provider, s.attr(row, "data-provider")
                # In History, a message that would send the reader to History says it without that step.
                try:
                    said = t(f"history.errors.{code}")
                except KeyError:
                    said = t(f"errors.{code}")
                assert said.split("{{")[0].strip() in s.text("[data-testid=history-drawer]"), \
                    s.text("[data-testid=history-drawer]")
                click(s, "[data-testid=drawer-close]")

        @check("after the provider's rate limit, the next resend is held, says when, and sends nothing")
        def _():
            set_language(s, "en")
            before = sandbox_calls(root, "cybavo")
            click(s, "[data-testid=nav-resend]")
            select_account(s, labels["cybavo"])
            fill_cybavo(s)
            # The budget learnt from the refusal: the button counts down, and the confirmation offers only
            # "Send when allowed" (sending now is disabled and says when it becomes possible).
            s.wait_for(lambda: s.attr("[data-testid=resend-go]", "data-wait"), "the countdown on the button", timeout=20)
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            if exists(s, "[data-testid=confirm-tick]"):
                click(s, "[data-testid=confirm-tick]")
            assert s.execute("return document.querySelector('[data-testid=confirm-send]').disabled;"), "send enabled over the budget"
            assert exists(s, "[data-testid=confirm-wait]"), s.text("[data-testid=confirm-dialog]")
            assert exists(s, "[data-testid=confirm-queue]"), s.text("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-cancel]")
            s.wait_for(lambda: not exists(s, "[data-testid=confirm-dialog]"), "dialog closed")
            assert not exists(s, "[data-testid=result-panel]")
            assert sandbox_calls(root, "cybavo") == before, "nothing reached the provider"

        @check("History lists a failed or unknown row for every injected fault")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-history]")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= len(CASES), "history rows")
            rows = s.execute("return [...document.querySelectorAll('[data-testid=history-row]')]"
                             ".map(r => [r.dataset.provider, r.dataset.outcome]);")
            for provider, _fault, _code, outcomes, _lang in CASES:
                assert any(p == provider and o in outcomes for p, o in rows), f"{provider} {outcomes} not in {rows}"
            assert sum(1 for p, o in rows if o in ("failed", "unknown")) >= len(CASES), rows
            set_value(s, "[data-testid=filter-outcome]", "failed")
            s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 2 and s.execute(
                "return [...document.querySelectorAll('[data-testid=history-row]')].every(r => r.dataset.outcome === 'failed');"),
                "failed rows only")
            shot(s, "en-history-failed.png")
            click(s, "[data-testid=filter-clear]")
    finally:
        s.close()
        sandbox.terminate()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
