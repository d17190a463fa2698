"""Launch-to-interactive of page variants in one hello-world Tauri app, to find what a page costs to draw.

Builds `target/perf/hello-variant`: a copy of benches/hello-tauri whose page is read at run time from the folder
named by VARIANT_DIR (index.html and what it links), so many variants need one build. Each argument is such a
folder (e.g. a copy of target/perf/hello-static-screen/dist, made by `measure.py --static-screen`, with one rule
changed); all are launched alternately. Prints, per folder, the median launch time and when the page was painted
(ms after it began loading). Run inside scripts/with-desktop-session.sh:

    scripts/with-desktop-session.sh python3 benches/perf/variants.py --runs 9 benches/hello-tauri/dist DIR...

Set WEBKIT_SKIA_ENABLE_CPU_RENDERING=1 (or 0) in the environment to compare with WebKit painting on the CPU
(or through OpenGL).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def build():
    work = os.path.join(ROOT, "target", "perf", "hello-variant")
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(os.path.join(ROOT, "benches", "hello-tauri"), work, ignore=shutil.ignore_patterns("gen", "target"))
    for name in ("Cargo.toml", "Cargo.lock"):
        path = os.path.join(work, name)
        with open(path) as f:
            text = f.read().replace('name = "hello-tauri"', 'name = "hello-variant"')
        with open(path, "w") as f:
            f.write(text)
    shutil.copy(os.path.join(HERE, "hello_variant_main.rs"), os.path.join(work, "src", "main.rs"))
    conf = os.path.join(work, "tauri.conf.json")
    with open(conf) as f:
        text = f.read().replace('"../../icons/icon.png"', '"%s"' % os.path.join(ROOT, "icons", "icon.png"))
    with open(conf, "w") as f:
        f.write(text)
    target = os.path.join(ROOT, "target")
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--features", "custom-protocol",
                    "--manifest-path", os.path.join(work, "Cargo.toml")],
                   check=True, env={**os.environ, "CARGO_TARGET_DIR": target})
    return os.path.join(target, "release", "hello-variant")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("folders", nargs="+")
    args = ap.parse_args()
    binary = build()
    folders = [os.path.abspath(f) for f in args.folders]
    results = {f: [] for f in folders}
    for run in range(args.runs + 1):  # the first round warms the caches and is not counted
        for folder in folders:
            x = measure.launch_once(binary, settle=0.2, env_extra={"VARIANT_DIR": folder})
            if run:
                results[folder].append(x)
    for folder in folders:
        launch = statistics.median(x["launch_ms"] for x in results[folder])
        painted = [x["phases"].get("painted_ms", 0) for x in results[folder]]
        print(f"{folder}: launch {launch:.0f} ms, painted {statistics.median(painted):.0f} ms"
              f" ({' '.join(str(p) for p in painted)})")


if __name__ == "__main__":
    main()
