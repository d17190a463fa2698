"""End-to-end test of the keyboard in the real window, against the built-in sandbox: a whole resend done
with the keyboard only (Ctrl+1 to Resend, Tab to the account picked with the arrow keys, the operation's
radio with the arrows, the id typed, Ctrl+Enter for the confirmation, Tab to Send and Enter; no pointer
event reaches the page), then its row in History found with Ctrl+3; the list of shortcuts opens with F1 and
closes with Escape; / typed in History's search field is text, not a shortcut; the same keys work in Chinese
and Portuguese.
"""

import sys

from test_shell import APP, SERVER, catalog, check, finish, set_language
from test_workflows import CYBAVO, exists, sandbox_accounts, shot
from webdriver import ARROW_DOWN, CONTROL, ENTER, ESCAPE, F1, HOME, TAB, Session

OPERATION = "resend-deposit-callbacks"
SERIAL = "90000000003"


def active(s):
    """What has focus: its test id, else its tag (and type for inputs)."""
    return s.execute(
        "const a = document.activeElement; if (!a) return null;"
        "return a.dataset.testid || (a.tagName + (a.type ? ':' + a.type : ''));")


def tab_to(s, predicate, what, limit=60):
    """Presses Tab until what has focus satisfies `predicate` (a script returning true)."""
    for _ in range(limit):
        if s.execute(predicate):
            return
        s.keys(TAB)
    shot(s, "failed-keyboard-tab.png")
    raise AssertionError(f"Tab never reached {what} (focus on {active(s)})")


def pointer_events(s):
    return s.execute("return window.__pointerEvents;")


def main():
    s = Session(SERVER, APP)
    try:
        @check("simulated providers are set up")
        def _():
            sandbox_accounts(s)
            set_language(s, "en")
            # From here on the page counts every pointer event it gets: the resend must not need one.
            s.execute(
                "window.__pointerEvents = 0;"
                "for (const e of ['pointerdown', 'mousedown', 'pointerup', 'mouseup'])"
                "  document.addEventListener(e, () => window.__pointerEvents++, true);")

        state = {}

        @check("a whole resend with the keyboard only: shortcuts, Tab, arrows, typing and Enter")
        def _():
            s.keys(CONTROL + "1")
            s.find("[data-testid=screen-resend]")
            tab_to(s, "return document.activeElement?.dataset.testid === 'account-select';", "the account picker")
            # The arrows move through the accounts (a closed picker takes them directly).
            s.keys(HOME)
            for _ in range(20):
                if s.execute("return document.querySelector('[data-testid=picked-label]')?.dataset.label;") == CYBAVO:
                    break
                s.keys(ARROW_DOWN)
            s.wait_for(lambda: s.execute("return document.querySelector('[data-testid=picked-label]')?.dataset.label;") == CYBAVO,
                       "CYBAVO picked")
            tab_to(s, "return document.activeElement?.name === 'operation';", "the operation's choices")
            for _ in range(10):
                if s.execute(f"return document.querySelector('[data-testid=op-choice-{OPERATION}] input').checked;"):
                    break
                s.keys(ARROW_DOWN)
            assert s.execute(f"return document.activeElement === document.querySelector('[data-testid=op-choice-{OPERATION}] input');")
            tab_to(s, "return document.activeElement?.dataset.testid === 'op-notification_id';", "the id field")
            s.keys(SERIAL)
            assert s.execute("return document.activeElement.value;") == SERIAL
            s.keys(CONTROL + ENTER)
            s.find("[data-testid=confirm-dialog]")
            tab_to(s, "return document.activeElement?.dataset.testid === 'confirm-send';", "Send in the confirmation")
            shot(s, "keyboard-confirm.png")
            s.keys(ENTER)
            s.wait_for(lambda: exists(s, "[data-testid=result-panel]"), "result panel", timeout=40)
            state["outcome"] = s.attr("[data-testid=result-panel]", "data-outcome")
            shot(s, "keyboard-result.png")
            assert state["outcome"] == "ok", s.text("[data-testid=result-panel]")
            assert pointer_events(s) == 0, f"{pointer_events(s)} pointer events"

        @check("Ctrl+3 opens History, whose newest row is that resend; Ctrl+F puts the cursor in its search field")
        def _():
            s.keys(CONTROL + "3")
            s.find("[data-testid=screen-history]")
            s.wait_for(lambda: exists(s, "[data-testid=history-row]"), "history rows")
            first = s.text("[data-testid=history-row]")
            assert SERIAL in first or "CYBAVO" in first, first
            s.keys(CONTROL + "f")
            s.wait_for(lambda: active(s) == "filter-text", "focus in the search field")
            # Typed in the field, / is text (the / shortcut would only move focus back to it).
            s.keys("a/b")
            s.wait_for(lambda: s.execute("return document.activeElement.value;") == "a/b", "a/b typed")
            assert pointer_events(s) == 0, f"{pointer_events(s)} pointer events"

        @check("F1 opens the list of shortcuts, Escape closes it and focus goes back")
        def _():
            s.keys(F1)
            s.find("[data-testid=shortcuts-dialog]")
            text = s.text("[data-testid=shortcuts-dialog]")
            for keys in ["Ctrl+1", "Ctrl+F", "Ctrl+Enter", "F1"]:
                assert keys in text, (keys, text)
            s.keys(ESCAPE)
            s.wait_for(lambda: not exists(s, "[data-testid=shortcuts-dialog]"), "list closed")
            assert active(s) == "filter-text", active(s)
            assert pointer_events(s) == 0, f"{pointer_events(s)} pointer events"
        @check("in Chinese and Portuguese the same keys open the screens and the list, whose words are translated")
        def _():
            for lang in ["zh-CN", "pt-BR"]:
                set_language(s, lang)
                t = catalog(lang)
                s.execute("document.activeElement.blur();")
                for n, screen in enumerate(["resend", "query", "history"], start=1):
                    s.keys(CONTROL + str(n))
                    s.wait_for(lambda: s.text("[data-testid=screen-title]") == t(f"screens.{screen}.title"), f"{screen} in {lang}")
                s.keys(F1)
                s.find("[data-testid=shortcuts-dialog]")
                text = s.text("[data-testid=shortcuts-dialog]")
                assert t("shortcuts.title") in text and t("shortcuts.main") in text, text
                s.keys(ESCAPE)
                s.wait_for(lambda: not exists(s, "[data-testid=shortcuts-dialog]"), "list closed")
            set_language(s, "en")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
