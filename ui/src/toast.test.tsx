// Brief confirmations after saves and deletes: one polite live region, never taking the focus, dismissable,
// and an account delete held back with Undo.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { Toasts } from "./components/Toasts";
import { showToast, TOAST_MS } from "./hooks/useToast";
import { AccountsScreen } from "./screens/Accounts";
import { SettingsScreen } from "./screens/Settings";
import { changeLanguage, missingKeys } from "./i18n";
import { account, mockBackend, PROVIDERS, setupEach, withToasts, enterValue } from "./test/helpers";
import type { AccountView } from "./api";

setupEach();
afterEach(() => vi.useRealTimers());

const STORE = account(PROVIDERS[0].id, { id: 7, environment: "production", label: "Store BR" });
const HOLD_MS = 10_000;

/** The backend's side of a held delete: the account leaves the list at once and comes back on undo. */
function heldDeletes(undoInTime: boolean) {
  let listed: AccountView[] = [STORE];
  return mockBackend({
    on: (cmd, args) => {
      if (cmd === "list_accounts") return listed;
      if (cmd === "delete_account") {
        listed = listed.filter((a) => a.id !== args.id);
        return Date.now() + HOLD_MS;
      }
      if (cmd === "undo_delete_account") {
        if (undoInTime) listed = [STORE];
        return undoInTime;
      }
      return undefined;
    },
  });
}

async function deleteStore() {
  fireEvent.click(await screen.findByTestId("account-delete"));
  enterValue(screen.getByTestId("delete-typed"), "Store BR");
  fireEvent.click(screen.getByTestId("delete-confirm-button"));
  return screen.findByTestId("toast-account-deleted");
}

describe("deleting an account", () => {
  it("is held back with Undo, which brings the account back", async () => {
    const calls = heldDeletes(true);
    render(withToasts(<AccountsScreen />));
    const toast = await deleteStore();
    expect(screen.getByTestId("account-deleted").textContent).toBe("Account “Store BR” deleted.");
    await act(async () => undefined);
    expect(screen.queryByTestId("account-7")).toBeNull();
    // Announced politely, without taking the focus from where the user is.
    const region = screen.getByTestId("toasts");
    expect(region.getAttribute("role")).toBe("status");
    expect(region.getAttribute("aria-live")).toBe("polite");
    expect(region.contains(document.activeElement)).toBe(false);

    fireEvent.click(within(toast).getByTestId("toast-undo"));
    expect((await screen.findByTestId("account-restored")).textContent).toBe("Account “Store BR” is back, as it was.");
    expect(await screen.findByTestId("account-7")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "undo_delete_account")).toEqual([{ cmd: "undo_delete_account", args: { id: 7 } }]);
    expect(screen.queryByTestId("toast-account-deleted")).toBeNull();
  });

  it("says so when the undo comes too late", async () => {
    heldDeletes(false);
    render(withToasts(<AccountsScreen />));
    const toast = await deleteStore();
    fireEvent.click(within(toast).getByTestId("toast-undo"));
    expect((await screen.findByTestId("account-undo-late")).textContent).toBe("Too late to undo: “Store BR” was already deleted.");
    expect(screen.queryByTestId("account-7")).toBeNull();
  });
});

describe("saves", () => {
  it("adding the sandbox accounts and choosing a time zone are confirmed, in the window's language", async () => {
    mockBackend({
      on: (cmd) => (cmd === "create_sandbox_accounts" ? [] : cmd === "set_preferences" || cmd === "get_preferences" ? { language: "en", time_zone: null, theme: null } : cmd === "sandbox_training" ? { available: false } : undefined),
    });
    const { unmount } = render(withToasts(<AccountsScreen />));
    fireEvent.click(await screen.findByTestId("sandbox-try"));
    expect((await screen.findByTestId("sandbox-accounts-added")).textContent).toBe("Sandbox accounts added: one per provider, with simulated money only.");
    unmount();

    await act(async () => changeLanguage("zh-CN"));
    render(withToasts(<SettingsScreen info={null} language="zh-CN" onLanguage={async () => {}} />));
    enterValue(screen.getByTestId("zone-select"), "UTC");
    expect((await screen.findByTestId("zone-saved")).textContent).toBe("时区已保存。");
    expect(within(screen.getByTestId("toast-zone-saved")).getByTestId("toast-dismiss").getAttribute("aria-label")).toBe("关闭");
    // Shown while the language changes: said in the new one.
    await act(async () => changeLanguage("pt-BR"));
    expect(screen.getByTestId("zone-saved").textContent).toBe("Fuso horário salvo.");
    expect(screen.getByTestId("sandbox-accounts-added").textContent).toBe("Contas de sandbox adicionadas: uma por provedor, só com dinheiro simulado.");
    expect(missingKeys.size).toBe(0);
  });
});

describe("a confirmation", () => {
  it("goes after a few seconds, waits while the pointer is on it, and can be dismissed at once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    render(<Toasts />);
    act(() => void showToast({ testId: "one", message: () => "Saved." }));
    act(() => void vi.advanceTimersByTime(TOAST_MS - 100));
    expect(screen.getByTestId("one")).toBeTruthy();
    act(() => void vi.advanceTimersByTime(100));
    expect(screen.queryByTestId("one")).toBeNull();

    act(() => void showToast({ testId: "two", message: () => "Saved again." }));
    fireEvent.mouseEnter(screen.getByTestId("toast-two"));
    act(() => void vi.advanceTimersByTime(TOAST_MS * 3));
    expect(screen.getByTestId("two")).toBeTruthy();
    fireEvent.mouseLeave(screen.getByTestId("toast-two"));
    act(() => void vi.advanceTimersByTime(TOAST_MS));
    expect(screen.queryByTestId("two")).toBeNull();

    act(() => void showToast({ testId: "three", message: () => "Deleted." }));
    fireEvent.click(screen.getByTestId("toast-dismiss"));
    expect(screen.queryByTestId("three")).toBeNull();
    act(() => void showToast({ testId: "four", message: () => "Deleted." }));
    fireEvent.keyDown(screen.getByTestId("toast-four"), { key: "Escape" });
    expect(screen.queryByTestId("four")).toBeNull();
  });

  it("with Undo stays exactly as long as the undo is possible", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    render(<Toasts />);
    act(() => void showToast({ testId: "held", message: () => "Deleted.", undo: () => undefined, undoUntilMs: Date.now() + 2 * TOAST_MS }));
    fireEvent.mouseEnter(screen.getByTestId("toast-held"));
    act(() => void vi.advanceTimersByTime(2 * TOAST_MS - 1));
    expect(screen.getByTestId("held")).toBeTruthy();
    act(() => void vi.advanceTimersByTime(1));
    expect(screen.queryByTestId("held")).toBeNull();
  });

  it("with the same name replaces the one shown", () => {
    render(<Toasts />);
    act(() => void showToast({ testId: "zone-saved", message: () => "Time zone saved." }));
    act(() => void showToast({ testId: "zone-saved", message: () => "Time zone saved." }));
    expect(screen.getAllByTestId("zone-saved")).toHaveLength(1);
  });
});
