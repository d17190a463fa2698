import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { App, loadScreens } from "./App";
import { changeLanguage, initI18n, missingKeys } from "./i18n";
import { enterValue } from "./test/helpers";

const calls: { cmd: string; args: unknown }[] = [];

beforeEach(async () => {
  // Screens other than the first are chunks, fetched after the first paint: here before moving between them.
  await loadScreens();
  calls.length = 0;
  initI18n("en");
  await changeLanguage("en");
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === "app_info")
      return {
        version: "9.9.9",
        data_dir: "/home/u/.local/share/io.callbackdesk.desktop",
        log_dir: "/home/u/.local/share/io.callbackdesk.desktop/logs",
        keyring: { state: "unavailable", backend: "Secret Service", detail: "no bus" },
        painting: "cpu_no_gpu",
      };
    if (cmd === "get_preferences") return { language: null };
    if (cmd === "set_preferences") return (args as { preferences: unknown }).preferences;
    if (cmd === "list_accounts") return [];
    if (cmd === "provider_descriptors") return [];
    if (cmd === "history_page") return { rows: [], next_cursor: null };
    if (cmd === "history_count") return 0;
    throw new Error(`unexpected command ${cmd}`);
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("App shell", () => {
  it("navigates every section and shows its empty state", async () => {
    render(<App />);
    const expected: Record<string, string> = {
      resend: "Resend callbacks",
      query: "Look up callbacks",
      history: "History",
      check: "Check a callback",
      accounts: "Merchant accounts",
      settings: "Settings",
    };
    for (const [id, title] of Object.entries(expected)) {
      fireEvent.click(screen.getByTestId(`nav-${id}`));
      expect(screen.getByTestId("screen-title").textContent).toBe(title);
      expect(screen.getByTestId(`screen-${id}`)).toBeTruthy();
      expect(screen.getByTestId(`nav-${id}`).getAttribute("aria-current")).toBe("page");
    }
    expect(missingKeys.size).toBe(0);
  });

  it("reports an unavailable keyring in the status line", async () => {
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("status-keyring").dataset.state).toBe("unavailable"));
    expect(screen.getByTestId("status-keyring").textContent).toContain("Keyring unavailable");
    expect(screen.getByTestId("status-version").textContent).toBe("Callback Desk 9.9.9");
  });

  it("says in Settings where the window is drawn", async () => {
    render(<App />);
    fireEvent.click(screen.getByTestId("nav-settings"));
    await waitFor(() => expect(screen.getByTestId("about-painting").dataset.painting).toBe("cpu_no_gpu"));
    expect(screen.getByTestId("about-painting").textContent).toBe("On the processor (no graphics card found)");
    await act(async () => changeLanguage("zh-CN"));
    expect(screen.getByTestId("about-painting").textContent).toBe("由处理器绘制（未找到显卡）");
    expect(missingKeys.size).toBe(0);
  });

  it("switches language and remembers the choice", async () => {
    render(<App />);
    fireEvent.click(screen.getByTestId("nav-settings"));
    const select = await screen.findByTestId("language-select");
    await act(async () => {
      enterValue(select, "pt-BR");
    });
    await waitFor(() => expect(screen.getByTestId("screen-title").textContent).toBe("Configurações"));
    expect(calls).toContainEqual({ cmd: "set_preferences", args: { preferences: { language: "pt-BR", time_zone: null, theme: null, notifications: null } } });
    expect(screen.getByTestId("nav-history").textContent).toBe("Histórico");
  });
});
