#!/usr/bin/env bash
# Reproduces docs/performance.md: builds the release app and a hello-world Tauri app the same way, then
# measures launch-to-interactive time and peak memory of both (medians) and of the app's first screen as a
# static page in a copy of the hello-world app, memory growth over 10,000
# operations against the sandbox, signing throughput, history at 1,000,000 rows, the bulk path, and the
# release binary and .deb sizes. Prints a summary; raw numbers go to target/perf/.
# Usage: scripts/perf.sh   (env: PERF_RUNS=7 PERF_OPS=10000 PERF_SKIP_BENCHES=1 PERF_SKIP_DEB=1 PERF_SKIP_STATIC=1
# PERF_PORT=4490: WebDriver on PERF_PORT and PERF_PORT+1)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
OUT=$ROOT/target/perf
mkdir -p "$OUT"
scripts/setup.sh --test

echo "==> machine"
{ echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)";
  echo "memory: $(free -g | awk '/Mem:/{print $2}') GiB"; echo "os: $(. /etc/os-release; echo "$PRETTY_NAME")";
  echo "webkit: $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null)"; echo "rustc: $(rustc --version)"; } | tee "$OUT/machine.txt"

echo "==> release builds (app with custom-protocol, as tauri build does; the hello-world app the same way)"
(cd ui && npx vite build --logLevel warn)
# With the linker's map, for the summary's check of the start-up layout (src-tauri/build.rs).
CALLBACK_DESK_LINK_MAP="$OUT/callback-desk.map" cargo build --release --locked -p callback-desk-app --features custom-protocol
cargo build --release --locked -p callback-desk --bin callback-desk-cli
[ -f benches/hello-tauri/Cargo.lock ] || cp Cargo.lock benches/hello-tauri/Cargo.lock
CARGO_TARGET_DIR=$ROOT/target cargo build --release --manifest-path benches/hello-tauri/Cargo.toml --features custom-protocol

if [ "${PERF_SKIP_DEB:-0}" != 1 ]; then
  echo "==> .deb (tauri build)"
  scripts/bundle.sh deb
fi

echo "==> start-up and memory (real windows under Xvfb)"
port=${PERF_PORT:-4490}
scripts/with-desktop-session.sh bash -c '
  set -euo pipefail
  export CALLBACK_DESK_DATA_DIR="$SESSION_HOME/perf-data"
  tauri-driver --port '$port' --native-port '$((port + 1))' > "$SESSION_HOME/driver.log" 2>&1 & driver=$!
  trap "kill $driver 2>/dev/null || true" EXIT
  for _ in $(seq 100); do curl -fsS http://127.0.0.1:'$((port + 1))'/status >/dev/null 2>&1 && break; sleep 0.1; done
  python3 benches/perf/measure.py --app target/release/callback-desk --baseline target/release/hello-tauri \
    --cli target/release/callback-desk-cli --runs "${PERF_RUNS:-7}" --ops "${PERF_OPS:-10000}" --webdriver http://127.0.0.1:'$port' \
    --same-painting $([ "${PERF_SKIP_STATIC:-0}" = 1 ] || echo --static-screen "'"$OUT"'/hello-static-screen") \
    --out "'"$OUT"'/startup-memory.json"
'

if [ "${PERF_SKIP_BENCHES:-0}" != 1 ]; then
  echo "==> signing, bulk path and history benchmarks"
  cargo bench --locked --bench signing -- --noplot 2>&1 | tee "$OUT/signing.txt"
  cargo bench --locked --bench bulk_pacing 2>&1 | tee "$OUT/bulk_pacing.txt"
  # The seeded database is kept (seeding takes a minute or more) for the start-up comparison below.
  HISTORY_BENCH_DIR="$OUT/history-db" cargo bench --locked --bench history 2>&1 | tee "$OUT/history.txt"
  echo "==> team workspace benchmarks (a throwaway PostgreSQL server)"
  scripts/with-postgres.sh cargo bench --locked --bench team 2>&1 | tee "$OUT/team.txt"
fi

if [ -f "$OUT/history-db/callback-desk.sqlite3" ]; then
  echo "==> start-up with 1,000,000 history rows vs. with none (the history bench's database)"
  scripts/with-desktop-session.sh python3 benches/perf/measure.py --app target/release/callback-desk \
    --full-history "$OUT/history-db" --runs "${PERF_RUNS:-7}" --out "$OUT/full-history.json"
fi

python3 benches/perf/summary.py "$OUT" | tee "$OUT/summary.md"
