// How the window gets its texts: every catalog, English too, is fetched as JSON from the app's own files, once
// however many ask for it, and a catalog that cannot be read never keeps the first render from happening.
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

/**
 * A fresh translation module and the catalog URLs it fetches (the real files, see testSetup.ts; a file named
 * in `unreadable` answers 404).
 */
async function freshModule(unreadable?: string) {
  vi.resetModules();
  const fetched: string[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    fetched.push(String(input));
    if (unreadable && String(input).endsWith(unreadable)) return Promise.resolve(new Response("", { status: 404 }));
    return realFetch(input, init);
  });
  return { i18n: await import("./i18n"), fetched };
}

describe("catalogs", () => {
  it("English is not part of the script: nothing is translated until its catalog is fetched as JSON", async () => {
    const { i18n, fetched } = await freshModule();
    expect(i18n.i18n.exists("nav.resend")).toBe(false);
    await i18n.initI18n("en");
    expect(fetched).toEqual([expect.stringMatching(/\/locales\/en\.json$/)]);
    expect(i18n.i18n.t("nav.resend")).toBe("Resend");
  });

  it("a catalog fetched early (main.tsx, as the script starts) is fetched once, and the first render waits for it", async () => {
    const { i18n, fetched } = await freshModule();
    const early = i18n.ensureCatalog("pt-BR");
    await i18n.initI18n("pt-BR");
    await early;
    expect(fetched.filter((u) => u.endsWith("pt-BR.json"))).toHaveLength(1);
    expect(i18n.i18n.language).toBe("pt-BR");
    expect(i18n.i18n.t("nav.resend")).toBe("Reenviar");
  });

  it("a catalog that cannot be read falls back to English, and the window still starts", async () => {
    const { i18n, fetched } = await freshModule("zh-CN.json");
    await i18n.initI18n("zh-CN");
    expect(fetched.map((u) => u.replace(/.*\//, ""))).toEqual(["zh-CN.json", "en.json"]);
    expect(i18n.i18n.language).toBe("en");
    expect(i18n.i18n.t("nav.resend")).toBe("Resend");
  });
});
