#!/usr/bin/env bash
# Bounded fuzzing run of every cargo-fuzz target in fuzz/ (see docs/architecture.md, "Fuzzing").
# Installs cargo-fuzz if it is missing, builds all targets, runs each for FUZZ_SECONDS (default 20) from the
# committed corpus (one target per core at a time; FUZZ_JOBS sets how many), prints executions and exec/s per
# target, and fails if any target crashed, hung or broke a property. New inputs found go to a temporary
# folder (the committed corpus is not modified).
#
#   scripts/fuzz.sh                    every target, 20 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh cybavo_response    one target, longer
#
# Works on the stable toolchain: the targets are built without a sanitizer (`-s none`; the code under test
# is safe Rust), with debug assertions and overflow checks (`-a`). AddressSanitizer needs nightly flags:
# RUSTC_BOOTSTRAP=1 cargo fuzz run -a <target> works on stable too, at about a third of the speed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH=${FUZZ_SECONDS:-20}
CARGO_FUZZ_VERSION=0.13.2
log() { printf '\033[1;34m[fuzz]\033[0m %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  t0=$SECONDS
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --quiet || exit 1
  log "cargo-fuzz installed in $((SECONDS - t0)) s"
fi

# Every target listed in fuzz/Cargo.toml, or those named on the command line.
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

# The same dependency versions as committed (fails if fuzz/Cargo.lock is stale).
cargo fetch --locked --manifest-path fuzz/Cargo.toml --quiet || exit 1
log "building ${#targets[@]} targets"
t0=$SECONDS
cargo fuzz build -a -s none || exit 1
log "built in $((SECONDS - t0)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each target runs on one core: FUZZ_JOBS targets at a time (default: one per core), so every target still gets
# its FUZZ_SECONDS of a whole core and the stage takes a fraction of the time.
jobs_at_once=${FUZZ_JOBS:-$(nproc)}
run_target() {
  local t=$1
  mkdir -p "$work/$t" "fuzz/corpus/$t"
  # -max_len keeps mutated inputs small (large seeds still run whole); -timeout makes a hang a failure.
  cargo fuzz run -a -s none "$t" "$work/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
}
log "running ${#targets[@]} targets for ${SECONDS_EACH} s each, $jobs_at_once at a time"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do wait -n; done
  run_target "$t" &
done
wait

failed=()
printf '%-22s %12s %10s %10s  %s\n' target executions exec/s new result
for t in "${targets[@]}"; do
  out="$work/$t.log"
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo "?")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out" | tail -1)
  new=$(find "$work/$t" -type f | wc -l)
  if [ "$rc" = 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed+=("$t")
  fi
  printf '%-22s %12s %10s %10s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$new" "$result"
  if [ "$rc" != 0 ]; then
    grep -E "panicked at|^ERROR|ERROR: libFuzzer|SUMMARY" -A3 "$out" | head -40 | sed 's/^/    /'
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out" | tail -1)
    [ -n "$artifact" ] && echo "    reproduce: cargo fuzz run -a -s none $t $artifact"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]}"
  exit 1
fi
echo "all ${#targets[@]} fuzz targets ran ${SECONDS_EACH} s each without a failure"
