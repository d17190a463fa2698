// The date library, the catalogs and the screens other than the first stay out of the script the window starts with: no
// module that main.tsx imports, directly or through others (dynamic `import()` aside), imports them. Screens
// reach the date fields through components/DateTimeField.lazy.tsx; App.tsx reaches the other screens through
// lib/lazyScreen.tsx.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const LAZY_ONLY = ["react-aria-components", "react-aria", "react-stately", "@internationalized/date"];

/** The modules a file imports statically (`import … from "x"`, `import "x"`; not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?["']([^"']+)["']/gm)].map((m) => m[1]);
}

function resolveLocal(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")]) {
    if (existsSync(candidate) && /\.(ts|tsx)$/.test(candidate)) return candidate;
  }
  return null;
}

/** Every module the start-up script is made of, and the packages each of them imports. */
function startupGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const imports = staticImports(file);
    seen.set(file, imports.filter((s) => !s.startsWith(".")));
    for (const s of imports) {
      const local = s.startsWith(".") ? resolveLocal(file, s) : null;
      if (local) todo.push(local);
    }
  }
  return seen;
}

describe("the start-up script", () => {
  const graph = startupGraph(join(__dirname, "main.tsx"));

  it("is found: the walk reaches the first screen", () => {
    expect([...graph.keys()].some((f) => f.endsWith("screens/Resend.tsx"))).toBe(true);
  });

  it("leaves the other screens to chunks fetched after the first paint", () => {
    const screens = [...graph.keys()].filter((f) => /\/screens\/\w+\.tsx$/.test(f)).map((f) => f.replace(__dirname, "src"));
    expect(screens).toEqual(["src/screens/Resend.tsx"]);
  });

  it("does not carry a translation library (ui/src/i18n.ts is the app's own)", () => {
    const offenders = [...graph].filter(([, pkgs]) => pkgs.some((p) => p === "i18next" || p === "react-i18next"));
    expect(offenders.map(([f]) => f.replace(__dirname, "src"))).toEqual([]);
  });

  it("carries no catalog: each is a JSON file of the build, fetched as data (a `?url` import)", () => {
    const offenders = [...graph.keys()].filter((f) => staticImports(f).some((s) => /\.json$/.test(s)));
    expect(offenders.map((f) => f.replace(__dirname, "src"))).toEqual([]);
  });

  it("does not contain the date library", () => {
    const offenders = [...graph].filter(([, pkgs]) => pkgs.some((p) => LAZY_ONLY.some((l) => p === l || p.startsWith(`${l}/`))));
    expect(offenders.map(([f]) => f.replace(__dirname, "src"))).toEqual([]);
  });
});
