"""A small W3C WebDriver client (standard library only) for driving the real app through tauri-driver."""

import base64
import hashlib
import http.client
import json
import os
import signal
import subprocess
import time
import urllib.parse

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
# WebDriver's codes of the keys the tests press.
TAB, SHIFT, ENTER, ESCAPE, SPACE = "\ue004", "\ue008", "\ue007", "\ue00c", "\ue00d"
CONTROL, HOME, END, F1 = "\ue009", "\ue011", "\ue010", "\ue031"
ARROW_LEFT, ARROW_UP, ARROW_RIGHT, ARROW_DOWN = "\ue012", "\ue013", "\ue014", "\ue015"


class WebDriverError(Exception):
    pass


class Session:
    latest = None  # the last session started, for a picture of the window when a check fails
    def __init__(self, server: str, application: str, args=None, timeout: float = 60):
        self.server = server.rstrip("/")
        url = urllib.parse.urlsplit(self.server)
        self.host, self.port = url.hostname, url.port or 80
        self.application = application
        self.conn = None
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": application, "args": args or []}}}}
        value = self._call("POST", "/session", caps, timeout=timeout)
        self.id = value["sessionId"]
        Session.latest = self

    def _call(self, method, path, body=None, timeout: float = 30):
        # One persistent HTTP/1.1 connection (tauri-driver proxies keep-alive connections to WebKitWebDriver).
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            self.conn.timeout = timeout
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                self.conn.close()
                self.conn = None
                if attempt == 1 or method not in ("GET", "DELETE"):
                    raise
        payload = json.loads(raw or b"{}")
        if resp.status >= 400:
            raise WebDriverError(f"{method} {path}: {resp.status} {raw[:500]!r}")
        return payload.get("value")

    def s(self, method, path, body=None):
        return self._call(method, f"/session/{self.id}{path}", body)

    def find(self, css: str, timeout: float = 15):
        """Waits until an element matching `css` exists and returns its id."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                found = self.s("POST", "/element", {"using": "css selector", "value": css})
                if isinstance(found, dict) and ELEMENT_KEY in found:
                    return found[ELEMENT_KEY]
                last = found
            except WebDriverError as e:
                last = e
            time.sleep(0.1)
        raise WebDriverError(f"no element {css!r} within {timeout}s ({last})")

    def click(self, css: str):
        el = self.find(css)
        # Bring the element into the middle of the view first (the content pane scrolls, not the window).
        self.execute("arguments[0].scrollIntoView({block: 'center'});", {ELEMENT_KEY: el})
        # Click where the element is once the screen has settled: a line that arrives late (a budget, a
        # note) can move the control between where the click was aimed and where it lands, as it could
        # under a person's pointer.
        self.execute_async(
            "const [el, done] = arguments; let last = null, steady = 0; const until = Date.now() + 1500;"
            "const look = () => { const r = el.getBoundingClientRect(); const now = [r.x, r.y, r.width, r.height].join();"
            "  steady = now === last ? steady + 1 : 0; last = now;"
            "  if (steady >= 2 || Date.now() > until) done(); else requestAnimationFrame(look); };"
            "requestAnimationFrame(look);", {ELEMENT_KEY: el}, timeout=10)
        try:
            self.s("POST", f"/element/{el}/click", {})
        except WebDriverError as e:
            # A brief confirmation in the corner can lie over the control, as a person would see: close the
            # confirmations (their × button) and click again.
            if "element click intercepted" not in str(e):
                raise
            self.execute("document.querySelectorAll('[data-testid=toast-dismiss]').forEach(b => b.click());")
            time.sleep(0.2)
            self.s("POST", f"/element/{el}/click", {})

    def text(self, css: str) -> str:
        return self.s("GET", f"/element/{self.find(css)}/text")

    def attr(self, css: str, name: str):
        return self.s("GET", f"/element/{self.find(css)}/attribute/{name}")

    def execute(self, script: str, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script: str, *args, timeout: float = 30):
        """Runs an async script (its last argument is the callback) and returns what it passes back."""
        self.s("POST", "/timeouts", {"script": int(timeout * 1000)})
        return self._call("POST", f"/session/{self.id}/execute/async", {"script": script, "args": list(args)},
                          timeout=timeout + 10)

    def keys(self, *strokes: str):
        """Presses keys as a person does (real key events to the focused element), each stroke in turn; a
        stroke of several characters starting with a modifier (e.g. SHIFT + TAB, CONTROL + "1") is a chord."""
        actions = []
        for stroke in strokes:
            chord = list(stroke) if len(stroke) > 1 and stroke[0] in (SHIFT, CONTROL) else None
            for k in chord or list(stroke):
                actions.append({"type": "keyDown", "value": k})
                if not chord:
                    actions.append({"type": "keyUp", "value": k})
            for k in reversed(chord or []):
                actions.append({"type": "keyUp", "value": k})
        self.s("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})
        self.s("DELETE", "/actions")

    def reload(self, timeout: float = 30):
        """Reloads the window as a person would (F5) and waits for the new page. While the old page unloads,
        a script sent to it fails ("no such frame"); those answers are waited through, not taken as failures."""
        self.execute("window.__beforeReload = true; setTimeout(() => location.reload(), 0);")
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                if self.execute("return !window.__beforeReload && document.readyState === 'complete';"):
                    return
            except WebDriverError as e:
                last = e
            time.sleep(0.1)
        raise WebDriverError(f"the window did not come back within {timeout}s ({last})")

    def wait_for(self, predicate, what: str, timeout: float = 15):
        deadline = time.time() + timeout
        value = None
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what} (last value {value!r})")

    def screenshot(self, path: str):
        # Let the page paint what the last action changed: wait for two animation frames, then a little
        # longer for the compositor, or the capture can show the previous screen.
        try:
            self.s("POST", "/execute/async", {
                "script": "const done = arguments[arguments.length - 1];"
                          "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));",
                "args": [],
            })
        except WebDriverError:
            time.sleep(0.4)
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        # What the screenshot shows as text (visible text plus the values of fields that are not masked),
        # beside it, so a scan for secrets covers the screenshots too.
        text = self.s("POST", "/execute/sync", {
            "script": "return document.body.innerText + '\\n' + [...document.querySelectorAll('input, textarea, select')]"
                      ".filter(e => e.type !== 'password').map(e => e.value).join('\\n');",
            "args": [],
        })
        with open(path.rsplit(".", 1)[0] + ".txt", "w", encoding="utf-8") as f:
            f.write(text or "")

    def close(self):
        try:
            self._call("DELETE", f"/session/{self.id}", timeout=15)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass
        # The app allows one instance per data folder: a session started while this one's app is still
        # exiting would hand over to it and stop. Wait until it is gone.
        started = time.time()
        deadline = started + 20
        while app_pids(self.application) and time.time() < deadline:
            time.sleep(0.1)
        # Still running (a test that failed left it in the background with a job): stopped, so the next session
        # does not hand over to it.
        leftover = app_pids(self.application)
        for pid in leftover:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if leftover:
            print(f"     (the app was still running after 20 s and was stopped: {leftover})", flush=True)
            deadline = time.time() + 10
        # Its single-instance name on the session bus goes when the bus sees its connection close.
        while instance_name_held() and time.time() < deadline:
            time.sleep(0.1)
        if time.time() - started > 5:
            print(f"     (the app took {time.time() - started:.1f} s to exit)", flush=True)


def instance_name_held(data_dir=None):
    """Whether an app still holds the single-instance D-Bus name of the data folder `data_dir` (this run's
    when not given): the name src-tauri/src/instance.rs derives from a digest of the folder's path."""
    data_dir = data_dir or os.environ.get("CALLBACK_DESK_DATA_DIR")
    if not data_dir:
        return False
    digest = hashlib.sha256(data_dir.encode()).hexdigest()[:16]
    try:
        names = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.ListNames"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return f".data_{digest}" in names


def app_pids(application, data_dir=None):
    """The running processes of the app binary `application` on the data folder `data_dir` (this run's,
    CALLBACK_DESK_DATA_DIR, when not given)."""
    data_dir = (data_dir or os.environ.get("CALLBACK_DESK_DATA_DIR") or "").encode()
    name = os.path.basename(application)[:15]
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", "rb") as f:
                if f.read().strip().decode() != name:
                    continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                if data_dir and b"CALLBACK_DESK_DATA_DIR=" + data_dir not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        pids.append(int(entry))
    return pids
