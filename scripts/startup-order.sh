#!/usr/bin/env bash
# Remakes src-tauri/startup-order.txt: the symbols the release app uses from launch until 3 s after its window
# is interactive, which release builds on x86-64 Linux put next to each other (src-tauri/build.rs;
# benches/perf/startup_order.py says how they are found). Worth running after a new Rust toolchain, new or
# updated crates, or large changes to what runs at start-up; a stale file only costs memory. Linux, as root
# (it sets the disk's read-ahead to 0 for the measured launches and restores it).
# Usage: scripts/startup-order.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
[ "$(id -u)" = 0 ] || { echo "startup-order.sh: run as root (it changes the disk's read-ahead while measuring)" >&2; exit 1; }
scripts/setup.sh --test
mkdir -p target/perf
(cd ui && npx vite build --logLevel warn)
# The linker's map of this very build names the symbols in the pages the app uses.
CALLBACK_DESK_LINK_MAP="$ROOT/target/perf/callback-desk.map" \
  cargo build --release --locked -p callback-desk-app --features custom-protocol
scripts/with-desktop-session.sh python3 benches/perf/startup_order.py --app target/release/callback-desk \
  --map target/perf/callback-desk.map --out src-tauri/startup-order.txt
# The release binary as it ships, laid out with the new file.
cargo build --release --locked -p callback-desk-app --features custom-protocol
