// Screens other than the first arrive as chunks after the first paint: moving to one before its chunk has
// arrived keeps the screen shown until the next can be drawn (no empty frame), then shows it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { App } from "./App";
import { changeLanguage, initI18n } from "./i18n";

beforeEach(async () => {
  await initI18n("en");
  await changeLanguage("en");
  mockIPC((cmd) => {
    if (cmd === "get_preferences") return { language: null };
    if (cmd === "list_accounts") return [];
    if (cmd === "provider_descriptors") return [];
    if (cmd === "history_page") return { rows: [], next_cursor: null };
    if (cmd === "history_count") return 0;
    if (cmd === "list_jobs") return [];
    return null;
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("screens fetched after the first paint", () => {
  it("keep the current screen until the chosen one can be drawn", async () => {
    render(<App />);
    expect(screen.getByTestId("screen-title").textContent).toBe("Resend callbacks");
    // Every state the window goes through, read after each change of the document.
    const shown: string[] = [];
    const observer = new MutationObserver(() => {
      const main = document.querySelector("main")!;
      // React hides a screen it has to wait for with `display: none` (and shows nothing in its place).
      const visible = [...main.children].some((c) => (c as HTMLElement).style.display !== "none");
      shown.push(`${screen.getByTestId("screen-title").textContent} / ${main.dataset.testid} / ${visible ? "drawn" : "empty"}`);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    // A click as in the window (outside the test's act(), which would hold the render back until it ends).
    const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
    env.IS_REACT_ACT_ENVIRONMENT = false;
    try {
      screen.getByTestId("nav-history").click();
      await waitFor(() => expect(screen.getByTestId("screen-title").textContent).toBe("History"), { timeout: 15_000 });
    } finally {
      env.IS_REACT_ACT_ENVIRONMENT = true;
      observer.disconnect();
    }
    // Resend stayed until History could be drawn: never an empty screen.
    expect(shown.filter((s) => s.endsWith("empty"))).toEqual([]);
    expect(screen.getByTestId("screen-history").childElementCount).toBeGreaterThan(0);
    expect(screen.getByTestId("nav-history").getAttribute("aria-current")).toBe("page");
  });
});
