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
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def build():
    """The hello-world app's own code with its page source swapped (hello_variant_assets.rs)."""

    def swap_assets(work):
        main_rs = os.path.join(work, "src", "main.rs")
        with open(main_rs) as f:
            text = f.read()
        assert text.count(".run(tauri::generate_context!())") == 1, "the hello-world app's main changed"
        text = text.replace(".run(tauri::generate_context!())", ".run(variant_context(tauri::generate_context!()))")
        with open(os.path.join(HERE, "hello_variant_assets.rs")) as f:
            text += f.read()
        with open(main_rs, "w") as f:
            f.write(text)

    return measure.build_hello_copy(os.path.join(ROOT, "target", "perf", "hello-variant"), swap_assets)


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
