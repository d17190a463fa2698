"""End-to-end test of the operations providers offer beyond resends, in the real app window.

Against the simulated providers: CYBAVO's "Test my endpoint" beside the resends (the sandbox posts the
connection test to its built-in receiver, the answer is worded as the merchant server's); CCPayment v2's
record look-ups on the Query screen (a deposit by record id, then "Resend this record" prefills the resend
by record ids; a withdrawal by order id; an unknown id is "no record"), drawn from the descriptors; and a
CYBAVO read-only API code account (made in the account form, against a sandbox started by the CLI), which
is offered the look-ups and the endpoint test but no resend. The new screens are photographed in the
three languages.
"""

import sys

from test_accounts import card_by_label, set_value, start_sandbox
from test_shell import APP, SERVER, SHOTS, catalog, check, finish, set_language
from test_workflows import LANGS, click, count, exists, sandbox_accounts, select_account, shot
from webdriver import Session

CYBAVO = "Sandbox · CYBAVO SOFA"
CCPAY2 = "Sandbox · CCPayment v2"
READER = "Finance reader"
# The simulator's fixed records (part 2's record ids) and its read-only API code (public demo credentials).
DEPOSIT_RECORD = "20240313094814165316481839673344"
WITHDRAW_RECORD = "20240313094814165316481839673345"
WITHDRAW_ORDER = "ORDER-20231114-0001"
READONLY_CODE = "sbxROxH7cV2nQ9tL"
READONLY_SECRET = "sbxRO-secret-6d1f8a3c5e7b9d2f4a6c"
READONLY_WALLETS = ["55743", "56788"]


def rows(s):
    return s.execute("return [...document.querySelectorAll('[data-testid=query-row]')].map(r => r.dataset.rowId);")


def tabs(s):
    return s.execute("return [...document.querySelectorAll('[data-testid^=query-tab-]')].map(e => e.dataset.testid.slice(10));")


def look_up(s, tab, values, want_rows):
    click(s, f"[data-testid=query-tab-{tab}]")
    for field, value in values.items():
        set_value(s, f"[data-testid=op-{field}]", value)
    click(s, "[data-testid=query-run]")
    s.wait_for(lambda: exists(s, "[data-testid=query-results]")
               and s.attr("[data-testid=query-results]", "data-outcome") != "running"
               and count(s, "[data-testid=query-row]") == want_rows, f"{want_rows} rows of {tab}", timeout=30)


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    sandbox, demo = start_sandbox()
    s = Session(SERVER, APP)
    t = catalog("en")
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("CYBAVO: 'Test my endpoint' beside the resends reports what the merchant server answered")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, CYBAVO)
            assert t("resend.probe_intro") in s.text("[data-testid=probe-actions]")
            assert s.text("[data-testid=probe-inspect-callback-endpoint]") == t("ops.cybavo.inspect-callback-endpoint.label")
            click(s, "[data-testid=probe-inspect-callback-endpoint]")
            s.wait_for(lambda: exists(s, "[data-testid=probe-result]"), "the probe's answer", timeout=40)
            outcome = s.attr("[data-testid=probe-result]", "data-outcome")
            text = s.text("[data-testid=probe-result]")
            assert outcome == "ok", f"{outcome}: {text}"
            assert "HTTP 200" in text and "answered CYBAVO's connection test" in text, text
            # A check, not a resend: nothing was confirmed and no resend result is shown.
            assert not exists(s, "[data-testid=confirm-dialog]") and not exists(s, "[data-testid=result-panel]")
            s.execute("document.querySelector('[data-testid=probe-result]').scrollIntoView({block: 'center'});")
            shot(s, "en-resend-probe.png")

        @check("CCPayment v2: look up a deposit record by its record id, then resend it by record id")
        def _():
            click(s, "[data-testid=nav-query]")
            select_account(s, CCPAY2)
            assert tabs(s) == ["get-deposit-record", "get-withdraw-record"], tabs(s)
            assert s.text("[data-testid=query-tab-get-deposit-record]") == t("query.tab.deposit_record")
            look_up(s, "get-deposit-record", {"recordId": DEPOSIT_RECORD}, 1)
            assert rows(s) == [DEPOSIT_RECORD], rows(s)
            # The columns that matter first are in the row; the others (the chain) in its details.
            click(s, "[data-testid=query-row] [data-testid=query-details]")
            s.find("[data-testid=query-row-details]")
            table = s.text("[data-testid=query-table]")
            for word in [t("query.col.record_id"), t("query.col.chain"), t("query.col.status"), "USDT", "250.00", "Success"]:
                assert word in table, (word, table)
            assert s.text("[data-testid=query-count]") == t("query.found_records").replace("{{n}}", "1")
            shot(s, "en-query-ccpayment-deposit.png")
            click(s, "[data-testid=query-row] [data-testid=query-resend]")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.resend.title"), "resend screen")
            s.wait_for(lambda: s.execute(
                "const e = document.querySelector('[data-testid=op-recordIds]'); return e ? e.value : null;") == DEPOSIT_RECORD,
                "recordIds prefilled")
            shot(s, "en-resend-ccpayment-by-record.png")

        @check("CCPayment v2: a withdrawal record by order id; an unknown record is 'no record', not a failure")
        def _():
            click(s, "[data-testid=nav-query]")
            select_account(s, CCPAY2)
            look_up(s, "get-withdraw-record", {"orderId": WITHDRAW_ORDER}, 1)
            assert rows(s) == [WITHDRAW_RECORD], rows(s)
            assert "99.90" in s.text("[data-testid=query-table]")
            look_up(s, "get-deposit-record", {"recordId": WITHDRAW_RECORD}, 0)
            text = s.text("[data-testid=query-results]")
            assert t("query.none_deposit_record") in text, text
            assert s.attr("[data-testid=query-results]", "data-outcome") == "ok"
            shot(s, "en-query-ccpayment-none.png")

        @check("CCPayment v1 offers no look-up; the v2 account does")
        def _():
            select_account(s, "Sandbox · CCPayment v1")
            s.find("[data-testid=query-unsupported]")
            assert not tabs(s), tabs(s)

        @check("a CYBAVO read-only API code account is made in the form and offered look-ups and the test, no resend")
        def _():
            click(s, "[data-testid=nav-accounts]")
            click(s, "[data-testid=account-add]")
            s.find("[data-testid=account-form]")
            set_value(s, "[data-testid=form-provider]", "cybavo")
            set_value(s, "[data-testid=form-label]", READER)
            click(s, "[data-testid=form-env-custom]")
            set_value(s, "[data-testid=form-base_url]", demo["cybavo"]["base_url"])
            set_value(s, "[data-testid=form-access]", "read_only")
            set_value(s, "[data-testid=form-api_code]", READONLY_CODE)
            set_value(s, "[data-testid=form-api_secret]", READONLY_SECRET)
            shot(s, "en-accounts-form-readonly.png")
            click(s, "[data-testid=form-save]")
            s.wait_for(lambda: card_by_label(s, READER), "the read-only account's card")
            click(s, "[data-testid=nav-resend]")
            select_account(s, READER)
            assert count(s, "[data-testid^=op-choice-]") == 0, "a read-only code is offered a resend"
            assert t("resend.no_ops") in s.text("[data-testid=resend-form]")
            assert exists(s, "[data-testid=probe-inspect-callback-endpoint]")
            shot(s, "en-resend-readonly.png")
            click(s, "[data-testid=nav-query]")
            select_account(s, READER)
            assert "list-readonly-wallets" in tabs(s) and "query-callbacks" in tabs(s), tabs(s)
            look_up(s, "list-readonly-wallets", {}, 2)
            assert sorted(rows(s)) == READONLY_WALLETS, rows(s)
            assert s.text("[data-testid=query-count]") == t("query.found_wallets").replace("{{n}}", "2")
            assert not exists(s, "[data-testid=query-row] [data-testid=query-resend]")
            shot(s, "en-query-readonly-wallets.png")

        @check("the new screens are translated in the three languages")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                tl = catalog(lang)
                click(s, "[data-testid=nav-query]")
                select_account(s, CCPAY2)
                look_up(s, "get-deposit-record", {"recordId": DEPOSIT_RECORD}, 1)
                assert tl("query.col.record_id") in s.text("[data-testid=query-table]")
                shot(s, f"{lang}-query-ccpayment-deposit.png")
                select_account(s, READER)
                look_up(s, "list-readonly-wallets", {}, 2)
                shot(s, f"{lang}-query-readonly-wallets.png")
                click(s, "[data-testid=nav-resend]")
                select_account(s, CYBAVO)
                click(s, "[data-testid=probe-inspect-callback-endpoint]")
                s.wait_for(lambda: exists(s, "[data-testid=probe-result]"), "the probe's answer", timeout=40)
                s.execute("document.querySelector('[data-testid=probe-result]').scrollIntoView({block: 'center'});")
                shot(s, f"{lang}-resend-probe.png")
                missing = s.execute("return document.documentElement.dataset.missingKeys || '';")
                assert not missing, missing
            set_language(s, "en")
    finally:
        s.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
