// A shared account's card says what this member can do there before they try: Edit, Delete and Share only
// for the account's admins, "Managed by your team's admins" for anyone else, everything when the team
// database cannot say (the core refuses then); and a delete that the team database did not take when its
// undo time ended is told, with the reason, the account shown again at once.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { changeLanguage, missingKeys } from "./i18n";
import { AccountsScreen } from "./screens/Accounts";
import { useHeldDeleteFailures } from "./hooks/useHeldDeleteFailures";
import { TOAST_MS } from "./hooks/useToast";
import type { AccountView, NotDeleted, Role, TeamStatus } from "./api";
import { account, mockBackend, setupEach, withToasts, enterValue } from "./test/helpers";

setupEach();
afterEach(() => vi.useRealTimers());

const SET = [{ name: "api_code", set: true, needs_reentry: false }];
const SHARED = account("cybavo", { id: 7, label: "Store BR", environment: "production", team_account_id: 3, secrets: SET });
const OWN = account("cybavo", { id: 8, label: "My own", team_account_id: null, secrets: SET });

const TEAM = (roles: Record<number, Role>, reachable = true): TeamStatus => ({
  workspace: {
    member: "bob", role: "operator", host: "db.example.com", database: "finance_team", reachable,
    problem: reachable ? null : { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null },
    account_roles: reachable ? Object.entries(roles).map(([id, role]) => ({ team_account_id: Number(id), role })) : [],
  },
});

function backend(status: () => TeamStatus, accounts: () => AccountView[] = () => [SHARED, OWN], more?: (cmd: string, args: Record<string, unknown>) => unknown) {
  return mockBackend({
    events: true,
    on: (cmd, args) => {
      if (cmd === "team_status") return status();
      if (cmd === "team_members") return [{ name: "bob", role: "operator" }, { name: "carol", role: "operator" }];
      if (cmd === "list_accounts") return accounts();
      return more?.(cmd, args);
    },
  });
}

const card = async (id: number) => within(await screen.findByTestId(`account-${id}`));

describe("a shared account's card", () => {
  it("tells a member who is not an admin of the account that its admins manage it, without Edit or Delete, in every language", async () => {
    const calls = backend(() => TEAM({ 3: "operator" }));
    render(withToasts(<AccountsScreen />));
    const shared = await card(7);
    expect((await shared.findByTestId("account-managed")).textContent).toBe(
      "Managed by your team's admins: only they can edit, share or delete this account.",
    );
    expect(shared.queryByTestId("account-edit")).toBeNull();
    expect(shared.queryByTestId("account-delete")).toBeNull();
    expect(shared.queryByTestId("account-share")).toBeNull();
    // What they can do stays: test the connection, read the team rules.
    expect(shared.getByTestId("account-test")).toBeTruthy();
    expect(shared.getByTestId("account-rules")).toBeTruthy();
    // Their own account is theirs.
    const own = await card(8);
    expect(own.getByTestId("account-edit")).toBeTruthy();
    expect(own.getByTestId("account-delete")).toBeTruthy();
    expect(own.queryByTestId("account-managed")).toBeNull();
    // One look at the team database for every card; no members list for someone who shares nothing.
    expect(calls.filter((c) => c.cmd === "team_status")).toHaveLength(1);
    expect(calls.some((c) => c.cmd === "team_members" || c.cmd === "team_account_rules")).toBe(false);
    for (const lang of ["zh-CN", "pt-BR"] as const) {
      await act(() => changeLanguage(lang));
      expect(shared.getByTestId("account-managed").textContent).not.toContain("Managed");
    }
    expect(missingKeys.size).toBe(0);
  });

  it("offers Edit, Delete and Share to an admin of the account, even one whose team role is lower", async () => {
    backend(() => TEAM({ 3: "admin" }));
    render(withToasts(<AccountsScreen />));
    const shared = await card(7);
    expect(await shared.findByTestId("account-share")).toBeTruthy();
    expect(shared.getByTestId("account-edit")).toBeTruthy();
    expect(shared.getByTestId("account-delete")).toBeTruthy();
    expect(shared.queryByTestId("account-managed")).toBeNull();
  });

  it("offers everything when the team database cannot be reached, and the core's refusal shows on the card", async () => {
    backend(
      () => TEAM({}, false),
      undefined,
      (cmd) => {
        if (cmd === "delete_account") throw { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null };
      },
    );
    render(withToasts(<AccountsScreen />));
    const shared = await card(7);
    await act(async () => undefined);
    expect(shared.getByTestId("account-edit")).toBeTruthy();
    expect(shared.queryByTestId("account-managed")).toBeNull();
    fireEvent.click(shared.getByTestId("account-delete"));
    enterValue(shared.getByTestId("delete-typed"), "Store BR");
    await act(async () => fireEvent.click(shared.getByTestId("delete-confirm-button")));
    expect(shared.getByTestId("error-box").textContent).toContain("db.example.com:5432");
  });

  it("offers everything when the team status itself fails", async () => {
    mockBackend({ on: (cmd) => (cmd === "list_accounts" ? [SHARED] : undefined) });
    render(withToasts(<AccountsScreen />));
    const shared = await card(7);
    await act(async () => undefined);
    expect(shared.getByTestId("account-edit")).toBeTruthy();
    expect(shared.getByTestId("account-delete")).toBeTruthy();
  });
});

function Window() {
  useHeldDeleteFailures();
  return <AccountsScreen />;
}

describe("a held delete the team database did not take", () => {
  it("is told, with the reason, until dismissed, and the account shows again at once", async () => {
    let listed = [SHARED];
    backend(
      () => TEAM({ 3: "admin" }),
      () => listed,
      (cmd) => {
        if (cmd === "delete_account") {
          listed = [];
          return Date.now() + 10_000;
        }
      },
    );
    render(withToasts(<Window />));
    const shared = await card(7);
    fireEvent.click(await shared.findByTestId("account-delete"));
    enterValue(shared.getByTestId("delete-typed"), "Store BR");
    fireEvent.click(shared.getByTestId("delete-confirm-button"));
    await screen.findByTestId("toast-account-deleted");
    await act(async () => undefined);
    expect(screen.queryByTestId("account-7")).toBeNull();

    // The undo time ended; the team database could not be reached: the shell says so, and the account is back.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    listed = [SHARED];
    const told: NotDeleted = {
      account_id: 7, label: "Store BR", shared: true,
      error: { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null },
    };
    await act(async () => {
      await emit("account-not-deleted", told);
      await emit("accounts-changed", null);
    });
    const toast = screen.getByTestId("account-not-deleted-7");
    expect(toast.textContent).toBe(
      "Account “Store BR” was not deleted for the team: it is back, as it was, for everyone. " +
        "The team database at db.example.com:5432 cannot be reached, so nothing that needs it was done. Check the network or ask the administrator, then try again.",
    );
    expect(screen.getByTestId("account-7")).toBeTruthy();
    // It stays until dismissed.
    act(() => void vi.advanceTimersByTime(TOAST_MS * 3));
    expect(screen.getByTestId("account-not-deleted-7")).toBeTruthy();
    await act(() => changeLanguage("pt-BR"));
    expect(screen.getByTestId("account-not-deleted-7").textContent).toContain("não foi excluída para a equipe");
    fireEvent.click(within(screen.getByTestId("toast-account-not-deleted-7")).getByTestId("toast-dismiss"));
    expect(screen.queryByTestId("account-not-deleted-7")).toBeNull();
    expect(missingKeys.size).toBe(0);
  });
});
