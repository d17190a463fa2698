"""End-to-end test of the app as one desktop citizen: a second launch on the same data folder hands over to the
running app (which shows its window) and exits, while another data folder runs an app of its own; the
window's size is remembered across a restart.
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

from test_shell import APP, SERVER, check, finish
from webdriver import Session, app_pids

DATA = pathlib.Path(os.environ.get("CALLBACK_DESK_DATA_DIR", ""))


def log_text(data_dir):
    logs = pathlib.Path(data_dir) / "logs"
    return "".join(p.read_text(errors="replace") for p in sorted(logs.glob("*"))) if logs.exists() else ""


def main():
    s = Session(SERVER, APP)
    try:
        @check("a second launch on the same data folder shows the running window and exits")
        def _():
            s.find("[data-testid=app-shell]")
            before = log_text(DATA).count("another launch")
            second = subprocess.Popen([APP], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                code = second.wait(timeout=60)
            except subprocess.TimeoutExpired:
                second.kill()
                raise AssertionError("the second launch kept running")
            assert code == 0, f"the second launch exited with {code}"
            s.wait_for(lambda: log_text(DATA).count("another launch") > before, "the first app told of it")
            assert len(s.s("GET", "/window/handles")) == 1
            s.find("[data-testid=app-shell]")

        @check("another data folder runs an app of its own alongside")
        def _():
            other = tempfile.mkdtemp(prefix="callback-desk-e2e-other-")
            env = dict(os.environ, CALLBACK_DESK_DATA_DIR=other)
            app = subprocess.Popen([APP], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                s.wait_for(lambda: "window created" in log_text(other) or app.poll() is not None,
                           "the other app's window", timeout=60)
                assert app.poll() is None, f"the app on another data folder exited ({app.returncode})"
                assert app_pids(APP, other) == [app.pid], app_pids(APP, other)
            finally:
                app.terminate()
                app.wait(timeout=30)
                subprocess.run(["rm", "-rf", other], check=False)

        @check("the window's size is remembered across a restart")
        def _():
            nonlocal s
            s.s("POST", "/window/rect", {"width": 1100, "height": 720})
            s.wait_for(lambda: (s.s("GET", "/window/rect")["width"], s.s("GET", "/window/rect")["height"]) == (1100, 720),
                       "window resized")
            # Saved once the window stays still (in the session's XDG config folder).
            state = pathlib.Path(os.environ["XDG_CONFIG_HOME"]) / "io.callbackdesk.desktop" / ".window-state.json"
            s.wait_for(lambda: state.exists() and '"width": 1100' in state.read_text(), "window state saved")
            s.close()
            s = Session(SERVER, APP)
            s.find("[data-testid=app-shell]")
            rect = s.s("GET", "/window/rect")
            assert (rect["width"], rect["height"]) == (1100, 720), rect
            # Back to the size the other tests' screenshots are taken at.
            s.s("POST", "/window/rect", {"width": 1280, "height": 800})
            s.wait_for(lambda: '"width": 1280' in state.read_text(), "window state saved again")
    finally:
        s.close()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
