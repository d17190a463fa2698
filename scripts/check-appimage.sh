#!/usr/bin/env bash
# Checks the AppImage `scripts/bundle.sh appimage` made: it is an AppImage (type 2) holding the app, and it
# starts: launched as a user would (extract-and-run, so no FUSE is needed) in a private desktop session, on
# an empty data folder, it must open its window and report it interactive within 90 s.
# Usage: scripts/check-appimage.sh [path/to/app.AppImage]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
img=${1:-$(ls -t "$ROOT"/target/release/bundle/appimage/*.AppImage 2>/dev/null | head -1)}
[ -n "$img" ] && [ -x "$img" ] || { echo "no AppImage found (run scripts/bundle.sh appimage)" >&2; exit 2; }
ls -l "$img"
# Type 2 AppImage: "AI" then 2 at offset 8 of the runtime's ELF header.
[ "$(od -An -c -j8 -N3 "$img" | tr -d ' ')" = 'AI002' ] || { echo "FAIL not a type 2 AppImage: $img" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$work" && "$img" --appimage-extract >/dev/null)
for f in AppRun usr/bin/callback-desk; do
  [ -x "$work/squashfs-root/$f" ] || { echo "FAIL $f is missing from the AppImage" >&2; exit 1; }
done
echo "ok   type 2 AppImage with AppRun and usr/bin/callback-desk ($(find "$work/squashfs-root" -name '*.so*' | wc -l) libraries)"
rm -rf "$work/squashfs-root"

IMG=$img "$ROOT/scripts/with-desktop-session.sh" bash -c '
  export CALLBACK_DESK_DATA_DIR="$SESSION_HOME/data-folder" APPIMAGE_EXTRACT_AND_RUN=1 TMPDIR="$SESSION_HOME"
  "$IMG" > "$SESSION_HOME/app.log" 2>&1 & app=$!
  trap "kill $app 2>/dev/null || true" EXIT
  for _ in $(seq 900); do
    grep -q "window interactive" "$SESSION_HOME/app.log" && { grep -m1 "window interactive" "$SESSION_HOME/app.log" | sed "s/\x1b\[[0-9;]*m//g; s/^/     /"; exit 0; }
    kill -0 $app 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL the AppImage did not open an interactive window; its output:"; tail -30 "$SESSION_HOME/app.log"; exit 1
'
echo "ok   the AppImage starts and its window becomes interactive"
