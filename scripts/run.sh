#!/usr/bin/env bash
# Builds and launches Callback Desk, installing what is missing first (scripts/setup.sh).
# With no merchant account yet, the app offers its built-in sandbox of simulated providers.
#   scripts/run.sh            debug build, quick to compile
#   scripts/run.sh --release  optimized build
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
(cd ui && npx vite build --logLevel warn)
if [ "${1:-}" = "--release" ]; then
  cargo build --release -p callback-desk-app --features custom-protocol
  exec target/release/callback-desk
fi
cargo build -p callback-desk-app
exec target/debug/callback-desk
