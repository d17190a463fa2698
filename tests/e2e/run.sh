#!/usr/bin/env bash
# End-to-end tests of the real app window: tauri-driver + WebKitWebDriver, under a private desktop
# session (scripts/with-desktop-session.sh). Usage: tests/e2e/run.sh [path/to/callback-desk]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=${1:-$ROOT/target/debug/callback-desk}
[ -x "$APP" ] || { echo "app binary not found: $APP (build it first)" >&2; exit 2; }
export APP SHOTS="$ROOT/target/screenshots"
mkdir -p "$SHOTS"
# Another run on the same machine may hold the default ports: E2E_PORT picks others (native = port + 1).
export E2E_PORT=${E2E_PORT:-4444}
# A screen big enough for the largest window size the screenshots are taken at (the window opens at 1280×800).
export XVFB_SCREEN=${XVFB_SCREEN:-1920x1080x24}
export WEBDRIVER=${WEBDRIVER:-http://127.0.0.1:$E2E_PORT}
TAURI_DRIVER=${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}

exec timeout 1500 "$ROOT/scripts/with-desktop-session.sh" bash -c '
  set -euo pipefail
  export CALLBACK_DESK_DATA_DIR="$SESSION_HOME/callback-desk-data"
  export CALLBACK_DESK_EXPORT_DIR="$SESSION_HOME/exports"
  # "Copy with secrets" clears the clipboard after this many seconds (60 in use; shorter for the tests).
  export CALLBACK_DESK_CLIPBOARD_CLEAR_SECONDS=${CALLBACK_DESK_CLIPBOARD_CLEAR_SECONDS:-4}
  # A notification server on the session bus (the app'"'"'s notifications are read back with dunstctl); its
  # notifications stay until clicked or closed.
  printf "[urgency_low]\n  timeout = 0\n[urgency_normal]\n  timeout = 0\n[urgency_critical]\n  timeout = 0\n" > "$SESSION_HOME/dunstrc"
  dunst -config "$SESSION_HOME/dunstrc" > "$SESSION_HOME/dunst.log" 2>&1 &
  notifier=$!
  for _ in $(seq 100); do dunstctl is-paused >/dev/null 2>&1 && break; sleep 0.1; done
  if [ "${E2E_EXPECT_KEYRING:-available}" = unavailable ]; then
    # The app (started by the driver) gets a session bus address where nothing listens: no Secret Service.
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$SESSION_HOME/no-such-bus"
  fi
  "$0" --port "$E2E_PORT" --native-port $((E2E_PORT + 1)) > "$SESSION_HOME/tauri-driver.log" 2>&1 &
  driver=$!
  trap "kill $driver $notifier 2>/dev/null || true" EXIT
  for _ in $(seq 100); do curl -fsS http://127.0.0.1:$((E2E_PORT + 1))/status >/dev/null 2>&1 && break; sleep 0.1; done
  status=0
  export E2E_CANARY="CANARY-$(od -An -N6 -tx1 /dev/urandom | tr -d " \n")-do-not-leak"
  for t in ${E2E_TESTS:-test_shell test_accounts test_workflows test_operations test_fireblocks test_firstday_records test_faults test_jobs test_theme test_instance test_background test_firstday_resend test_checker test_team test_keyboard test_a11y test_feedback test_crash}; do
    echo "--- $t"
    began=$SECONDS
    # A failing file marks the run failed and the next files still run (set -e does not stop at a tested pipeline).
    if ! python3 "'"$ROOT"'/tests/e2e/$t.py" 2>&1 | tee -a "$SESSION_HOME/e2e-output.log"; then status=1; fi
    echo "    ($t took $((SECONDS - began)) s)"
  done
  # The canary secret typed into the app must appear nowhere: not in any file the app or the tests wrote in
  # this session (data folder with its database and logs, settings store, WebKit storage and caches,
  # exports, the keyring folder), not in the text of any screenshot (each has a .txt of what it shows), and
  # not in the test or app output.
  scanned=$(find "$SESSION_HOME" "$SHOTS" -type f | wc -l)
  hits=$(grep -rlaF "$E2E_CANARY" "$SESSION_HOME" "$SHOTS" 2>/dev/null || true)
  if [ -n "$hits" ]; then
    echo "FAIL the canary secret appears in:"; echo "$hits" | sed "s/^/       /"; status=1
  else
    echo "ok   the canary secret appears in none of $scanned files written by the app and the tests, nor in their output"
  fi
  if [ $status -ne 0 ]; then echo "--- tauri-driver log ---"; tail -50 "$SESSION_HOME/tauri-driver.log"; fi
  exit $status
' "$TAURI_DRIVER"
