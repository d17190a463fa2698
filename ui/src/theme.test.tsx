import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { act, render, screen, waitFor } from "@testing-library/react";
import { mockBackend, setupEach, withToasts, enterValue } from "./test/helpers";
import { SettingsScreen } from "./screens/Settings";
import { applySavedPreferences } from "./lib/prefs";
import { emit } from "@tauri-apps/api/event";
import { followTheme } from "./lib/theme";

setupEach();

/** The custom properties declared in the first rule whose selector is exactly `selector`. */
function palette(selector: string): Record<string, string> {
  const css = readFileSync(join(__dirname, "styles.css"), "utf8");
  const start = css.indexOf(`${selector} {`);
  expect(start, selector).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1], m[2]]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Text colour on the background it is drawn on, for every pair the stylesheet uses.
const PAIRS: [string, string][] = [
  ["--text", "--bg"], ["--text", "--panel"], ["--text", "--field"], ["--text", "--surface-2"],
  ["--muted", "--bg"], ["--muted", "--panel"], ["--muted", "--surface-2"], ["--muted", "--field"],
  ["--ok-text", "--panel"], ["--bad-text", "--panel"], ["--warn-text", "--panel"], ["--link", "--panel"],
  ["--brand-dark", "--panel"], ["--brand-dark", "--tint"], ["--brand-dark", "--surface-2"],
  ["--ok-fg", "--ok-bg"], ["--ok-fg", "--ok-soft"], ["--bad-fg", "--bad-bg"], ["--bad-fg", "--bad-soft"],
  ["--warn-fg", "--warn-bg"], ["--warn-fg", "--warn-soft"], ["--info-fg", "--info-bg"], ["--info-fg", "--info-soft"],
  ["--pending-fg", "--pending-bg"], ["--neutral-text", "--neutral-bg"], ["--sandbox-text", "--sandbox-bg"],
  ["--side-text", "--side"], ["--side-muted", "--side"],
  // Selected and hovered rows, the missing ids' note, the sidebar's badges and hover, the HTTP view.
  ["--text", "--tint"], ["--muted", "--tint"], ["--text", "--tint-hover"], ["--text", "--warn-soft"],
  ["--on-solid", "--bad"], ["--on-solid", "--brand"], ["--side-running-fg", "--side-running-bg"],
  ["--side-strong", "--side-hover"], ["--side-strong", "--brand"],
  ["--code-text", "--code-bg"], ["--code-muted", "--code-bg"], ["--code-method", "--code-bg"],
  ["--code-status", "--code-bg"], ["--code-name", "--code-bg"],
];

describe("theme", () => {
  const light = palette(":root");
  const dark = { ...light, ...palette(':root[data-theme="dark"]') };

  for (const [name, colours] of [["light", light], ["dark", dark]] as const) {
    it(`the ${name} palette meets WCAG AA contrast for text`, () => {
      const low = PAIRS.map(([fg, bg]) => [fg, bg, contrast(colours[fg], colours[bg])] as const).filter(([, , c]) => c < 4.5);
      expect(low).toEqual([]);
      // The production badge (white on red) and the primary button (white on blue).
      expect(contrast("#ffffff", colours["--bad"])).toBeGreaterThanOrEqual(4.5);
      expect(contrast("#ffffff", colours["--brand"])).toBeGreaterThanOrEqual(4.5);
    });
  }

  it("every colour of the stylesheet comes from the palettes (so the dark theme reaches every rule)", () => {
    let css = readFileSync(join(__dirname, "styles.css"), "utf8");
    for (const selector of [":root", ':root[data-theme="dark"]']) {
      const start = css.indexOf(`${selector} {`);
      css = css.slice(0, start) + css.slice(css.indexOf("}", start) + 1);
    }
    const fixed = css.split("\n").filter((line) => /#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(/.test(line));
    expect(fixed).toEqual([]);
  });

  it("the production badge stays solid red and the sandbox one green in both themes", () => {
    for (const c of [light, dark]) {
      const [r, g] = [parseInt(c["--bad"].slice(1, 3), 16), parseInt(c["--bad"].slice(3, 5), 16)];
      expect(r).toBeGreaterThan(180);
      expect(g).toBeLessThan(80);
      const [sr, sg] = [parseInt(c["--sandbox-text"].slice(1, 3), 16), parseInt(c["--sandbox-text"].slice(3, 5), 16)];
      expect(sg).toBeGreaterThan(sr);
    }
    expect(dark["--bg"]).not.toBe(light["--bg"]);
  });

  it("choosing Dark saves it with the other preferences and draws the window dark", async () => {
    let theme: "light" | "dark" = "light";
    const calls = mockBackend({
      on: (cmd, args) => {
        if (cmd === "get_preferences") return { language: "en", time_zone: "UTC", theme: null };
        if (cmd === "set_preferences") {
          const p = args.preferences as { theme: string | null };
          theme = p.theme === "dark" ? "dark" : "light";
          return args.preferences;
        }
        if (cmd === "current_theme") return theme;
        return undefined;
      },
    });
    applySavedPreferences({ language: "en", time_zone: "UTC", theme: null });
    render(withToasts(<SettingsScreen info={null} language="en" onLanguage={async () => {}} />));
    const select = screen.getByTestId("theme-select") as HTMLSelectElement;
    expect(select.value).toBe("system");
    expect([...select.options].map((o) => o.textContent)).toEqual(["Same as the computer", "Light", "Dark"]);
    await act(async () => {
      enterValue(select, "dark");
    });
    await screen.findByTestId("theme-saved");
    expect(calls).toContainEqual({ cmd: "set_preferences", args: { preferences: { language: "en", time_zone: "UTC", theme: "dark", notifications: null } } });
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(select.value).toBe("dark");
  });

  it("follows the shell's theme-changed event (the desktop's setting changed)", async () => {
    mockBackend({ events: true });
    document.documentElement.dataset.theme = "light";
    followTheme();
    await act(async () => {
      await emit("theme-changed", "dark");
    });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
  });
});
