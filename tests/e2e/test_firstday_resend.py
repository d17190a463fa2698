"""End-to-end test of a finance person's first day on the Resend screen, in the real window and the three
languages, against the app's built-in sandbox.

- A dialog completed with the keyboard only: focus moves in, Tab stays inside, Escape closes and focus goes
  back to the button that opened it; Enter sends.
- A sandbox Avista resend to the sandbox's receiver, then "see what your server would have received".
- The hours of an outage as a from–to window (CCPayment, two hours → two requests), typed digit by digit in
  each language's format; the plan says the window and its time zone in words; it runs in English.
- "Send when allowed": a second CCPayment resend within the minute waits (a job of one call) instead of
  being sent, and can be cancelled.
- A job with failures (faults injected into the sandbox over its control endpoint) reads as failed with its
  reason, and "Fix and retry the failed ones" sends exactly the failed calls again.
- The time zone chosen in Settings is the one the fields and the plan show.
- A Ceffu resend without typing an id: the sandbox account keeps its webhook endpoint id, the single and bulk
  forms offer it chosen already (another one can still be typed), and the account form shows it with help
  on where to find it in the provider's portal.
- The sandbox for training in Settings: a problem added for a provider (down) meets the next resend, then
  "Reset the sandbox" (asked first) empties the Sandbox inbox; "Try it with simulated providers" stays on the
  Accounts screen.
Screenshots of each changed screen at 1024×700, 1280×800 and 1920×1080 in the three languages.
"""

import json
import re
import sys
import time
import urllib.request
from datetime import datetime, timedelta

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import card_by_label, set_value
from test_workflows import AVISTA, CCPAY, CEFFU, CYBAVO, choose_operation, click, count, exists, field_text, sandbox_accounts, select_account, shot, type_date
from webdriver import ENTER, ESCAPE, SHIFT, TAB, Session

LANGS = ["en", "zh-CN", "pt-BR"]
SIZES = [(1024, 700), (1280, 800), (1920, 1080)]
JOB = "[data-testid=job-card]"
# The webhook endpoint id the sandbox's Ceffu knows, stored on its demo account.
CEFFU_WEBHOOK = "1721442311151521794"


def active_testid(s):
    return s.execute("const a = document.activeElement; return a ? a.dataset.testid || a.tagName : null;")


def focus_in(s, css):
    return s.execute("const d = document.querySelector(arguments[0]); return !!d && d.contains(document.activeElement);", css)


def sandbox_root(s):
    """The sandbox's root URL, from the receiver URL the Avista form was given."""
    url = s.execute("return document.querySelector('[data-testid=op-url]').value;")
    return "/".join(url.split("/")[:3])


def sandbox_calls(root, api):
    return json.loads(urllib.request.urlopen(f"{root}/__sandbox/state", timeout=10).read())["calls"].get(api, 0)


def inject(root, fault):
    req = urllib.request.Request(f"{root}/__sandbox/faults", method="POST", data=json.dumps(fault).encode(),
                                 headers={"Content-Type": "application/json"})
    assert json.loads(urllib.request.urlopen(req, timeout=10).read())["pending_faults"], fault


def job_attr(s, job_id, name):
    return s.attr(f"{JOB}[data-job-id='{job_id}']", name)


def newest_job(s):
    return s.execute("const c = document.querySelector(arguments[0]); return c ? Number(c.dataset.jobId) : null;", JOB)


def started_job(s, before):
    """The job the plan just started: the newest in Jobs once it is no longer the one before."""
    s.wait_for(lambda: newest_job(s) not in (None, before), "the started job in Jobs", timeout=20)
    return newest_job(s)


def shots_at_sizes(s, name):
    """The screen as it is, at each window size (the window is given each size in turn, then 1280×800 again)."""
    for w, h in SIZES:
        try:
            s.s("POST", "/window/rect", {"width": w, "height": h})
            time.sleep(0.3)
        except Exception as e:  # noqa: BLE001 - a screen smaller than the size: say so, take what there is
            print(f"     window size {w}x{h} not set: {e}")
        shot(s, f"{name}-{w}x{h}.png")
    s.s("POST", "/window/rect", {"width": 1280, "height": 800})


def plan_text(s, name):
    """A part of the open plan dialog as the page renders it, once it has any (WebDriver's own text of an
    element is empty while the dialog's scrolled body hides it)."""
    css = f"[data-testid={name}]"
    read = lambda: s.execute("const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';", css)
    s.wait_for(read, f"{name} in the plan")
    return read()


def outage_window():
    """Yesterday 10:00–12:00, local time: two hours that have passed."""
    day = (datetime.now() - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    return day, day + timedelta(hours=2)


def plan_outage(s, lang, t):
    """Types yesterday 10:00–12:00 digit by digit into the CCPayment window and asks for the plan."""
    click(s, "[data-testid=nav-resend]")
    select_account(s, CCPAY)
    click(s, "[data-testid=mode-bulk] input")
    start, end = outage_window()
    type_date(s, "bulk-window-from", start, lang)
    type_date(s, "bulk-window-to", end, lang)
    shown = field_text(s, "bulk-window-from")
    want = start.strftime("%Y/%m/%d" if lang == "zh-CN" else "%d/%m/%Y")
    assert shown.startswith(want) and shown.endswith("10:00"), (lang, shown)
    assert field_text(s, "bulk-window-to").endswith("12:00"), field_text(s, "bulk-window-to")
    click(s, "[data-testid=bulk-plan]")
    s.find("[data-testid=plan-dialog]")
    return start


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    state = {}
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("a dialog with the keyboard only: focus in, Tab stays inside, Escape closes, focus back; Enter sends")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            choose_operation(s, "resend-deposit-callbacks")
            set_value(s, "[data-testid=op-notification_id]", "90000000001")
            s.execute("document.querySelector('[data-testid=resend-go]').focus();")
            s.keys(ENTER)
            s.find("[data-testid=confirm-dialog]")
            s.wait_for(lambda: focus_in(s, "[data-testid=confirm-dialog]"), "focus in the dialog")
            for _ in range(8):
                s.keys(TAB)
                assert focus_in(s, "[data-testid=confirm-dialog]"), f"Tab left the dialog: {active_testid(s)}"
            for _ in range(3):
                s.keys(SHIFT + TAB)
                assert focus_in(s, "[data-testid=confirm-dialog]"), f"Shift+Tab left the dialog: {active_testid(s)}"
            # The signed request is behind a closed "Technical details" disclosure.
            assert s.execute("return !document.querySelector('[data-testid=resend-preview-panel]').open;")
            s.keys(ESCAPE)
            s.wait_for(lambda: not exists(s, "[data-testid=confirm-dialog]"), "dialog closed by Escape")
            assert active_testid(s) == "resend-go", active_testid(s)
            s.keys(ENTER)
            s.find("[data-testid=confirm-dialog]")
            for _ in range(10):
                if active_testid(s) == "confirm-send":
                    break
                s.keys(TAB)
            assert active_testid(s) == "confirm-send", active_testid(s)
            s.keys(ENTER)
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
            assert s.attr("[data-testid=result-panel]", "data-outcome") == "ok"

        @check("Avista sandbox: the one-off URL is the sandbox's receiver; the result opens the Sandbox inbox")
        def _():
            select_account(s, AVISTA)
            set_value(s, "[data-testid=op-transaction_identifier]", "PAG-2024-0001")
            click(s, "[data-testid=op-url-receiver]")
            url = s.execute("return document.querySelector('[data-testid=op-url]').value;")
            assert re.match(r"http://127\.0\.0\.1:\d+/__sandbox/", url), url
            state["root"] = sandbox_root(s)
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-tick-one_off_url]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
            assert s.attr("[data-testid=result-panel]", "data-outcome") == "ok", s.text("[data-testid=result-panel]")
            shot(s, "en-firstday-avista-result.png")
            click(s, "[data-testid=result-open-inbox]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == catalog("en")("screens.inbox.title"), "inbox")
            s.wait_for(lambda: count(s, "[data-testid=inbox-row][data-api=avista]") >= 1, "the Avista delivery", timeout=30)

        @check("[en] a Ceffu resend without typing an id: the account's stored id is chosen already and sent")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            select_account(s, CEFFU)
            s.wait_for(lambda: s.execute("const e = document.querySelector('[data-testid=op-webhookId]');"
                                         "return !!e && e.tagName === 'SELECT' && e.value === arguments[0];", CEFFU_WEBHOOK),
                       "the stored webhook id chosen")
            assert not exists(s, "[data-testid=op-webhookId-other]"), "a text input beside the stored id"
            set_value(s, "[data-testid=op-eventType]", "1")
            click(s, "[data-testid=op-resendFromDateTime-preset-hour_ago]")
            before = sandbox_calls(state["root"], "ceffu")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
            assert s.attr("[data-testid=result-panel]", "data-outcome") == "ok", s.text("[data-testid=result-panel]")
            assert sandbox_calls(state["root"], "ceffu") == before + 1
            # Another id can still be typed.
            set_value(s, "[data-testid=op-webhookId]", "__other__")
            s.find("[data-testid=op-webhookId-other]")
            set_value(s, "[data-testid=op-webhookId]", CEFFU_WEBHOOK)
            s.wait_for(lambda: not exists(s, "[data-testid=op-webhookId-other]"), "back to the stored id")

        for lang in LANGS:
            @check(f"[{lang}] Ceffu: the single and bulk forms offer the stored id; the account form shows it with its help")
            def _(lang=lang):
                set_language(s, lang)
                t = catalog(lang)
                click(s, "[data-testid=nav-resend]")
                select_account(s, CEFFU)
                click(s, "[data-testid=mode-single] input")
                s.wait_for(lambda: s.execute("return document.querySelector('[data-testid=op-webhookId]').value;") == CEFFU_WEBHOOK,
                           "stored id in the single form")
                option = s.execute("return document.querySelector('[data-testid=op-webhookId]').selectedOptions[0].textContent;")
                assert option == f"{t('accounts.sandbox_prefix')} — {CEFFU_WEBHOOK}", option
                s.execute("document.querySelector('[data-testid=field-webhookId]').scrollIntoView({block: 'center'});")
                shots_at_sizes(s, f"{lang}-firstday-ceffu-single")
                click(s, "[data-testid=mode-bulk] input")
                s.wait_for(lambda: s.execute("return document.querySelector('[data-testid=op-webhookId]').value;") == CEFFU_WEBHOOK,
                           "stored id in the bulk form")
                shot(s, f"{lang}-firstday-ceffu-bulk-1280x800.png")
                click(s, "[data-testid=mode-single] input")
                click(s, "[data-testid=nav-accounts]")
                s.wait_for(lambda: card_by_label(s, CEFFU), "the Ceffu card")
                click(s, f"[data-testid={card_by_label(s, CEFFU)}] [data-testid=account-edit]")
                s.find("[data-testid=account-form]")
                assert s.execute("return document.querySelector('[data-testid=form-webhook_ids-id-0]').value;") == CEFFU_WEBHOOK
                help_text = s.execute("return document.querySelector('[data-testid=help-webhook_ids]').textContent;")
                assert help_text == t("accounts.ceffu.webhook_ids.help"), help_text
                s.execute("document.querySelector('[data-testid=named-ids-webhook_ids]').scrollIntoView({block: 'center'});")
                shots_at_sizes(s, f"{lang}-firstday-ceffu-account")
                click(s, "[data-testid=form-cancel]")
                assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")

        for lang in LANGS:
            @check(f"[{lang}] an outage typed digit by digit in the language's format: the plan says the window and zone in words")
            def _(lang=lang):
                set_language(s, lang)
                t = catalog(lang)
                start = plan_outage(s, lang, t)
                assert plan_text(s, "plan-calls").startswith("2"), plan_text(s, "plan-calls")
                window = plan_text(s, "plan-window")
                day = start.strftime("%Y/%m/%d" if lang == "zh-CN" else "%d/%m/%Y")
                assert window.startswith(day) and window.endswith("10:00 – 12:00"), window
                zone = plan_text(s, "plan-zone")
                assert zone.startswith(t("datetime.zone_local").split("{{")[0]), zone
                assert not re.search(r"\b1\d{9}\b", plan_text(s, "plan-dialog")), "Unix seconds in the plan"
                shots_at_sizes(s, f"{lang}-firstday-plan")
                if lang != "en":
                    # Escape closes the plan; focus goes back to the button that opened it.
                    s.keys(ESCAPE)
                    s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed")
                    assert active_testid(s) == "bulk-plan", active_testid(s)
                assert not missing_keys(s), missing_keys(s)

            if lang == "en":
                @check("[en] the outage plan runs: two requests, paced by the provider's limit")
                def _():
                    before = newest_job(s)
                    click(s, "[data-testid=plan-tick]")
                    click(s, "[data-testid=plan-start]")
                    s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
                    state["outage"] = started_job(s, before)
                    state["ccp_calls"] = sandbox_calls(state["root"], "ccpayment-v1")

                @check("[en] Send when allowed: a second CCPayment resend within the minute waits instead of being sent")
                def _():
                    click(s, "[data-testid=mode-single] input")
                    click(s, "[data-testid=op-start_timestamp-preset-hour_ago]")
                    s.wait_for(lambda: s.attr("[data-testid=resend-go]", "data-wait"), "the countdown on the button", timeout=20)
                    click(s, "[data-testid=resend-go]")
                    s.wait_for(lambda: exists(s, "[data-testid=confirm-dialog]") or exists(s, "[data-testid=resend-error]")
                               or exists(s, "[data-testid^=form-error-]"), "the confirmation")
                    if not exists(s, "[data-testid=confirm-dialog]"):
                        shot(s, "failed-firstday-send-when-allowed.png")
                        raise AssertionError(s.text("[data-testid=resend-form]"))
                    assert s.execute("return document.querySelector('[data-testid=confirm-send]').disabled;"), "send enabled over the budget"
                    assert re.search(r"\d+ (s|min)", s.text("[data-testid=confirm-send]")), s.text("[data-testid=confirm-send]")
                    shots_at_sizes(s, "en-firstday-send-when-allowed")
                    before = sandbox_calls(state["root"], "ccpayment-v1")
                    click(s, "[data-testid=confirm-queue]")
                    s.wait_for(lambda: not exists(s, "[data-testid=confirm-dialog]"), "dialog closed")
                    s.wait_for(lambda: newest_job(s) != state["outage"], "the queued job in Jobs")
                    queued = newest_job(s)
                    assert job_attr(s, queued, "data-state") == "running"
                    time.sleep(2)
                    assert sandbox_calls(state["root"], "ccpayment-v1") == before, "the queued resend was sent at once"
                    assert s.text(f"{JOB}[data-job-id='{queued}'] [data-testid=job-done]").startswith("0 of 1"), "queued job sent"
                    click(s, f"{JOB}[data-job-id='{queued}'] [data-testid=job-cancel]")
                    s.wait_for(lambda: job_attr(s, queued, "data-state") == "cancelled", "queued job cancelled", timeout=20)

                @check("[en] the outage job finishes with both requests succeeded and reads as a good run")
                def _():
                    job = state["outage"]
                    s.wait_for(lambda: job_attr(s, job, "data-state") == "done", "outage job done", timeout=150)
                    assert job_attr(s, job, "data-tone") == "ok", job_attr(s, job, "data-tone")
                    assert s.text(f"{JOB}[data-job-id='{job}'] [data-testid=job-ok]") == "2 succeeded"

        @check("a job with failures reads as failed with its reason; 'Fix and retry the failed ones' sends exactly them")
        def _():
            set_language(s, "en")
            t = catalog("en")
            root = state["root"]
            # Only the resends (the token request before them, when the token is not cached, is left alone), and
            # every one of them until the job has failed: the faults are cleared before the retry.
            inject(root, {"provider": "avista", "kind": "status", "status": 504, "count": 50, "path": "resend-webhook"})
            click(s, "[data-testid=nav-resend]")
            select_account(s, AVISTA)
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=bulk-list]", "PAG-2024-0001\nPAG-2024-0002")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            before = newest_job(s)
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
            job = started_job(s, before)
            try:
                s.wait_for(lambda: job_attr(s, job, "data-state") == "done", "failing job done", timeout=60)
            finally:
                state_now = urllib.request.urlopen(f"{root}/__sandbox/state", timeout=10).read().decode()
                urllib.request.urlopen(urllib.request.Request(f"{root}/__sandbox/faults", method="DELETE"), timeout=10).read()
            assert job_attr(s, job, "data-tone") == "failed", (job_attr(s, job, "data-tone"), state_now)
            assert s.text(f"{JOB}[data-job-id='{job}'] [data-testid=job-state]") == t("bulk.tone.failed")
            s.find(f"{JOB}[data-job-id='{job}'] [data-testid=job-reason]")
            assert s.attr(f"{JOB}[data-job-id='{job}'] [data-testid=job-reason-error]", "data-code") == "provider.destination_timeout"
            state["failed_job"] = job
            for lang in LANGS:
                set_language(s, lang)
                click(s, "[data-testid=nav-resend]")
                s.find(f"{JOB}[data-job-id='{job}'] [data-testid=job-reason]")
                s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", f"{JOB}[data-job-id='{job}']")
                shots_at_sizes(s, f"{lang}-firstday-job-failed")
                assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            click(s, f"{JOB}[data-job-id='{job}'] [data-testid=job-retry]")
            s.find("[data-testid=plan-dialog] [data-testid=retry-fix]")
            assert plan_text(s, "plan-calls").startswith("2"), plan_text(s, "plan-calls")
            for lang in LANGS:
                if lang != "en":
                    continue
                shots_at_sizes(s, f"{lang}-firstday-retry-plan")
            click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "retry plan closed", timeout=20)
            retry = started_job(s, job)
            try:
                s.wait_for(lambda: job_attr(s, retry, "data-state") == "done", "retry done", timeout=90)
            except AssertionError:
                shot(s, "failed-firstday-retry.png")
                raise AssertionError(s.text(f"{JOB}[data-job-id='{retry}']"))
            assert job_attr(s, retry, "data-tone") == "ok", job_attr(s, retry, "data-tone")
            assert s.text(f"{JOB}[data-job-id='{retry}'] [data-testid=job-done]").startswith("2 of 2")

        @check("Settings: the time zone is UTC, shown next to the fields and in the plan; back to local time")
        def _():
            set_language(s, "pt-BR")
            t = catalog("pt-BR")
            set_value(s, "[data-testid=zone-select]", "UTC")
            s.find("[data-testid=zone-saved]")
            shots_at_sizes(s, "pt-BR-firstday-settings-zone")
            click(s, "[data-testid=nav-resend]")
            select_account(s, CCPAY)
            click(s, "[data-testid=mode-bulk] input")
            s.wait_for(lambda: s.text("[data-testid=bulk-window-from-zone]") == t("datetime.zone_utc"), "UTC beside the field")
            click(s, "[data-testid=bulk-window-preset-yesterday]")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            try:
                s.wait_for(lambda: plan_text(s, "plan-zone") == t("datetime.zone_utc"), "UTC in the plan")
                s.wait_for(lambda: plan_text(s, "plan-window").endswith("00:00 – 00:00"), "yesterday's window in the plan")
            except Exception:
                shot(s, "failed-firstday-plan-zone.png")
                raise AssertionError(f"zone {s.text('[data-testid=plan-zone]')!r}, window {s.text('[data-testid=plan-window]')!r}")
            finally:
                s.keys(ESCAPE)
            set_language(s, "pt-BR")
            set_value(s, "[data-testid=zone-select]", "local")
            s.find("[data-testid=zone-saved]")

        @check("leaving Resend and coming back keeps the form, its mode and the results")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-resend]")
            select_account(s, CCPAY)
            click(s, "[data-testid=mode-bulk] input")
            start, end = outage_window()
            type_date(s, "bulk-window-from", start, "en")
            click(s, "[data-testid=nav-history]")
            click(s, "[data-testid=nav-resend]")
            s.find("[data-testid=bulk-window-from-input]")
            assert s.execute("return document.querySelector('[data-testid=mode-bulk] input').checked;"), "bulk mode lost"
            assert field_text(s, "bulk-window-from").endswith("10:00"), field_text(s, "bulk-window-from")

        @check("Settings: a training problem meets the next resend; Reset the sandbox asks first and empties the inbox")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-settings]")
            s.find("[data-testid=sandbox-training]")
            set_value(s, "[data-testid=fault-provider]", "cybavo")
            set_value(s, "[data-testid=fault-kind]", "down")
            set_value(s, "[data-testid=fault-count]", "1")
            click(s, "[data-testid=fault-add]")
            s.wait_for(lambda: exists(s, "[data-testid=fault-row][data-provider=cybavo][data-fault=down]"), "the problem listed")
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            if exists(s, "[data-testid=mode-single] input"):
                click(s, "[data-testid=mode-single] input")
            choose_operation(s, "resend-deposit-callbacks")
            set_value(s, "[data-testid=op-notification_id]", "90000000001")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]") or exists(s, "[data-testid=resend-error]"), "the answer", timeout=40)
            outcome = s.attr("[data-testid=result-panel]", "data-outcome") if exists(s, "[data-testid=result-panel]") else "error"
            assert outcome != "ok", "the provider was down and the resend succeeded"
            shot(s, "en-firstday-training-down-result.png")
            click(s, "[data-testid=nav-settings]")
            s.find("[data-testid=fault-none]")
            for lang in LANGS:
                set_language(s, lang)
                click(s, "[data-testid=nav-settings]")
                set_value(s, "[data-testid=fault-provider]", "ccpayment")
                set_value(s, "[data-testid=fault-kind]", "slow")
                set_value(s, "[data-testid=fault-count]", "2")
                click(s, "[data-testid=fault-add]")
                s.find("[data-testid=fault-row]")
                click(s, "[data-testid=sandbox-reset]")
                s.find("[data-testid=sandbox-reset-confirm]")
                s.execute("document.querySelector('[data-testid=sandbox-training]').scrollIntoView({block: 'start'});")
                shots_at_sizes(s, f"{lang}-firstday-settings-training")
                assert not missing_keys(s), missing_keys(s)
                click(s, "[data-testid=fault-clear]")
                s.find("[data-testid=fault-none]")
                click(s, "[data-testid=sandbox-reset-cancel]")
            set_language(s, "en")
            click(s, "[data-testid=nav-settings]")
            click(s, "[data-testid=sandbox-reset]")
            click(s, "[data-testid=sandbox-reset-apply]")
            s.find("[data-testid=sandbox-reset-done]")
            click(s, "[data-testid=nav-inbox]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == catalog("en")("screens.inbox.title"), "inbox")
            time.sleep(1)
            assert count(s, "[data-testid=inbox-row]") == 0, "the reset left the inbox full"

        @check("every sandbox label is shown with the prefix in the app language")
        def _():
            set_language(s, "zh-CN")
            click(s, "[data-testid=nav-resend]")
            label = s.text("[data-testid=picked-label]")
            assert label.startswith(catalog("zh-CN")("accounts.sandbox_prefix") + " · "), label
            set_language(s, "en")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
