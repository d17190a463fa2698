"""End-to-end test of the colour theme in the real window: on System the window follows the desktop's
setting as it changes while the app runs (GNOME's colour scheme, changed with gsettings on this private
session, as the desktop's Appearance settings do); choosing Dark in Settings redraws the page dark
(its computed colours change, not only an attribute), survives a restart, and Light/System go back. Takes a
screenshot of every screen in dark (English and Portuguese: the plan dialog, a look-up row's details,
History's drawer, the account form, an inbox entry) with the simulated providers' accounts, then goes back to
System so later tests see the default.
"""

import subprocess
import sys

from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_accounts import set_value
from test_workflows import CYBAVO, choose_operation, click, count, exists, sandbox_accounts, select_account, shot
from test_firstday_records import FOUND, MISSING, look_up
from test_firstday_resend import plan_outage
from webdriver import Session

SCREENS = ["resend", "query", "history", "accounts", "inbox", "settings"]


def colours(s):
    return s.execute(
        "const css = (sel, p) => getComputedStyle(document.querySelector(sel))[p];"
        "return {theme: document.documentElement.dataset.theme || null,"
        " page: css('html', 'backgroundColor'), panel: css('.topbar', 'backgroundColor'),"
        " text: css('.topbar-title', 'color')};")


def desktop_scheme(value=None):
    """GNOME's colour scheme on this session: sets it when `value` is given; returns it."""
    key = ["org.gnome.desktop.interface", "color-scheme"]
    if value:
        subprocess.run(["gsettings", "set", *key, value], check=True, timeout=20)
    return subprocess.run(["gsettings", "get", *key], check=True, capture_output=True, text=True, timeout=20).stdout.strip()


def choose_theme(s, choice):
    click(s, "[data-testid=nav-settings]")
    set_value(s, "[data-testid=theme-select]", choice)
    s.find("[data-testid=theme-saved]")


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)

        @check("on System the window follows the desktop's colour scheme as it changes while the app runs")
        def _():
            s.find("[data-testid=app-shell]")
            assert desktop_scheme() == "'default'", desktop_scheme()
            assert colours(s)["theme"] == "light", colours(s)
            light = colours(s)
            desktop_scheme("prefer-dark")
            s.wait_for(lambda: colours(s)["theme"] == "dark", "dark after the desktop went dark")
            assert colours(s)["page"] != light["page"], colours(s)
            desktop_scheme("prefer-light")
            s.wait_for(lambda: colours(s) == light, "light after the desktop went light")
            desktop_scheme("prefer-dark")
            s.wait_for(lambda: colours(s)["theme"] == "dark", "dark again")
            desktop_scheme("default")
            s.wait_for(lambda: colours(s) == light, "light with the desktop's default")

        state = {}

        @check("choosing Dark in Settings redraws the page dark, and Light draws it light again")
        def _():
            set_language(s, "en")
            before = colours(s)
            assert before["theme"] == "light", before
            choose_theme(s, "dark")
            s.wait_for(lambda: colours(s)["theme"] == "dark", "data-theme dark")
            dark = colours(s)
            assert dark["page"] != before["page"] and dark["panel"] != before["panel"], (before, dark)
            # Dark: the page background is dark and the text light (sum of the RGB channels).
            rgb = lambda c: sum(int(x) for x in c[c.index("(") + 1:c.index(")")].split(",")[:3])  # noqa: E731
            assert rgb(dark["page"]) < 150 and rgb(dark["text"]) > 500, dark
            state["dark"] = dark
            choose_theme(s, "light")
            s.wait_for(lambda: colours(s) == before, "light again")
            choose_theme(s, "dark")
            s.wait_for(lambda: colours(s) == dark, "dark again")

        @check("the dark theme is kept across a restart and drawn from the first screen")
        def _():
            nonlocal s
            s.close()
            s = Session(SERVER, APP)
            s.find("[data-testid=app-shell]")
            assert colours(s) == state["dark"], colours(s)
            assert s.execute("return document.querySelector('[data-testid=theme-select]') === null;")

        @check("every screen in dark, in English and Portuguese: the plan dialog, a row's details, the drawer, the form")
        def _():
            for lang in ["en", "pt-BR"]:
                set_language(s, lang)
                t = catalog(lang)
                plan_outage(s, lang, t)
                shot(s, f"dark-{lang}-resend-plan.png")
                click(s, "[data-testid=plan-cancel]")
                s.wait_for(lambda: not exists(s, "[data-testid=plan-dialog]"), "plan closed")
                click(s, "[data-testid=mode-single] input")
                select_account(s, CYBAVO)
                choose_operation(s, "resend-deposit-callbacks")
                set_value(s, "[data-testid=op-notification_id]", "90000000001")
                click(s, "[data-testid=resend-go]")
                s.find("[data-testid=confirm-dialog]")
                shot(s, f"dark-{lang}-resend-confirm.png")
                click(s, "[data-testid=confirm-send]")
                s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
                shot(s, f"dark-{lang}-resend-result.png")
                look_up(s, FOUND + [MISSING])
                click(s, "[data-testid=query-details]")
                s.find("[data-testid=query-row-details]")
                shot(s, f"dark-{lang}-query-details.png")
                click(s, "[data-testid=nav-history]")
                s.wait_for(lambda: count(s, "[data-testid=history-row]") >= 1, "history rows")
                click(s, "[data-testid=history-row] td")
                s.find("[data-testid=drawer-request]")
                shot(s, f"dark-{lang}-history-drawer.png")
                click(s, "[data-testid=drawer-close]")
                click(s, "[data-testid=nav-accounts]")
                click(s, "[data-testid=account-add]")
                s.find("[data-testid=account-form]")
                shot(s, f"dark-{lang}-accounts-form.png")
                click(s, "[data-testid=form-cancel]")
                click(s, "[data-testid=nav-inbox]")
                s.wait_for(lambda: count(s, "[data-testid=inbox-row]") >= 1, "inbox rows")
                click(s, "[data-testid=inbox-row] [data-testid=inbox-toggle]")
                s.find("[data-testid=inbox-detail]")
                shot(s, f"dark-{lang}-inbox-detail.png")
                for screen in SCREENS:
                    click(s, f"[data-testid=nav-{screen}]")
                    s.find(f"[data-testid=screen-{screen}]")
                    assert s.text("[data-testid=screen-title]") == t(f"screens.{screen}.title")
                    if screen == "history":
                        s.find("[data-testid=history-count]")
                    shot(s, f"dark-{lang}-{screen}.png")
                assert not missing_keys(s)
            set_language(s, "en")

        @check("System goes back to the desktop's setting (light here)")
        def _():
            choose_theme(s, "system")
            s.wait_for(lambda: colours(s)["theme"] == "light", "light")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
