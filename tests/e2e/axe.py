"""The accessibility audit (axe-core, the UI's development dependency) run inside the real window: the
script is put into the page through WebDriver and its findings are read back."""

import pathlib

AXE = pathlib.Path(__file__).resolve().parents[2] / "ui/node_modules/axe-core/axe.min.js"
# What must not be found at all; moderate and minor findings are counted and printed.
BLOCKING = ("critical", "serious")


def inject(s):
    """Puts axe into the page (once per page: the app never reloads it)."""
    if s.execute("return typeof window.axe === 'object';"):
        return
    s.execute(AXE.read_text(encoding="utf-8") + "\n;return true;")
    assert s.execute("return typeof window.axe === 'object';"), "axe did not load in the window"


def _run(s):
    """One axe run on the page as it is now: its violations, each with the elements it names that are in
    the window's view (axe judges a label scrolled out of view as not visible: such a finding is judged
    again at the scroll position that shows it)."""
    result = s.execute_async(
        "const done = arguments[arguments.length - 1];"
        "const inView = sel => { const e = document.querySelector(sel); if (!e) return true;"
        "  const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.filter(n => n.target.length !== 1 || inView(n.target[0]))"
        "  .map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}))}))"
        ".catch(e => done({error: String(e)}));",
        timeout=90,
    )
    assert "error" not in result, result.get("error")
    return [v for v in result["violations"] if v["nodes"]]


def audit(s, scroller="main.content"):
    """Runs axe on the whole page at each scroll position of the screen's scrolling area (top to bottom),
    and returns {impact: [violation, ...]}, each violation's rule, help and the elements it names (merged
    over the positions)."""
    inject(s)
    found = {}
    s.execute("const e = document.querySelector(arguments[0]); if (e) e.scrollTop = 0;", scroller)
    for _ in range(30):
        for v in _run(s):
            known = found.setdefault(v["id"], {**v, "nodes": []})
            known["nodes"] += [n for n in v["nodes"] if n not in known["nodes"]]
        moved = s.execute(
            "const e = document.querySelector(arguments[0]);"
            "if (!e || e.scrollTop + e.clientHeight >= e.scrollHeight - 1) return false;"
            "e.scrollTop += Math.floor(e.clientHeight * 0.8); return true;", scroller)
        if not moved:
            break
    by_impact = {}
    for v in found.values():
        v["nodes"] = v["nodes"][:5]
        by_impact.setdefault(v["impact"] or "minor", []).append(v)
    return by_impact


def summary(by_impact):
    """The count of each impact, with the rules of the ones found."""
    parts = []
    for i in ("critical", "serious", "moderate", "minor"):
        found = by_impact.get(i, [])
        parts.append(f"{len(found)} {i}" + (f" ({', '.join(v['id'] for v in found)})" if found else ""))
    return ", ".join(parts)


def blocking(by_impact):
    """The critical and serious violations, described for a failure message."""
    return [f"{v['impact']} {v['id']}: {v['help']} @ {'; '.join(v['nodes'])}" for i in BLOCKING for v in by_impact.get(i, [])]
