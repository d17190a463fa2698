"""End-to-end test of the real Callback Desk window: every section, every language, the status line.

Started by tests/e2e/run.sh under Xvfb + D-Bus + an unlocked gnome-keyring, with tauri-driver on :4444.
Prints `N passed, N failed` and exits non-zero on any failure. Screenshots go to target/screenshots/.
"""

import http.server
import json
import os
import pathlib
import sys
import threading
import time
import traceback

from webdriver import Session

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP = os.environ.get("APP", str(ROOT / "target/debug/callback-desk"))
SHOTS = pathlib.Path(os.environ.get("SHOTS", ROOT / "target/screenshots"))
SERVER = os.environ.get("WEBDRIVER", "http://127.0.0.1:4444")
EXPECT_KEYRING = os.environ.get("E2E_EXPECT_KEYRING", "available")
# "all" runs every check; "status" only the window and status-line checks (used for the no-keyring run).
SCOPE = os.environ.get("E2E_SCOPE", "all")
SECTIONS = ["resend", "query", "history", "accounts", "settings"]
LANGS = ["en", "zh-CN", "pt-BR"]


def catalog(lang):
    data = json.loads((ROOT / "ui/src/locales" / f"{lang}.json").read_text(encoding="utf-8"))

    def get(key, node=None):
        # Keys may themselves contain dots (error codes such as "auth.clock_skew"), as i18next allows.
        node = data if node is None else node
        if key in node:
            return node[key]
        head, _, rest = key.partition(".")
        return get(rest, node[head])

    return get


results = []


def failure_picture(name):
    """The window as it was when a check failed: target/screenshots/failed-<check>.png (best effort)."""
    session = Session.latest
    if session is None:
        return
    slug = "".join(c if c.isalnum() else "-" for c in name.lower())[:60].strip("-")
    try:
        folder = pathlib.Path(__file__).resolve().parents[2] / "target" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        session.screenshot(str(folder / f"failed-{slug}.png"))
        print(f"     picture of the window: target/screenshots/failed-{slug}.png", flush=True)
        # What the window said, for a run whose pictures cannot be looked at: the language, the screen, the
        # dialogs and confirmations on top, and the text of the screen (shortened).
        said = session.execute(
            "const text = (sel) => [...document.querySelectorAll(sel)].map(e => e.innerText.trim()).filter(Boolean).join(' | ');"
            "return {lang: document.documentElement.lang, screen: text('[data-testid=screen-title]'),"
            " dialogs: text('[role=dialog]'), toasts: text('[data-testid=toasts]'), errors: text('.error, [role=alert]'),"
            " main: text('main').replace(/\\s+/g, ' ').slice(0, 1200)};")
        for key, value in (said or {}).items():
            if value:
                print(f"     {key}: {value}", flush=True)
    except Exception:  # noqa: BLE001 - the session may be gone
        pass


def check(name):
    """Runs the decorated function at once as one named check, recording its result."""
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok   {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            results.append((name, e))
            print(f"FAIL {name}: {e}", flush=True)
            traceback.print_exc()
            failure_picture(name)
        return fn
    return wrap


def missing_keys(s):
    return s.execute("return document.documentElement.dataset.missingKeys || '';")


def expected_painting():
    """What src-tauri/src/painting.rs chooses on this machine, from what it looks at."""
    if "WEBKIT_SKIA_ENABLE_CPU_RENDERING" in os.environ:
        return "as_configured"
    forced = os.environ.get("LIBGL_ALWAYS_SOFTWARE", "").strip() not in ("", "0", "false")
    nodes = os.listdir("/dev/dri") if os.path.isdir("/dev/dri") else []
    return "default" if any(n.startswith("renderD") for n in nodes) and not forced else "cpu_no_gpu"


def web_process_environments():
    """The environment of every WebKit web process started for this test's data folder."""
    data = os.environ.get("CALLBACK_DESK_DATA_DIR")
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if not f.read().startswith("WebKitWebProces"):
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(kv.split("=", 1) for kv in f.read().decode(errors="replace").split("\0") if "=" in kv)
        except OSError:
            continue
        if data is None or env.get("CALLBACK_DESK_DATA_DIR") == data:
            out.append(env)
    return out


def set_language(s, lang):
    s.click("[data-testid=nav-settings]")
    s.find("[data-testid=language-select]")
    s.execute(
        "const el = document.querySelector('[data-testid=language-select]');"
        "const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;"
        "setter.call(el, arguments[0]); el.dispatchEvent(new Event('change', {bubbles: true}));",
        lang,
    )
    t = catalog(lang)
    s.wait_for(lambda: s.text("[data-testid=screen-title]") == t("screens.settings.title"), f"settings title in {lang}")
    s.find("[data-testid=language-saved]")


class Recorder(http.server.BaseHTTPRequestHandler):
    """A web server on this computer standing in for a remote site: records every request it gets."""
    seen = []

    def do_GET(self):  # noqa: N802 - http.server API
        Recorder.seen.append(self.path)
        body = b"<html><body data-testid=remote-page>remote</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    SHOTS.mkdir(parents=True, exist_ok=True)
    s = Session(SERVER, APP)
    try:
        @check("window renders the shell and the status line")
        def _():
            s.find("[data-testid=app-shell]")
            s.find("[data-testid=status-line]")
            assert s.execute("return document.title;") == "Callback Desk"

        @check(f"status line reports the keyring as {EXPECT_KEYRING} and shows version and data folder")
        def _():
            state = s.wait_for(
                lambda: (lambda v: v if v not in (None, "pending") else None)(
                    s.attr("[data-testid=status-keyring]", "data-state")),
                "keyring self-test", timeout=30)
            assert state == EXPECT_KEYRING, f"keyring state {state!r}"
            version = s.text("[data-testid=status-version]")
            cargo = (ROOT / "Cargo.toml").read_text()
            assert 'version = "' in cargo and version.startswith("Callback Desk "), version
            data_dir = s.execute("return document.querySelector('[data-testid=status-data-dir]').textContent;")
            expected = os.environ.get("CALLBACK_DESK_DATA_DIR")
            if expected:
                assert expected in data_dir, f"{data_dir!r} does not name {expected!r}"

        if EXPECT_KEYRING == "unavailable":
            @check("settings explain why the keyring is unavailable")
            def _():
                s.click("[data-testid=nav-settings]")
                body = s.execute("return document.querySelector('[data-testid=screen-settings]').textContent;")
                assert catalog("en")("status.keyring_unavailable") in body, body
                s.screenshot(str(SHOTS / "en-settings-keyring-unavailable.png"))

        for lang in (LANGS if SCOPE == "all" else []):
            @check(f"[{lang}] language switch and every section translated")
            def _(lang=lang):
                set_language(s, lang)
                t = catalog(lang)
                for section in SECTIONS:
                    s.click(f"[data-testid=nav-{section}]")
                    assert s.text(f"[data-testid=nav-{section}] .nav-text") == t(f"nav.{section}")
                    title = s.text("[data-testid=screen-title]")
                    assert title == t(f"screens.{section}.title"), f"{section}: {title!r}"
                    s.find(f"[data-testid=screen-{section}]")
                    assert s.attr(f"[data-testid=nav-{section}]", "aria-current") == "page"
                    s.screenshot(str(SHOTS / f"{lang}-{section}.png"))
                missing = missing_keys(s)
                assert not missing, f"missing translation keys: {missing}"

        if SCOPE != "all":
            return finish()

        @check("settings say where the window is drawn, and the web process got that choice")
        def _():
            set_language(s, "en")
            t = catalog("en")
            expected = expected_painting()
            s.click("[data-testid=nav-settings]")
            assert s.attr("[data-testid=about-painting]", "data-painting") == expected
            assert s.text("[data-testid=about-painting]") == t(f"screens.settings.painting_{expected}")
            if expected == "cpu_no_gpu":
                envs = web_process_environments()
                assert envs, "no WebKit web process of this app found"
                assert all(e.get("WEBKIT_SKIA_ENABLE_CPU_RENDERING") == "1" for e in envs), envs
            s.screenshot(str(SHOTS / "en-settings-about.png"))

        @check("the web process runs the window's script without the JIT compilers (script_engine.rs)")
        def _():
            envs = web_process_environments()
            assert envs, "no WebKit web process of this app found"
            expected = os.environ.get("JSC_useJIT", "false")
            assert all(e.get("JSC_useJIT") == expected for e in envs), [e.get("JSC_useJIT") for e in envs]

        @check("text is drawn in the desktop's interface font, named by the shell before the first layout")
        def _():
            # desktop_font.rs: GTK's `gtk-font-name` (a plain session's "Sans 10" is the generic sans-serif).
            named = s.execute("return getComputedStyle(document.documentElement).getPropertyValue('--desktop-font')")
            assert named.strip(), "the shell named no desktop font"
            family = s.execute("return getComputedStyle(document.body).fontFamily")
            assert family.startswith(named.strip()), (named, family)
            s.reload()
            s.find("[data-testid=app-shell]")
            assert s.execute("return getComputedStyle(document.body).fontFamily") == family, "lost on reload"

        @check("navigation from an empty state button")
        def _():
            set_language(s, "en")
            s.click("[data-testid=nav-resend]")
            s.click("[data-testid=resend-go-accounts]")
            assert s.text("[data-testid=screen-title]") == catalog("en")("screens.accounts.title")

        @check("history retention: choosing 90 days applies at once (nothing that old here) and is saved")
        def _():
            set_language(s, "en")
            t = catalog("en")
            assert s.execute("return document.querySelector('[data-testid=retention-select]').value;") == "forever"
            s.execute(
                "const el = document.querySelector('[data-testid=retention-select]');"
                "Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(el, '90');"
                "el.dispatchEvent(new Event('change', {bubbles: true}));")
            s.find("[data-testid=retention-saved]")
            assert s.text("[data-testid=retention-saved]") == t("screens.settings.retention_saved_other").replace("{{count}}", "0")
            s.screenshot(str(SHOTS / "en-settings-retention.png"))

        @check("language and retention choices are remembered across a restart")
        def _():
            nonlocal s
            set_language(s, "pt-BR")
            s.close()
            s = Session(SERVER, APP)
            t = catalog("pt-BR")
            s.wait_for(lambda: s.text("[data-testid=nav-history]") == t("nav.history"), "pt-BR after restart")
            set_language(s, "en")
            s.wait_for(lambda: s.execute(
                "return document.querySelector('[data-testid=retention-select]').value;") == "90", "90 days kept")
            s.execute(
                "const el = document.querySelector('[data-testid=retention-select]');"
                "Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(el, 'forever');"
                "el.dispatchEvent(new Event('change', {bubbles: true}));")
            s.find("[data-testid=retention-saved]")

        @check("the window cannot leave the app: navigation and new windows to other sites are refused")
        def _():
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            remote = f"http://127.0.0.1:{server.server_address[1]}"
            try:
                origin = s.execute("return location.origin;")
                s.execute("setTimeout(() => { location.href = arguments[0]; }, 0);", f"{remote}/leak?data=history")
                s.execute("setTimeout(() => { window.open(arguments[0], '_blank'); }, 0);", f"{remote}/popup")
                time.sleep(2)
                assert Recorder.seen == [], f"the remote site was contacted: {Recorder.seen}"
                assert s.execute("return location.origin;") == origin
                s.find("[data-testid=app-shell]", timeout=2)
                handles = s.s("GET", "/window/handles")
                assert len(handles) == 1, f"a new window was opened: {handles}"
            finally:
                server.shutdown()
    finally:
        s.close()
    return finish()


def finish():
    failed = sum(1 for _, e in results if e)
    print(f"e2e: {len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
