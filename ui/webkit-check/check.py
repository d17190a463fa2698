"""Drives the check page (main.tsx) in MiniBrowser, WebKitGTK's own small browser, through WebKitWebDriver: types
dates as a person would (real key events) in each language, walks the segments with Tab, and works the three
dialogs (React Aria's, the browser's own <dialog>, the app's current Modal), with Object.prototype frozen as
Tauri does and then with every intrinsic's prototype frozen. Run by run.sh."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "e2e"))
from webdriver import ELEMENT_KEY, Session  # noqa: E402

MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
PAGE = f"http://127.0.0.1:{int(os.environ['PORT']) + 1}/index.html"
SHOTS = Path(os.environ.get("SHOTS", "/tmp/webkit-check-shots"))
TAB, SHIFT, ESCAPE = "\ue004", "\ue008", "\ue00c"
results = {"passed": 0, "failed": 0}


class Browser(Session):
    """A WebDriver session with MiniBrowser instead of the app (the rest of the client is the end-to-end suite's)."""

    def __init__(self, server: str, args):
        import urllib.parse

        self.server = server.rstrip("/")
        url = urllib.parse.urlsplit(self.server)
        self.host, self.port, self.conn = url.hostname, url.port or 80, None
        caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": MINIBROWSER, "args": ["--automation", *args]}}}}
        self.id = self._call("POST", "/session", caps, timeout=60)["sessionId"]

    def keys(self, *strokes: str):
        """Presses each key in turn; a stroke of several characters is a chord (e.g. SHIFT + TAB)."""
        actions = []
        for stroke in strokes:
            chord = list(stroke) if len(stroke) > 1 and stroke[0] in (SHIFT,) else None
            for k in chord or list(stroke):
                actions.append({"type": "keyDown", "value": k})
                if not chord:
                    actions.append({"type": "keyUp", "value": k})
            for k in reversed(chord or []):
                actions.append({"type": "keyUp", "value": k})
        self.s("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})

    def active(self) -> str:
        return self.execute(
            "const a = document.activeElement; return a ? (a.getAttribute('aria-label') || a.textContent || a.tagName) : '';"
        ) or ""

    def active_in(self, css: str) -> bool:
        return bool(self.execute("const d = document.querySelector(arguments[0]); return !!d && d.contains(document.activeElement);", css))

    def shown(self, test_id: str) -> str:
        text = self.execute(f"return document.querySelector('[data-testid={test_id}-input]').textContent;")
        return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")


def check(name: str, got, want):
    ok = got == want
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": got {got!r}, want {want!r}"))


def note(name: str, value):
    print(f"     {name}: {value}")


def open_page(b: Browser, query: str):
    b.s("POST", "/url", {"url": f"{PAGE}?{query}"})
    b.find("[data-testid=when-input] [role=spinbutton]")  # the lazily loaded field has arrived


def first_segment(b: Browser, test_id: str):
    el = b.find(f"[data-testid={test_id}-input] [role=spinbutton]")
    b.s("POST", f"/element/{el}/click", {})


def dialog_round(b: Browser, kind: str) -> dict:
    """Opens a dialog with the mouse and reports what happened to focus, Tab, Escape and focus return."""
    b.click(f"[data-testid=open-{kind}]")
    sel = f"[data-testid=dialog-{kind}]"
    b.find(sel)
    b.wait_for(lambda: b.execute(f"return !!document.querySelector('{sel}')"), f"{kind} dialog")
    time.sleep(0.2)  # let the dialog take focus (one frame) before looking
    out = {"focus moves in": b.active_in(sel)}
    b.screenshot(str(SHOTS / f"dialog-{kind}.png"))
    inside = []
    for _ in range(5):
        b.keys(TAB)
        inside.append(b.active_in(sel))
    out["Tab stays inside (5 presses)"] = all(inside)
    b.keys(SHIFT + TAB)
    out["Shift+Tab stays inside"] = b.active_in(sel)
    b.keys(ESCAPE)
    closed = b.wait_for(lambda: not b.execute(f"return !!document.querySelector('{sel}')") or "gone", "close", timeout=3) == True  # noqa: E712
    out["Escape closes"] = closed
    time.sleep(0.2)
    out["focus returns to opener"] = b.active() == f"open {kind}"
    return out


def run(freeze: str):
    b = Browser(f"http://127.0.0.1:{os.environ['PORT']}", ["--time-zone=America/Sao_Paulo"])
    try:
        print(f"--- prototypes frozen: {freeze}")
        cases = [
            ("en", "04122026 1400", "04/12/2026, 14:00", ["day", "month", "year", "hour", "minute"]),
            ("pt-BR", "04122026 1400", "04/12/2026, 14:00", ["dia", "mês", "ano", "hora", "minuto"]),
            ("zh-CN", "20261204 1400", "2026/12/04 14:00", ["年", "月", "日", "小时", "分钟"]),
        ]
        for lang, keys, display, order in cases:
            open_page(b, f"lang={lang}&zone=UTC&freeze={freeze}")
            check(f"{lang}: prototypes frozen", b.execute("return window.__frozen") > 0 and b.execute("return Object.isFrozen(Object.prototype)"), True)
            # Control: what broke Preact (assigning over a property of a frozen prototype) throws here.
            check(f"{lang}: control: assigning over Object.prototype.toString throws", b.execute(
                "'use strict'; try { const o = {}; o.toString = () => ''; return false; } catch (e) { return e instanceof TypeError; }"), True)
            first_segment(b, "when")
            visited = [b.active().split(",")[0]]
            for _ in range(4):
                b.keys(TAB)
                visited.append(b.active().split(",")[0])
            check(f"{lang}: Tab walks the segments in the language's order", visited, order)
            check(f"{lang}: focus alone sets nothing", b.text("[data-testid=value]"), "null")
            first_segment(b, "when")
            b.keys(keys)
            check(f"{lang}: typing {keys!r} gives 4 Dec 2026 14:00 UTC", b.text("[data-testid=value]"), "2026-12-04T14:00:00.000Z")
            check(f"{lang}: shown as {display!r}", b.shown("when"), display)
            SHOTS.mkdir(parents=True, exist_ok=True)
            b.screenshot(str(SHOTS / f"datefield-{lang}-{freeze}.png"))
            check(f"{lang}: no script errors", b.execute("return window.__errors"), [])

        open_page(b, f"lang=pt-BR&zone=UTC&freeze={freeze}")
        first_segment(b, "when")
        b.keys("1/2/2026 9:05")
        check("pt-BR: separators after short segments ('1/2/2026 9:05')", b.text("[data-testid=value]"), "2026-02-01T09:05:00.000Z")

        open_page(b, f"lang=pt-BR&zone=local&freeze={freeze}")
        check("local zone shown (São Paulo)", b.text("[data-testid=when-zone]"), "Hora local (UTC\u221203:00)")
        first_segment(b, "when")
        b.keys("04122026 1400")
        check("local 14:00 in São Paulo is 17:00 UTC", b.text("[data-testid=value]"), "2026-12-04T17:00:00.000Z")
        b.click("[data-testid=range-preset-yesterday]")
        check("range preset fills both ends", "null" not in b.text("[data-testid=range-value]"), True)

        for kind in ("native", "current"):
            outcome = dialog_round(b, kind)
            for k, v in outcome.items():
                check(f"{kind} dialog (Modal.tsx is the browser's own <dialog>): {k}", v, True)
        b.screenshot(str(SHOTS / f"dialogs-{freeze}.png"))
        check("no script errors after the dialogs", b.execute("return window.__errors"), [])
        check("the CSP blocked nothing the page did", b.execute("return window.__blocked"), [])
        # Control: the policy is in force and blocked content is seen (an inline <style> is refused).
        b.execute("const s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s);")
        b.wait_for(lambda: b.execute("return window.__blocked.length"), "the control to be blocked", timeout=5)
        check("control: an inline <style> is blocked", b.execute("return window.__blocked.length"), 1)
    finally:
        b.close()


for mode in ("object", "all"):
    run(mode)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
