"""End-to-end test of Fireblocks in the real app window, against the built-in sandbox's Fireblocks simulator.

A Fireblocks sandbox account is added through the Accounts form (API key, the API user's private key, the v2
webhook id) and its connection tested. On Resend, the failed notifications since a moment (within the last
24 hours) are resent: Fireblocks answers with a job, which the window follows until it is completed. On
Query, a transaction's notifications are listed, one is opened to show its delivery attempts (time, your
server's answer, duration, outcome), and "Resend this callback" resends that one notification. The signed
deliveries are in the Sandbox inbox with a valid signature, and every step is in History. The screens are
photographed in the three languages.
"""

import sys
from datetime import datetime, timedelta

from test_accounts import card_by_label, set_value
from test_shell import APP, ROOT, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_workflows import choose_operation, click, count, exists, select_account, shot, type_date
from webdriver import Session

LABEL = "Fireblocks sandbox"
API_KEY = "0b7e4c2a-5d19-4f6e-8a3c-9d2b1e7f6a54"  # the simulator's demo API user (public on purpose)
WEBHOOK_ID = "44fcead0-7053-4831-a53a-df7fb90d440f"
TX_ID = "cfe5be48-9307-4aa3-8ead-b959fca35dd6"
PRIVATE_KEY = (ROOT / "tests/fixtures/fireblocks_test_key.pem").read_text()
LANGS = ["en", "zh-CN", "pt-BR"]


def rows(s):
    """The Query table's rows: (row id, its text)."""
    return s.execute("return [...document.querySelectorAll('[data-testid=query-row]')].map(r => [r.dataset.rowId, r.textContent]);")


def status_row(s):
    """The row of the demo transaction's status-update notification."""
    for row_id, text in rows(s):
        if "transaction.status.updated" in text:
            return row_id
    raise AssertionError(f"no status update among {rows(s)}")


def list_transaction_notifications(s):
    click(s, "[data-testid=nav-query]")
    select_account(s, LABEL)
    click(s, "[data-testid=query-tab-list-notifications]")
    set_value(s, "[data-testid=op-resourceId]", TX_ID)
    click(s, "[data-testid=query-run]")
    s.wait_for(lambda: count(s, "[data-testid=query-row]") == 2, "the transaction's two notifications", timeout=30)


def history_of_fireblocks(s):
    """History filtered to Fireblocks."""
    click(s, "[data-testid=nav-history]")
    s.wait_for(lambda: exists(s, "[data-testid=filter-provider] option[value=fireblocks]"), "the provider filter")
    set_value(s, "[data-testid=filter-provider]", "fireblocks")
    s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 6 and s.execute(
        "return [...document.querySelectorAll('[data-testid=history-row]')].every(r => r.dataset.provider === 'fireblocks');"),
        "Fireblocks rows only", timeout=30)


def open_attempts(s, row_id):
    click(s, f"[data-testid=query-row][data-row-id='{row_id}'] [data-testid=query-detail]")
    s.wait_for(lambda: count(s, "[data-testid=row-detail-row]") >= 1, "delivery attempts", timeout=30)
    # For the photograph: the results from their start, the table from its first column.
    s.execute("document.querySelector('[data-testid=query-results]').scrollIntoView({block: 'start'});"
              "document.querySelector('[data-testid=query-results] .table-wrap').scrollLeft = 0;")
    hidden = buttons_out_of_view(s)
    assert not hidden, f"row buttons outside the table's visible part: {hidden}"


def buttons_out_of_view(s):
    """The rows' buttons a user would have to scroll the table sideways to reach."""
    return s.execute(
        "const wrap = document.querySelector('[data-testid=query-results] .table-wrap').getBoundingClientRect();"
        "return [...document.querySelectorAll('[data-testid=query-row] button')]"
        ".filter(b => { const r = b.getBoundingClientRect(); return r.left < wrap.left || r.right > wrap.right + 0.5; })"
        ".map(b => b.dataset.testid);")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    t = catalog("en")
    try:
        @check("a Fireblocks sandbox account is added through the form and its connection tested")
        def _():
            set_language(s, "en")
            click(s, "[data-testid=nav-accounts]")
            click(s, "[data-testid=account-add]")
            s.find("[data-testid=account-form]")
            set_value(s, "[data-testid=form-provider]", "fireblocks")
            set_value(s, "[data-testid=form-label]", LABEL)
            click(s, "[data-testid=form-env-sandbox]")
            # A private key that is not an RSA key is refused next to its field, before anything is saved.
            set_value(s, "[data-testid=form-api_key]", API_KEY)
            set_value(s, "[data-testid=form-private_key]", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            set_value(s, "[data-testid=form-webhook_id]", WEBHOOK_ID)
            click(s, "[data-testid=form-save]")
            msg = s.text("[data-testid=field-error-private_key]")
            assert t("reasons.not_rsa_pem_key").split(" (")[0] in msg, msg
            set_value(s, "[data-testid=form-private_key]", PRIVATE_KEY)
            shot(s, "en-fireblocks-account-form.png")
            click(s, "[data-testid=form-save]")
            s.wait_for(lambda: card_by_label(s, LABEL), "the Fireblocks card")
            card = card_by_label(s, LABEL)
            text = s.text(f"[data-testid={card}]")
            assert API_KEY not in text and "BEGIN PRIVATE KEY" not in text, "a secret is shown on the card"
            click(s, f"[data-testid={card}] [data-testid=account-test]")
            s.wait_for(lambda: s.attr(f"[data-testid={card}] [data-testid=test-result]", "data-ok") == "true",
                       "the connection test", timeout=40)
            shot(s, "en-fireblocks-account.png")

        @check("Resend: the failed notifications since a moment, followed as Fireblocks' job until it completes")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, LABEL)
            choose_operation(s, "resend-failed-notifications")
            # The v1 resends are marked as being retired.
            assert exists(s, "[data-testid=op-choice-resend-failed-webhooks-v1] [data-testid=op-deprecated]")
            assert not exists(s, "[data-testid=op-choice-resend-failed-notifications] [data-testid=op-deprecated]")
            # 20 hours ago, typed as a person does in the app's date format.
            type_date(s, "op-startTime", datetime.now() - timedelta(hours=20), "en", seconds=True)
            click(s, "[data-testid=resend-preview]")
            try:
                req = s.text("[data-testid=preview-request]")
            except Exception:
                shot(s, "failed-fireblocks-preview.png")
                raise
            assert f"/v1/webhooks/{WEBHOOK_ID}/notifications/resend_failed" in req, req
            assert "Authorization" in req and "eyJ" not in req and API_KEY not in req, req
            shot(s, "en-fireblocks-resend-form.png")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            assert s.attr("[data-testid=confirm-level]", "data-level") == "strong"
            assert exists(s, "[data-testid=confirm-reason-fireblocks_failed_since]")
            click(s, "[data-testid=confirm-tick]")
            shot(s, "en-fireblocks-resend-confirm.png")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "the result", timeout=40)
            summary = s.text("[data-testid=result-summary]")
            assert s.attr("[data-testid=result-panel]", "data-outcome") == "ok", s.text("[data-testid=result-panel]")
            assert "Fireblocks is resending" in summary and "failed notifications" in summary, summary
            s.find("[data-testid=follow-panel]")
            seen = set()

            def finished():
                seen.add(s.attr("[data-testid=follow-panel]", "data-state"))
                return s.attr("[data-testid=follow-panel]", "data-finished") == "true"

            s.wait_for(finished, "the job to complete", timeout=60)
            assert "IN_PROGRESS" in seen or "QUEUED" in seen, seen
            assert s.text("[data-testid=follow-state]") == t("fireblocks.job.COMPLETED")
            progress = s.text("[data-testid=follow-progress]")
            assert t("follow.finished") in progress, progress
            shot(s, "en-fireblocks-job-completed.png")

        @check("Query: a transaction's notifications with their delivery attempts, and resend one of them")
        def _():
            list_transaction_notifications(s)
            row_id = status_row(s)
            open_attempts(s, row_id)
            detail = s.text("[data-testid=row-detail-table]")
            # The seeded timeout, then the delivery of the job just run.
            assert t("fireblocks.attempt.TIMED_OUT") in detail and t("fireblocks.attempt.DELIVERED") in detail, detail
            assert "200" in detail, detail
            shot(s, "en-fireblocks-query-attempts.png")
            click(s, f"[data-testid=query-row][data-row-id='{row_id}'] [data-testid=query-resend]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.resend.title"), "the Resend screen")
            s.wait_for(lambda: s.execute(
                "const e = document.querySelector('[data-testid=op-notificationId]'); return e ? e.value : null;") == row_id,
                "the notification id prefilled")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            assert s.attr("[data-testid=confirm-level]", "data-level") == "normal"
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "the result", timeout=40)
            assert s.attr("[data-testid=result-panel]", "data-outcome") == "ok", s.text("[data-testid=result-panel]")
            assert s.text("[data-testid=result-summary]") == t("result.fireblocks_notification_accepted")
            shot(s, "en-fireblocks-resend-one.png")

        @check("Sandbox inbox: Fireblocks' deliveries arrived signed, and the signatures verify")
        def _():
            click(s, "[data-testid=nav-inbox]")
            s.wait_for(lambda: count(s, "[data-testid=inbox-row][data-api=fireblocks]") >= 2, "Fireblocks deliveries", timeout=30)
            sigs = s.execute("return [...document.querySelectorAll('[data-testid=inbox-row][data-api=fireblocks] [data-testid=inbox-signature]')]"
                             ".map(b => b.dataset.signature);")
            assert sigs and all(sig == "valid" for sig in sigs), sigs
            click(s, "[data-testid=inbox-row][data-api=fireblocks] [data-testid=inbox-toggle]")
            detail = s.text("[data-testid=inbox-detail]")
            assert "fireblocks-signature: <redacted>" in detail.lower(), detail
            shot(s, "en-fireblocks-inbox.png")

        @check("History: every Fireblocks step is there, the resend, each look at the job, the look-ups and the single resend")
        def _():
            history_of_fireblocks(s)
            have = s.execute("return [...document.querySelectorAll('[data-testid=history-row]')].map(r => [r.dataset.provider, r.dataset.operation, r.dataset.outcome]);")
            assert all(p == "fireblocks" for p, _, _ in have), have
            ops = {o for _, o, outcome in have if outcome == "ok"}
            for want in ["resend-failed-notifications", "get-resend-job", "list-notifications",
                         "get-notification-attempts", "resend-notification"]:
                assert want in ops, f"{want} not in {have}"
            looks = [o for _, o, _ in have if o == "get-resend-job"]
            assert len(looks) >= 3, have
            click(s, "[data-testid=history-row][data-operation=resend-notification] td")
            s.find("[data-testid=drawer-request]")
            drawer = s.text("[data-testid=history-drawer]")
            assert "/resend" in drawer and API_KEY not in drawer, drawer
            shot(s, "en-fireblocks-history.png")
            click(s, "[data-testid=drawer-close]")

        @check("the Fireblocks screens in the three languages")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                tt = catalog(lang)
                click(s, "[data-testid=nav-resend]")
                select_account(s, LABEL)
                choose_operation(s, "resend-failed-notifications")
                assert tt("ops.fireblocks.resend-failed-notifications.label") in s.text("[data-testid=resend-form]")
                shot(s, f"{lang}-fireblocks-resend.png")
                choose_operation(s, "resend-transaction-webhooks-v1")
                assert tt("work.deprecated") in s.text("[data-testid=op-choice-resend-transaction-webhooks-v1]")
                shot(s, f"{lang}-fireblocks-resend-v1.png")
                list_transaction_notifications(s)
                open_attempts(s, status_row(s))
                assert tt("query.fireblocks_attempts") in s.text("[data-testid=query-results]")
                shot(s, f"{lang}-fireblocks-query.png")
                history_of_fireblocks(s)
                shot(s, f"{lang}-fireblocks-history.png")
                missing = missing_keys(s)
                assert not missing, f"missing translation keys: {missing}"
            set_language(s, "en")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
