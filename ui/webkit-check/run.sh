#!/usr/bin/env bash
# Checks the date fields and the dialogs in WebKitGTK, the engine of the app's window, under the app's CSP and
# with the prototypes frozen: builds the check page, serves it on loopback and drives MiniBrowser through
# WebKitWebDriver on a virtual display (check.py). Usage: ui/webkit-check/run.sh [PORT] (default 4600: the
# driver listens there, the page is served on PORT + 1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export PORT=${1:-4600}
(cd "$HERE/.." && npx vite build --config webkit-check/vite.config.ts --logLevel warn)
python3 -m http.server --bind 127.0.0.1 --directory "$HERE/dist" $((PORT + 1)) >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
xvfb-run -a -s "-screen 0 1280x1000x24 -nolisten tcp" bash -c '
  set -euo pipefail
  WebKitWebDriver --port="$PORT" >/dev/null 2>&1 &
  driver=$!
  trap "kill $driver" EXIT
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/status" >/dev/null 2>&1 && break; sleep 0.1; done
  python3 "$0/check.py"
' "$HERE"
