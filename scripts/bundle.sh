#!/usr/bin/env bash
# Builds the release app and its Linux installers (.deb and AppImage) with the Tauri CLI (`tauri build`,
# from the npm package @tauri-apps/cli). Output: target/release/bundle/{deb,appimage}/.
# Usage: scripts/bundle.sh [bundle ...]   (default: deb appimage)
#
# The Tauri CLI expects tauri.conf.json beside the app crate's Cargo.toml; this project keeps it at the top
# level (the app crate is src-tauri/). So the CLI is pointed at src-tauri/ (TAURI_APP_PATH) and given a copy
# of the top-level config there with its paths rebased; the compiled app still embeds the top-level config.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
bundles=("$@"); [ ${#bundles[@]} -gt 0 ] || bundles=(deb appimage)

# The Tauri CLI (npm package @tauri-apps/cli, a prebuilt binary per platform) is installed into target/, apart
# from the interface's lockfile, which can only list the platform packages the registry in use provides.
TAURI_CLI_VERSION=2.12.5
CLI_DIR=$ROOT/target/tauri-cli
TAURI=$CLI_DIR/node_modules/.bin/tauri
if [ "$("$TAURI" --version 2>/dev/null)" != "tauri-cli $TAURI_CLI_VERSION" ]; then
  mkdir -p "$CLI_DIR"
  npm install --prefix "$CLI_DIR" --no-audit --no-fund --loglevel error "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund)
(cd ui && npx vite build --logLevel warn)

python3 - "$ROOT/tauri.conf.json" "$ROOT/src-tauri/tauri.conf.json" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
conf = json.load(open(src))
conf["build"]["frontendDist"] = "../" + conf["build"]["frontendDist"]
conf["bundle"]["icon"] = ["../" + p for p in conf["bundle"]["icon"]]
with open(dst, "w") as f:
    json.dump(conf, f, indent=2)
PY
trap 'rm -f "$ROOT/src-tauri/tauri.conf.json"' EXIT

status=0
for b in "${bundles[@]}"; do
  echo "==> tauri build --bundles $b"
  if ! TAURI_APP_PATH="$ROOT/src-tauri" TAURI_FRONTEND_PATH="$ROOT/ui" "$TAURI" build --ci --bundles "$b"; then
    echo "bundle $b FAILED"; status=1
  fi
done
ls -l target/release/bundle/*/ 2>/dev/null || true
exit $status
