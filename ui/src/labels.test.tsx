// Every control a person fills in has a name a screen reader says: here the account form of every provider
// (its secrets included); the real window's screens are audited with axe in tests/e2e/test_a11y.py.
import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import { AccountForm } from "./components/AccountForm";
import { PROVIDERS, setupEach } from "./test/helpers";

setupEach();

/** The control's name as a screen reader finds it: its <label>, aria-labelledby, aria-label or title. */
function nameOf(el: HTMLElement): string {
  const labelled = el.getAttribute("aria-labelledby");
  if (labelled) return labelled.split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim();
  const label = el.getAttribute("aria-label") ?? [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent).join(" ");
  return (label || el.getAttribute("title") || "").trim();
}

describe("labels", () => {
  it("names every field of the account form, secrets included, for every provider", () => {
    for (const d of PROVIDERS) {
      const view = render(<AccountForm descriptors={[d]} onCancel={() => undefined} onSaved={() => undefined} />);
      const controls = [...view.container.querySelectorAll<HTMLElement>("input:not([type=hidden]), select, textarea")];
      expect(controls.length).toBeGreaterThan(0);
      const unnamed = controls.filter((c) => !nameOf(c)).map((c) => c.dataset.testid ?? c.outerHTML.slice(0, 80));
      expect(unnamed, d.id).toEqual([]);
      view.unmount();
    }
  });
});

/** The opening tags matching `pattern` in the interface's sources (tests left out). */
function tags(pattern: RegExp) {
  const files = import.meta.glob("./**/*.tsx", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
  return Object.entries(files)
    .filter(([path]) => !path.includes(".test."))
    .flatMap(([path, source]) => [...source.matchAll(pattern)].map((m) => ({ path, tag: m[0] })));
}

describe("tables and progress bars", () => {
  it("every table of the interface has a name a screen reader says before its rows", () => {
    const tables = tags(/<table\b[^>]*>/g);
    expect(tables.length).toBeGreaterThanOrEqual(5);
    expect(tables.filter((t) => !/aria-label(ledby)?=/.test(t.tag))).toEqual([]);
  });

  it("every progress bar says what is progressing", () => {
    const bars = tags(/<div\b[^>]*role="progressbar"[^>]*>/g);
    expect(bars.length).toBeGreaterThanOrEqual(3);
    expect(bars.filter((b) => !/aria-label(ledby)?=/.test(b.tag))).toEqual([]);
  });
});
