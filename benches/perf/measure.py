"""Start-up time, peak memory and memory growth of Callback Desk against a hello-world Tauri app.

Run by scripts/perf.sh inside a private desktop session (Xvfb, D-Bus, unlocked gnome-keyring). Prints one
JSON object with every number.

- Launch to interactive: from spawning the process to the moment its window reports its first painted
  screen (both apps call a `ui_ready` command after two animation frames and log "window interactive").
- Painting: without a GPU the app asks WebKit to paint on the CPU (src-tauri/src/painting.rs) and the
  hello-world app keeps WebKit's default; `--same-painting` adds the like-for-like comparisons (both on the
  CPU, both through OpenGL). Each run reads how its web process was told to paint from that process's
  environment; a like-for-like comparison whose two apps did not paint the same way stops the script.
- Peak memory: the app process and every process it started (WebKit's web and network processes),
  sampled every 20 ms from launch until 3 s after it is interactive; both RSS (resident, shared pages
  counted in each process) and PSS (shared pages divided among their users) are summed over the tree.
- Memory growth: the app is driven through WebDriver (its own IPC, as the window uses it) for N
  operations against a sandbox process (`callback-desk-cli sandbox --no-limits`): each one signs a CYBAVO
  query, sends it over HTTP, verifies the answer and records it in history. The account's budget allows
  6,000 calls a minute (the most an account can be given): a call it holds back is sent when it says. The tree's PSS and the app
  process's RSS are read after a warm-up of 200 operations and again after N more.
"""

import argparse
import json
import re
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "e2e"))


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def kb(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(pid):
    """(RSS of the tree, PSS of the tree, RSS of the process itself), in KiB."""
    pids = tree(pid)
    rss = sum(kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = sum(kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return rss, pss, kb(f"/proc/{pid}/status", "VmRSS:"), len(pids)


def pss_by_process(pid):
    """PSS in KiB of the app and each kind of process it started (WebKit's web and network processes)."""
    out = {}
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        out[name] = out.get(name, 0) + kb(f"/proc/{p}/smaps_rollup", "Pss:")
    return out


def kill_tree(pid):
    pids = tree(pid)
    for p in reversed(pids):
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    time.sleep(0.5)
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def web_painting(pid):
    """How the web process started by `pid` was told to paint: WebKit paints on the CPU when its
    WEBKIT_SKIA_ENABLE_CPU_RENDERING is set to anything but "0" ("cpu"), else through OpenGL ("gl");
    None before the web process has started."""
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                if not f.read().startswith("WebKitWebProces"):
                    continue
            with open(f"/proc/{p}/environ", "rb") as f:
                env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
        except OSError:
            continue
        value = env.get(b"WEBKIT_SKIA_ENABLE_CPU_RENDERING")
        return "cpu" if value is not None and value != b"0" else "gl"
    return None


def launch_once(binary, settle=3.0, timeout=60.0, data=None, env_extra=None):
    """One launch; on a new empty data folder unless `data` (kept) is given."""
    keep = data is not None
    data = data or tempfile.mkdtemp(prefix="perf-data-")
    env = dict(os.environ, CALLBACK_DESK_DATA_DIR=data, RUST_LOG="info", NO_COLOR="1", **(env_extra or {}))
    ready = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    state = {}

    def read():
        for line in proc.stderr:
            if b"window created" in line:
                m = re.search(rb"since_start_ms=(\d+)", line)
                if m:
                    state.setdefault("phases", {})["window_created_ms"] = int(m.group(1))
            if b"window interactive" in line and not ready.is_set():
                state["ready"] = time.perf_counter()
                # The page's own marks (ms since it began loading) and when it began (since the process started).
                for k, v in re.findall(rb"(\w+_ms)=(\d+)", line):
                    state.setdefault("phases", {})[k.decode()] = int(v)
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    peak = (0, 0, 0, 0)
    peak_rss = peak_pss = 0
    procs = 0
    painting = None
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        rss, pss, _, n = memory(proc.pid)
        peak_rss, peak_pss, procs = max(peak_rss, rss), max(peak_pss, pss), max(procs, n)
        painting = painting or web_painting(proc.pid)
        if ready.is_set() and time.perf_counter() > state["ready"] + settle:
            break
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    kill_tree(proc.pid)
    proc.wait(timeout=10)
    if not keep:
        subprocess.run(["rm", "-rf", data])
    if "ready" not in state:
        raise RuntimeError(f"{binary} never reported an interactive window")
    del peak
    return {"launch_ms": (state["ready"] - t0) * 1000, "peak_rss_kib": peak_rss, "peak_pss_kib": peak_pss,
            "processes": procs, "painting": painting, "phases": state.get("phases", {})}


def startup(app, baseline, runs, env=None):
    """Both launched alternately `runs` times (after one uncounted launch each), with `env` added to both."""
    results = {"app": [], "baseline": []}
    launch_once(app, env_extra=env)  # warm the page cache and the font cache; not counted
    launch_once(baseline, env_extra=env)
    for _ in range(runs):
        results["app"].append(launch_once(app, env_extra=env))
        results["baseline"].append(launch_once(baseline, env_extra=env))
    out = {}
    for name, rows in results.items():
        out[name] = {k: statistics.median(r[k] for r in rows) for k in ("launch_ms", "peak_rss_kib", "peak_pss_kib")}
        keys = sorted({k for r in rows for k in r["phases"]})
        out[name]["phases"] = {k: statistics.median(r["phases"][k] for r in rows if k in r["phases"]) for k in keys}
        out[name]["runs"] = rows
    out["ratio"] = {k: out["app"][k] / out["baseline"][k] for k in ("launch_ms", "peak_rss_kib", "peak_pss_kib")}
    # How each app's web process was told to paint, as read from its environment in every run.
    for name, rows in results.items():
        out[name]["painting"] = sorted({str(r["painting"]) for r in rows})
    if env is not None and out["app"]["painting"] != out["baseline"]["painting"]:
        raise RuntimeError(f"not like for like: the app painted {out['app']['painting']}, "
                           f"the hello-world app {out['baseline']['painting']}")
    return out


def full_history(app, data, runs):
    """Launch to interactive with `data` (a data folder with a full history) vs. with the same accounts and
    no history, alternating. The twin is made by the app itself (a first launch on a new folder), then given
    the full folder's accounts, so the first screen shows the same. The first launch on `data` is not
    counted: it also recovers the rows the seeding left pending (that happens once, after a crash)."""
    import sqlite3

    db = "callback-desk.sqlite3"
    twin = tempfile.mkdtemp(prefix="perf-empty-history-")
    launch_once(app, data=twin)
    con = sqlite3.connect("file:" + os.path.join(twin, db), uri=True)
    con.execute("ATTACH DATABASE ? AS full", (f"file:{os.path.join(data, db)}?mode=ro",))
    con.execute("INSERT INTO accounts SELECT * FROM full.accounts")
    con.commit()
    accounts = con.execute("SELECT count(*) FROM accounts").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM full.history").fetchone()[0]
    con.close()
    launch_once(app, data=data)
    launch_once(app, data=twin)
    results = {"empty": [], "full": []}
    for _ in range(runs):
        results["empty"].append(launch_once(app, data=twin))
        results["full"].append(launch_once(app, data=data))
    subprocess.run(["rm", "-rf", twin])
    out = {name: {"launch_ms": statistics.median(r["launch_ms"] for r in rows_),
                  "peak_pss_kib": statistics.median(r["peak_pss_kib"] for r in rows_), "runs": rows_}
           for name, rows_ in results.items()}
    out["ratio"] = out["full"]["launch_ms"] / out["empty"]["launch_ms"]
    out["accounts"], out["history_rows"] = accounts, rows
    return out


def app_pid(binary, data_dir):
    name = os.path.basename(binary)[:15]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != name:
                    continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                if f"CALLBACK_DESK_DATA_DIR={data_dir}".encode() in f.read().split(b"\0"):
                    return int(entry)
        except OSError:
            continue
    raise RuntimeError("app process not found")


RUN_BATCH = """
const done = arguments[arguments.length - 1];
const [accountId, n, offset] = [arguments[0], arguments[1], arguments[2]];
const invoke = window.__TAURI_INTERNALS__.invoke;
(async () => {
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const ids = [90000000001 + ((offset + i) % 500)];
    const request = {account_id: accountId, operation: "query-callbacks", params: {ids}};
    for (;;) {
      try {
        const r = await invoke("run_action", {request});
        if (r.outcome !== "ok") failed++;
        break;
      } catch (e) {
        // The account's budget (6,000 calls a minute at most) says when the next call may go: wait for it,
        // as the window does; nothing was sent.
        if (!e || e.code !== "budget.wait") throw e;
        await new Promise((r) => setTimeout(r, Math.max(50, e.params.next_allowed_at_ms - Date.now())));
      }
    }
  }
  return failed;
})().then(done, (e) => done("error: " + JSON.stringify(e)));
"""

ADD_ACCOUNT = """
const done = arguments[arguments.length - 1];
const demo = arguments[0];
const invoke = window.__TAURI_INTERNALS__.invoke;
invoke("create_account", {input: {provider: "cybavo", label: "Perf · CYBAVO", environment: "custom",
  base_url: demo.base_url, fields: {wallet_id: demo.wallet_id, calls_per_minute: 6000},
  secrets: {api_code: demo.api_code, api_secret: demo.api_secret}, notes: ""}})
  .then((a) => done(a.id), (e) => done("error: " + JSON.stringify(e)));
"""


def growth(app, ops, server, cli):
    from webdriver import Session

    sandbox = subprocess.Popen([cli, "sandbox", "--no-limits"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    demo = json.loads(sandbox.stdout.readline())["cybavo"]
    data_dir = os.environ["CALLBACK_DESK_DATA_DIR"]
    s = Session(server, app)
    try:
        s.find("body")
        pid = app_pid(app, data_dir)
        account = s.execute_async(ADD_ACCOUNT, demo)
        assert isinstance(account, int), account

        def batch(n, offset):
            failed = s.execute_async(RUN_BATCH, account, n, offset, timeout=3600)
            assert failed == 0, f"{failed} operations failed"

        batch(200, 0)
        time.sleep(2)
        before, before_by = memory(pid), pss_by_process(pid)
        t0 = time.perf_counter()
        done = 0
        while done < ops:
            n = min(1000, ops - done)
            batch(n, done)
            done += n
        elapsed = time.perf_counter() - t0
        time.sleep(2)
        after, after_by = memory(pid), pss_by_process(pid)
    finally:
        s.close()
        sandbox.terminate()
    return {
        "operations": ops,
        "seconds": elapsed,
        "ops_per_second": ops / elapsed,
        "start": {"tree_pss_kib": before[1], "tree_rss_kib": before[0], "app_rss_kib": before[2]},
        "after": {"tree_pss_kib": after[1], "tree_rss_kib": after[0], "app_rss_kib": after[2]},
        "growth_mib": {
            "tree_pss": (after[1] - before[1]) / 1024,
            "tree_rss": (after[0] - before[0]) / 1024,
            "app_rss": (after[2] - before[2]) / 1024,
        },
        "pss_growth_by_process_mib": {k: (after_by.get(k, 0) - before_by.get(k, 0)) / 1024
                                      for k in sorted(set(before_by) | set(after_by))},
    }


STATIC_PAGE = """<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Hello</title><link rel="stylesheet" href="./styles.css" /></head>
  <body>
    <div id="root">%s</div>
    <script>
      requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("ui_ready", { painted: performance.now() })));
    </script>
  </body>
</html>
"""


def build_hello_copy(work, prepare):
    """A copy of the hello-world app (benches/hello-tauri) in the folder `work`, its package named after that
    folder, changed by `prepare(work)`, then built the same way as the original; returns the binary."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    name = os.path.basename(os.path.normpath(work))
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(os.path.join(root, "benches", "hello-tauri"), work, ignore=shutil.ignore_patterns("gen", "target"))
    for file in ("Cargo.toml", "Cargo.lock"):
        with open(os.path.join(work, file)) as f:
            text = f.read().replace('name = "hello-tauri"', f'name = "{name}"')
        with open(os.path.join(work, file), "w") as f:
            f.write(text)
    conf_path = os.path.join(work, "tauri.conf.json")
    with open(conf_path) as f:
        conf = json.load(f)
    conf["bundle"]["icon"] = [os.path.join(root, "icons", "icon.png")]
    with open(conf_path, "w") as f:
        json.dump(conf, f)
    prepare(work)
    target = os.path.join(root, "target")
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--features", "custom-protocol",
                    "--manifest-path", os.path.join(work, "Cargo.toml")],
                   check=True, env={**os.environ, "CARGO_TARGET_DIR": target})
    return os.path.join(target, "release", name)


def static_screen(app, baseline, server, runs, work):
    """How much of the start-up gap is WebKit drawing the app's first screen: that screen as the app renders it
    (the HTML of #root on a new data folder), with the app's stylesheet and no script, becomes the page of a
    copy of the hello-world app (`work`), which is built the same way and launched against the plain one."""
    from webdriver import Session

    s = Session(server, app)
    try:
        s.find("[data-testid=app-shell]")
        time.sleep(1.5)  # the first screen settled (the keyring line, the budget line)
        html = s.execute("return document.getElementById('root').innerHTML")
    finally:
        s.close()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

    def page(dist_dir):
        dist = os.path.join(root, "ui", "dist")
        with open(os.path.join(dist_dir, "styles.css"), "w") as out:
            for name in sorted(os.listdir(os.path.join(dist, "assets"))):
                if name.endswith(".css"):
                    with open(os.path.join(dist, "assets", name)) as f:
                        out.write(f.read())
        shutil.copy(os.path.join(dist, "icon.png"), os.path.join(dist_dir, "icon.png"))
        with open(os.path.join(dist_dir, "index.html"), "w") as f:
            f.write(STATIC_PAGE % html)

    binary = build_hello_copy(work, lambda w: page(os.path.join(w, "dist")))
    out = startup(binary, baseline, runs)
    out["page_bytes"] = len(html)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--cli")
    ap.add_argument("--full-history", metavar="DIR",
                    help="only compare start-up on an empty data folder with start-up on DIR (a full history)")
    ap.add_argument("--static-screen", metavar="DIR",
                    help="also launch the app's first screen as a static page in a copy of the baseline built in DIR")
    ap.add_argument("--same-painting", action="store_true",
                    help="also compare both apps painting on the CPU, and both painting on the GPU")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--ops", type=int, default=10_000)
    ap.add_argument("--webdriver", default="http://127.0.0.1:4490")
    ap.add_argument("--out", required=True, help="where to write the JSON results")
    args = ap.parse_args()
    if args.full_history:
        out = {"full_history": full_history(args.app, args.full_history, args.runs)}
        with open(args.out, "w") as f:
            json.dump(out, f, indent=2)
        return
    if not args.baseline or not args.cli:
        ap.error("--baseline and --cli are needed (or --full-history)")
    out = {}

    def save():
        # A file, not stdout: processes of the desktop session (the accessibility bus) print there too. Written
        # after each part, so a part that fails keeps the ones measured before it.
        with open(args.out, "w") as f:
            json.dump(out, f, indent=2)

    out["startup"] = startup(args.app, args.baseline, args.runs)
    save()
    print(json.dumps({"startup_medians": {k: v for k, v in out["startup"].items() if k != "runs"}}), file=sys.stderr)
    # Like for like: where the app chooses CPU painting (no GPU; src-tauri/src/painting.rs) and the hello-world
    # app keeps WebKit's default, the comparison above is of the two apps as they ship. These two give both apps
    # the same painting, each way (WebKit reads WEBKIT_SKIA_ENABLE_CPU_RENDERING; "0" keeps GPU painting).
    if args.same_painting:
        out["startup_cpu_painting"] = startup(args.app, args.baseline, args.runs, {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": "1"})
        save()
        out["startup_gpu_painting"] = startup(args.app, args.baseline, args.runs, {"WEBKIT_SKIA_ENABLE_CPU_RENDERING": "0"})
        save()
    # Before the growth run, which adds an account: the static copy is of the first screen on a new data folder,
    # the screen every launch above showed.
    if args.static_screen:
        out["static_screen"] = static_screen(args.app, args.baseline, args.webdriver, args.runs, args.static_screen)
        save()
    if args.ops > 0:
        out["memory_growth"] = growth(args.app, args.ops, args.webdriver, args.cli)
        save()


if __name__ == "__main__":
    main()
