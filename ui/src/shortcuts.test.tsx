// The keyboard shortcuts: screens in sidebar order, search, the main action, the list, in every language,
// never taking a typed character from a field nor acting behind a dialog.
import { beforeAll, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App, loadScreens } from "./App";
import { changeLanguage, LANGUAGES, missingKeys } from "./i18n";
import { account, mockBackend, setupEach } from "./test/helpers";
import { SHORTCUTS } from "./lib/shortcuts";
import en from "./locales/en.json";

setupEach();
// Every screen's chunk fetched first, so moving between screens draws at once.
beforeAll(() => loadScreens());

const INFO = { version: "1", data_dir: "/d", log_dir: "/d/logs", keyring: { state: "available", backend: "test", detail: null }, painting: "default" };

function app(accounts = [account("cybavo", { id: 1, label: "Main" })]) {
  mockBackend({
    accounts,
    on: (cmd) => {
      if (cmd === "app_info") return INFO;
      if (cmd === "ui_ready") return null;
      if (cmd === "sandbox_inbox") return { available: false, receivers: [], entries: [] };
      if (cmd === "get_preferences") return { language: null };
      if (cmd === "history_page") return { rows: [], next_cursor: null };
      if (cmd === "history_count") return 0;
      if (cmd === "list_history_exports") return [];
      return undefined;
    },
  });
  render(<App />);
}

/** The sidebar's screens in order (Ctrl+1 is the first). */
const sidebarOrder = () =>
  [...document.querySelectorAll("nav [data-testid^=nav-]")]
    .map((b) => b.getAttribute("data-testid")!.slice(4))
    .filter((id) => id !== "query-running" && id !== "query-attention");
/** The digit that opens a screen. */
const digitOf = (id: string) => String(sidebarOrder().indexOf(id) + 1);

const shown = () => screen.getByTestId("screen-title").parentElement!.nextElementSibling!.getAttribute("data-testid");
/** Presses a key on what has focus (the page when nothing has); says whether the page took it. */
const press = (init: KeyboardEventInit, target: Element = document.activeElement ?? document.body) => !fireEvent.keyDown(target, init);

describe("keyboard shortcuts", () => {
  it("Ctrl+1…N open the screens in sidebar order in every language, and their tooltips say so", async () => {
    for (const lang of LANGUAGES) {
      await changeLanguage(lang);
      app();
      const order = sidebarOrder();
      expect(order[0]).toBe("resend");
      for (const id of ["query", "history", "accounts", "settings"]) expect(order).toContain(id);
      for (const [i, id] of order.entries()) {
        expect(press({ key: String(i + 1), code: `Digit${i + 1}`, ctrlKey: true })).toBe(true);
        expect(shown()).toBe(`screen-${id}`);
        const nav = screen.getByTestId(`nav-${id}`);
        expect(nav.getAttribute("aria-keyshortcuts")).toBe(`Control+${i + 1}`);
        expect(nav.getAttribute("title")).toContain(`Ctrl+${i + 1}`);
      }
      cleanup();
    }
    expect(missingKeys.size).toBe(0);
  });

  it("Ctrl+F (or / outside a field) goes to History's search field, whatever the keyboard layout", async () => {
    app();
    expect(shown()).toBe("screen-resend");
    // A layout whose F key types another letter: the key's place counts.
    expect(press({ key: "а", code: "KeyF", ctrlKey: true })).toBe(true);
    expect(shown()).toBe("screen-history");
    const field = await screen.findByTestId("filter-text");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(field.getAttribute("aria-keyshortcuts")).toBe("Control+F /");
    expect(field.getAttribute("title")).toBe("Shortcut: Ctrl+F");
    // In the field, / is a character to type: the shortcut leaves it alone.
    expect(press({ key: "/", code: "Slash" }, field)).toBe(false);
    field.blur();
    expect(press({ key: "/", code: "Slash" }, document.body)).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(field));
  });

  it("Ctrl+Enter presses the screen's main button, also from inside a field", async () => {
    app();
    const four = digitOf("accounts");
    press({ key: four, code: `Digit${four}`, ctrlKey: true });
    const add = await screen.findByTestId("account-add");
    expect(add.getAttribute("aria-keyshortcuts")).toBe("Control+Enter");
    expect(press({ key: "Enter", code: "Enter", ctrlKey: true })).toBe(true);
    await screen.findByTestId("account-form");
    // Plain Enter is not the shortcut.
    expect(press({ key: "Enter", code: "Enter" }, document.body)).toBe(false);
  });

  it("F1 and ? open the list of every shortcut; ? typed in a field does not; nothing acts behind the list", async () => {
    app();
    const history = digitOf("history");
    press({ key: history, code: `Digit${history}`, ctrlKey: true });
    const field = await screen.findByTestId("filter-text");
    field.focus();
    expect(press({ key: "?", code: "Slash", shiftKey: true }, field)).toBe(false);
    expect(screen.queryByTestId("shortcuts-dialog")).toBeNull();
    field.blur();
    expect(press({ key: "?", code: "Slash", shiftKey: true }, document.body)).toBe(true);
    const dialog = await screen.findByTestId("shortcuts-dialog");
    for (const s of SHORTCUTS) expect(dialog.textContent).toContain(en.shortcuts[s.action]);
    expect(screen.getByTestId("shortcut-screen-resend").textContent).toContain("Ctrl+1");
    expect(screen.getByTestId("shortcut-screen-settings").textContent).toContain(`Ctrl+${digitOf("settings")}`);
    // The page behind the list is inert: a screen shortcut does nothing.
    expect(press({ key: "1", code: "Digit1", ctrlKey: true }, document.body)).toBe(false);
    expect(shown()).toBe("screen-history");
    fireEvent.click(screen.getByTestId("shortcuts-close"));
    await waitFor(() => expect(screen.queryByTestId("shortcuts-dialog")).toBeNull());
    expect(press({ key: "F1", code: "F1" }, document.body)).toBe(true);
    await screen.findByTestId("shortcuts-dialog");
    expect(screen.getByTestId("shortcuts-open").getAttribute("aria-keyshortcuts")).toBe("F1 Shift+?");
  });
});
