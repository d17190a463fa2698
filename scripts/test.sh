#!/usr/bin/env bash
# Runs every test of Callback Desk: formatting and lints, UI unit tests, Rust unit and integration
# tests, the keyring tests against a real Secret Service, and the end-to-end tests of the real app window
# under Xvfb through WebDriver. Installs what is missing first (scripts/setup.sh --test).
# Screenshots of every screen end up in target/screenshots/.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never RUST_BACKTRACE=1
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0

passed=0; failed=0; failures=()
stage() {
  local name=$1; shift
  printf '\n\033[1;34m==> %s\033[0m\n' "$name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf '\033[1;32m<== %s: ok (%ss)\033[0m\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1)); failures+=("$name"); printf '\033[1;31m<== %s: FAILED (%ss)\033[0m\n' "$name" $((SECONDS - t0))
  fi
}
must() { local before=$failed; stage "$@"; [ $failed -eq $before ] || finish; }
finish() {
  echo
  [ $failed -gt 0 ] && printf 'failed stages: %s\n' "${failures[*]}"
  echo "stages: $passed passed, $failed failed"
  [ $failed -eq 0 ]; exit $?
}

bindings_in_sync() {
  # The TypeScript types in ui/src/bindings are generated from Rust by `cargo test`; they must be committed.
  git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || return 0
  local changes
  changes=$(git -C "$ROOT" status --porcelain -- ui/src/bindings)
  [ -z "$changes" ] || { echo "generated bindings differ from the committed ones:"; echo "$changes"; return 1; }
}

must "install what is missing" scripts/setup.sh --test
stage "rustfmt" cargo fmt --all --check
stage "UI type check (tsc --noEmit)" bash -c 'cd ui && npx tsc --noEmit -p .'
stage "UI unit tests (vitest)" bash -c 'cd ui && npx vitest run'
must "UI build" bash -c 'cd ui && npx vite build --logLevel warn'
must "build (cargo build --workspace)" cargo build --workspace --locked
stage "Rust unit and integration tests" cargo test --workspace --locked
stage "generated TypeScript bindings are committed" bindings_in_sync
stage "clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
stage "fuzzing (bounded run of every target)" scripts/fuzz.sh
# Every test marked #[ignore] needs a real Secret Service: they all run here, in a private desktop session
# (the team workspace's, named team_*, run in the next stage, beside a PostgreSQL server).
stage "keyring tests and the fault suite (real Secret Service)" scripts/with-desktop-session.sh \
  cargo test --workspace --locked -- --ignored --skip team_
# Several members, each with a data folder and a keyring of its own, against a throwaway PostgreSQL cluster.
stage "team workspace (real PostgreSQL, one keyring per member)" scripts/with-postgres.sh \
  cargo test --locked --test team -- --ignored
stage "installers: tauri build (.deb and AppImage), checked" bash -c 'scripts/bundle.sh deb appimage \
  && deb=$(ls -t target/release/bundle/deb/*.deb | head -1) && dpkg-deb -c "$deb" | grep -q "usr/bin/callback-desk$" \
  && ls -l "$deb" && ls -l target/release/callback-desk && scripts/check-appimage.sh'
# Beside a PostgreSQL server: test_team drives the window and the command line through a team's approvals.
stage "end-to-end: real app window (tauri-driver + WebKitWebDriver)" scripts/with-postgres.sh tests/e2e/run.sh
stage "end-to-end: app without a keyring" env E2E_EXPECT_KEYRING=unavailable E2E_SCOPE=status E2E_TESTS=test_shell tests/e2e/run.sh
finish
