#!/usr/bin/env bash
# Runs a command inside a private desktop session: a virtual X display (Xvfb, unless DISPLAY is set and
# NO_XVFB=1; XVFB_SCREEN sets its size), its own D-Bus session bus, and a fresh gnome-keyring (Secret Service) unlocked with a
# throwaway password. XDG folders point into a temporary home, so the user's own keyring and data are
# never touched and nothing persists. Usage: with-desktop-session.sh CMD [ARGS...]
set -euo pipefail
SESSION_HOME=$(mktemp -d -t callback-desk-session.XXXXXX)
export SESSION_HOME
export XDG_DATA_HOME="$SESSION_HOME/data" XDG_CONFIG_HOME="$SESSION_HOME/config" XDG_CACHE_HOME="$SESSION_HOME/cache"
export XDG_RUNTIME_DIR="$SESSION_HOME/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cleanup() { rm -rf "$SESSION_HOME"; }
trap cleanup EXIT

inner=$(cat <<'INNER'
set -euo pipefail
# Start the Secret Service and unlock a new login keyring with a throwaway password.
eval "$(printf '%s' "session-password" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
INNER
)
if [ -n "${DISPLAY:-}" ] && [ "${NO_XVFB:-0}" = 1 ]; then
  exec dbus-run-session -- bash -c "$inner" bash "$@"
fi
exec xvfb-run -a -s "-screen 0 ${XVFB_SCREEN:-1280x800x24} -nolisten tcp" dbus-run-session -- bash -c "$inner" bash "$@"
