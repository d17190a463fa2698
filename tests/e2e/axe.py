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


def audit(s):
    """Runs axe on the whole page as it is now: {impact: [violation, ...]} with each violation's rule,
    help and the first few elements it names."""
    inject(s)
    result = s.execute_async(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}))}))"
        ".catch(e => done({error: String(e)}));",
        timeout=90,
    )
    assert "error" not in result, result.get("error")
    by_impact = {}
    for v in result["violations"]:
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
