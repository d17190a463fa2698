#!/usr/bin/env bash
# Installs what building, running and testing Callback Desk needs on Debian/Ubuntu, skipping what is
# already there (so a second run takes seconds). Needs root or sudo for the system packages.
#   scripts/setup.sh          everything for running the app
#   scripts/setup.sh --test   plus what the test suite needs (Xvfb, WebDriver, gnome-keyring, fonts, xclip,
#                             a notification server, the PostgreSQL server the team workspace tests start:
#                             scripts/with-postgres.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------------------
PKGS=(build-essential pkg-config curl libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
      libdbus-1-dev dbus gnome-keyring fonts-dejavu-core fonts-wqy-microhei
      libayatana-appindicator3-dev)  # the tray's library; its -dev lets the installer build find and bundle it
if [ $WANT_TEST = 1 ]; then
  PKGS+=(xvfb xauth webkit2gtk-driver keyutils imagemagick python3 xclip postgresql)
  # The team tests' throwaway certificate authority and certificates (scripts/with-postgres.sh).
  PKGS+=(openssl)
  # The tray and notification tests: a notification server, the tray's D-Bus side, the window's X state.
  PKGS+=(dunst python3-dbus python3-gi x11-utils)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust --------------------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "Rust is not installed: see https://rustup.rs (then run this again)" >&2; exit 1; }

# --- Node.js (>= 20.19 for the UI build) -------------------------------------------------------------
node_ok() { command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  echo "Node.js 20.19 or newer is needed to build the interface (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it from your distribution or nodejs.org, then run this again." >&2
  exit 1
fi

# --- UI packages (from the committed lockfile) --------------------------------------------------------
stamp="$ROOT/ui/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$ROOT/ui/package-lock.json" -nt "$stamp" ]; then
  log "installing UI packages (npm ci)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- tauri-driver (WebDriver bridge for the end-to-end tests) -----------------------------------------
if [ $WANT_TEST = 1 ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  log "installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi
# --- cargo-fuzz (the bounded fuzzing stage; works on the stable toolchain, see scripts/fuzz.sh) -----------
if [ $WANT_TEST = 1 ] && ! cargo fuzz --version >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo-fuzz" ]; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2 --quiet
fi
exit 0
