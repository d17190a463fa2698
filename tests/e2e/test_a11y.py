"""End-to-end accessibility audit of the real window: axe-core (the UI's development dependency) runs inside
the window on every screen the sidebar offers (read from the sidebar, so a screen added later is audited
too), on a resend's result, a bulk plan, the list of keyboard shortcuts and the account form, in the Light
and the Dark theme (History, the Sandbox inbox and the Jobs panel holding a sandbox resend and job), and finds no
serious or critical violation (the counts of each impact are printed). Then photographs every screen in
both themes and the three languages (target/screenshots/screens-<theme>-<language>-<screen>.png).
"""

import sys

from axe import audit, blocking, summary
from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_theme import choose_theme, colours
from test_accounts import set_value
from test_workflows import AVISTA, click, exists, sandbox_accounts, select_account, shot
from webdriver import Session

THEMES = ["light", "dark"]
LANGS = ["en", "zh-CN", "pt-BR"]


def sidebar_screens(s):
    """The screens the sidebar offers now, in its order."""
    return s.execute(
        "return [...document.querySelectorAll('[data-testid=sidebar] button.nav-item[data-testid^=nav-]')]"
        ".map(b => b.dataset.testid.slice(4));")


def open_screen(s, screen, lang="en"):
    click(s, f"[data-testid=nav-{screen}]")
    s.find(f"[data-testid=screen-{screen}]")
    loading = catalog(lang)("common.loading")
    # What the screen reads first (accounts, rows) is in place before it is audited or photographed.
    s.wait_for(lambda: loading not in s.text("main"), f"{screen} loaded", timeout=20)


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("a sandbox resend and a job of two, so History, the Sandbox inbox and the Jobs panel have rows to audit")
        def _():
            click(s, "[data-testid=nav-resend]")
            select_account(s, AVISTA)
            set_value(s, "[data-testid=op-transaction_identifier]", "PAG-2024-0001")
            click(s, "[data-testid=op-url-receiver]")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-tick-one_off_url]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
            found = []
            result = audit(s)
            print(f"     axe light resend result: {summary(result)}", flush=True)
            found += blocking(result)
            # A bulk job of two, so the Jobs panel (its progress bar) is audited on every screen that has it.
            click(s, "[data-testid=mode-bulk] input")
            set_value(s, "[data-testid=bulk-list]", "PAG-2024-0001\nPAG-2024-0002")
            click(s, "[data-testid=bulk-plan]")
            s.find("[data-testid=plan-dialog]")
            result = audit(s)
            print(f"     axe light plan dialog: {summary(result)}", flush=True)
            found += blocking(result)
            if exists(s, "[data-testid=plan-tick]"):  # asked when the job goes to a one-off address
                click(s, "[data-testid=plan-tick]")
            click(s, "[data-testid=plan-start]")
            s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed", timeout=20)
            s.wait_for(lambda: exists(s, "[data-testid=job-card][data-state=done]"), "job done", timeout=60)
            assert not found, "\n  " + "\n  ".join(found)

        screens = []

        @check("the sidebar offers the screens to audit")
        def _():
            # The Sandbox inbox joins the sidebar at the next navigation once a sandbox account exists.
            click(s, "[data-testid=nav-resend]")
            s.find("[data-testid=nav-inbox]")
            screens.extend(sidebar_screens(s))
            assert {"resend", "query", "history", "accounts", "settings", "inbox"} <= set(screens), screens

        @check("the audit works in this window: it finds a field without a label and grey text on white put there")
        def _():
            # Styled through the CSSOM: the window's content security policy refuses inline style attributes.
            s.execute(
                "const d = document.createElement('div'); d.id = 'planted';"
                "d.append(document.createElement('input'), document.createElement('p'));"
                "const p = d.lastChild; p.textContent = 'Low contrast'; p.style.color = '#d0d0d0'; p.style.background = '#fff';"
                "document.querySelector('main').prepend(d);")
            try:
                result = audit(s)
            finally:
                s.execute("document.getElementById('planted').remove();")
            rules = {v["id"] for i in ("critical", "serious") for v in result.get(i, [])}
            assert {"label", "color-contrast"} <= rules, summary(result)

        for theme in THEMES:
            @check(f"axe finds no serious or critical violation on any screen in the {theme} theme")
            def _():
                choose_theme(s, theme)
                s.wait_for(lambda: colours(s)["theme"] == theme, f"{theme} theme")
                found = []
                for screen in screens:
                    open_screen(s, screen)
                    result = audit(s)
                    print(f"     axe {theme} {screen}: {summary(result)}", flush=True)
                    found += [f"{screen}: {b}" for b in blocking(result)]
                # The list of keyboard shortcuts (a dialog over the screen) and the account form.
                click(s, "[data-testid=shortcuts-open]")
                s.find("[data-testid=shortcuts-dialog]")
                result = audit(s)
                print(f"     axe {theme} shortcuts list: {summary(result)}", flush=True)
                found += [f"shortcuts list: {b}" for b in blocking(result)]
                click(s, "[data-testid=shortcuts-close]")
                s.wait_for(lambda: not exists(s, "[data-testid=shortcuts-dialog]"), "list closed")
                open_screen(s, "accounts")
                click(s, "[data-testid=account-add]")
                s.find("[data-testid=account-form]")
                result = audit(s)
                print(f"     axe {theme} account form: {summary(result)}", flush=True)
                found += [f"account form: {b}" for b in blocking(result)]
                click(s, "[data-testid=form-cancel]")
                assert not found, "\n  " + "\n  ".join(found)

        for theme in THEMES:
            @check(f"every screen photographed in the {theme} theme in English, Chinese and Portuguese")
            def _():
                choose_theme(s, theme)
                s.wait_for(lambda: colours(s)["theme"] == theme, f"{theme} theme")
                for lang in LANGS:
                    set_language(s, lang)
                    t = catalog(lang)
                    for screen in sidebar_screens(s):
                        open_screen(s, screen, lang)
                        assert s.text("[data-testid=screen-title]") == t(f"screens.{screen}.title")
                        shot(s, f"screens-{theme}-{lang}-{screen}.png")
                    click(s, "[data-testid=shortcuts-open]")
                    s.find("[data-testid=shortcuts-dialog]")
                    shot(s, f"screens-{theme}-{lang}-shortcuts.png")
                    click(s, "[data-testid=shortcuts-close]")
                    s.wait_for(lambda: not exists(s, "[data-testid=shortcuts-dialog]"), "list closed")
                    assert not missing_keys(s), missing_keys(s)
                set_language(s, "en")

        @check("back to the desktop's theme (System)")
        def _():
            choose_theme(s, "system")
            s.wait_for(lambda: colours(s)["theme"] == "light", "light")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
