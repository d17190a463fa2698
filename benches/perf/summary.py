"""Prints the summary table of scripts/perf.sh (Markdown) from the files it wrote in target/perf/."""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import startup_order  # noqa: E402  (reads the linker's map)

out = sys.argv[1]
root = os.path.abspath(os.path.join(out, "..", ".."))


def mib(n_bytes):
    return n_bytes / (1024 * 1024)


def row(what, value, target, ok):
    mark = "" if ok is None else (" (met)" if ok else " (MISSED)")
    print(f"| {what} | {value} | {target}{mark} |")


def painting(result):
    """How the two apps' web processes painted in a comparison (read from their environment in each run)."""
    app, hello = ("/".join(result[k].get("painting", ["?"])) for k in ("app", "baseline"))
    return app if app == hello else f"app {app}, hello-world {hello}"


def first_paint_script(dist):
    """The script the window runs before its first paint: the page's module scripts and preloads, and every
    chunk they import statically (dynamic `import()` chunks come later); in bytes, minified, by file."""
    html = open(os.path.join(dist, "index.html")).read()
    todo = re.findall(r'<script[^>]*type="module"[^>]*src="\.?/?([^"]+)"', html)
    todo += re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="\.?/?([^"]+)"', html)
    seen = {}
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        text = open(os.path.join(dist, rel), encoding="utf-8").read()
        seen[rel] = len(text.encode())
        here = os.path.dirname(rel)
        for spec in re.findall(r'(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["\'](\./[^"\']+\.js)["\']', text):
            todo.append(os.path.normpath(os.path.join(here, spec)))
    return seen


print("| measure | value | target |")
print("|---|---|---|")
sm = json.load(open(os.path.join(out, "startup-memory.json")))
st = sm["startup"]
a, b, r = st["app"], st["baseline"], st["ratio"]
row("launch to interactive window, app / hello-world, each as it ships (median)",
    f"{a['launch_ms']:.0f} ms / {b['launch_ms']:.0f} ms = {r['launch_ms']:.2f}x (painting {painting(st)})", "(for reference)", None)
row("peak memory, PSS of app + WebKit processes, app / hello-world, each as it ships (median)",
    f"{a['peak_pss_kib'] / 1024:.1f} MiB / {b['peak_pss_kib'] / 1024:.1f} MiB = {r['peak_pss_kib']:.2f}x", "(for reference)",
    None)
row("peak memory, RSS summed over the same processes (median)",
    f"{a['peak_rss_kib'] / 1024:.1f} MiB / {b['peak_rss_kib'] / 1024:.1f} MiB = {r['peak_rss_kib']:.2f}x", "(for reference)",
    None)
phases = [(k, a.get("phases", {}).get(k), b.get("phases", {}).get(k)) for k in
          ("window_created_ms", "page_began_ms", "script_ms", "catalog_ms", "mounted_ms", "first_ipc_ms", "painted_ms")]
shown = "; ".join(f"{k[:-3]} {x:.0f} / {'-' if y is None else f'{y:.0f}'}" for k, x, y in phases if x is not None)
if shown:
    row("where start-up goes, app / hello-world (medians, ms; page marks since the page began loading)", shown,
        "(for reference)", None)
for key, how in (("startup_cpu_painting", "both painting on the CPU"), ("startup_gpu_painting", "both painting through OpenGL")):
    if key in sm:
        x = sm[key]
        row(f"launch to interactive window, app / hello-world, {how} ({painting(x)}; median)",
            f"{x['app']['launch_ms']:.0f} ms / {x['baseline']['launch_ms']:.0f} ms = {x['ratio']['launch_ms']:.2f}x",
            "<= 1.10x", x["ratio"]["launch_ms"] <= 1.10)
        row(f"peak memory, PSS of app + WebKit processes, {how} (median)",
            f"{x['app']['peak_pss_kib'] / 1024:.1f} MiB / {x['baseline']['peak_pss_kib'] / 1024:.1f} MiB"
            f" = {x['ratio']['peak_pss_kib']:.2f}x", "<= 1.10x", x["ratio"]["peak_pss_kib"] <= 1.10)
if "static_screen" in sm:
    ss = sm["static_screen"]
    row("the app's first screen as a static page (no script) in the hello-world app / hello-world (median)",
        f"{ss['app']['launch_ms']:.0f} ms / {ss['baseline']['launch_ms']:.0f} ms = {ss['ratio']['launch_ms']:.2f}x"
        f" (painted {ss['app']['phases'].get('painted_ms', 0):.0f} / {ss['baseline']['phases'].get('painted_ms', 0):.0f} ms)",
        "(for reference: drawing alone)", None)
if "memory_growth" in sm:
    g = sm["memory_growth"]
    row(f"memory growth over {g['operations']:,} operations against the sandbox (PSS of all processes)",
        f"{g['growth_mib']['tree_pss']:+.1f} MiB ({g['start']['tree_pss_kib'] / 1024:.0f} -> {g['after']['tree_pss_kib'] / 1024:.0f} MiB;"
        f" app process RSS {g['growth_mib']['app_rss']:+.1f} MiB; PSS by process: "
        + ", ".join(f"{k} {v:+.1f}" for k, v in g.get("pss_growth_by_process_mib", {}).items())
        + f"); {g['ops_per_second']:.0f} operations/s",
        "< 10 MB", g["growth_mib"]["tree_pss"] * 1.048576 < 10)
full = os.path.join(out, "full-history.json")
if os.path.exists(full):
    fh = json.load(open(full))["full_history"]
    row("launch to interactive with 1,000,000 history rows / with none (median)",
        f"{fh['full']['launch_ms']:.0f} ms / {fh['empty']['launch_ms']:.0f} ms = {fh['ratio']:.2f}x", "no difference",
        fh["ratio"] <= 1.05)
dist = os.path.join(root, "ui", "dist")
if os.path.exists(os.path.join(dist, "index.html")):
    files = first_paint_script(dist)
    total = sum(files.values())
    row("the app's script at first paint (minified; files)",
        f"{total / 1000:.1f} kB ({', '.join(f'{os.path.basename(f)} {n / 1000:.1f} kB' for f, n in sorted(files.items()))})",
        "< 250 kB", total < 250_000)
    # The catalogs are JSON files fetched as data (ui/src/i18n.ts), not script; the English one is read before
    # the first paint of a window in English, in parallel with the first screen's data.
    en = glob.glob(os.path.join(dist, "assets", "en-*.json"))
    if en:
        row("the English catalog, read before the first paint (JSON data, not script; not counted above)",
            f"{os.path.getsize(en[0]) / 1000:.1f} kB", "(for reference)", None)
binary = os.path.join(root, "target", "release", "callback-desk")
if os.path.exists(binary):
    size = mib(os.path.getsize(binary))
    row("release binary (stripped)", f"{size:.1f} MiB", "<= 15 MB", size * 1.048576 <= 15)
# How much of the start-up layout (src-tauri/startup-order.txt) this build still has: perf.sh links the app with
# a map. The linker skips names that are gone, so a falling share means the file is due to be remade
# (scripts/startup-order.sh), not a broken build.
order = os.path.join(root, "src-tauri", "startup-order.txt")
link_map = os.path.join(out, "callback-desk.map")
if os.path.exists(order) and os.path.exists(link_map):
    wanted = [line.strip() for line in open(order) if line.strip()]
    present = {symbol for _, _, symbol in startup_order.sections(link_map)}
    found = sum(name in present for name in wanted)
    row("start-up layout: names of src-tauri/startup-order.txt found in this build", f"{found:,} of {len(wanted):,} "
        f"({100 * found / max(len(wanted), 1):.0f}%)", "(remake it with scripts/startup-order.sh when this falls)", None)
hello = os.path.join(root, "target", "release", "hello-tauri")
if os.path.exists(hello):
    row("hello-world release binary (stripped)", f"{mib(os.path.getsize(hello)):.1f} MiB", "(for reference)", None)
debs = sorted(glob.glob(os.path.join(root, "target", "release", "bundle", "deb", "*.deb")), key=os.path.getmtime)
if debs:
    size = mib(os.path.getsize(debs[-1]))
    row(f".deb ({os.path.basename(debs[-1])})", f"{size:.1f} MiB", "<= 10 MB", size * 1.048576 <= 10)

for name in ("signing.txt", "bulk_pacing.txt", "history.txt"):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        continue
    print(f"\n`{name}`:\n```")
    for line in open(path, errors="replace"):
        line = line.rstrip()
        if name == "signing.txt":
            m = re.match(r"^(\S.*?)\s+time:\s+\[(.*)\]", line)
            if m:
                print(f"{m.group(1):<48} {m.group(2).split()[2]} {m.group(2).split()[3]}")
        elif not line.startswith(("   Compiling", "    Finished", "     Running", "warning", "Benchmarking")):
            print(line)
    print("```")
