// What the command line has for shared accounts' rules and the team's trail, in the window: "Team rules…"
// on a shared account's card (an admin changes the approval policy and members' roles there; anyone else
// reads them), and History's whole-team scope (the team's trail with a Member filter; offline, a clear
// message while the local history still works).
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { changeLanguage, i18n, missingKeys } from "./i18n";
import { AccountRules } from "./components/team/AccountRules";
import { HistoryScreen } from "./screens/History";
import { stepName, stepScope } from "./lib/trail";
import type { AccountRules as Rules, TeamStatus, TrailRowView } from "./api";
import { account, mockBackend, setupEach, withToasts, enterValue } from "./test/helpers";

setupEach();

const SHARED = account("cybavo", { id: 7, label: "Store BR", environment: "production", team_account_id: 3 });
const OWN = account("cybavo", { id: 8, label: "My own", team_account_id: null });

const RULES = (more: Partial<Rules> = {}): Rules => ({
  team_account_id: 3,
  policy: { every_resend: false, waive: [] },
  reasons: ["production", "broad_value", "many_ids"],
  me: "alice",
  my_role: "admin",
  can_edit: true,
  members: [
    { name: "alice", workspace_role: "admin", account_role: null },
    { name: "bob", workspace_role: "operator", account_role: null },
  ],
  ...more,
});

const open = async () => {
  fireEvent.click(screen.getByTestId("account-rules"));
  return screen.findByTestId("rules-dialog");
};

describe("Team rules… on a shared account's card", () => {
  it("an admin sees the rules in words and sets every resend and a member's role there", async () => {
    const calls = mockBackend({
      on: (cmd) => (cmd === "team_account_rules" || cmd.startsWith("team_set_account") ? RULES() : undefined),
    });
    render(withToasts(<AccountRules account={SHARED} />));
    const dialog = await open();
    await within(dialog).findByTestId("rules-policy");
    expect(dialog.textContent).toContain("Team rules for “Store BR”");
    expect(within(dialog).getByTestId("rules-reason-production").textContent).toBe("Resends on a production account (real callbacks go to your real servers)");
    expect(within(dialog).getByTestId("rules-reason-many_ids").textContent).toBe("Resends of more than 100 IDs at once");
    expect((within(dialog).getByTestId("rules-mode-default").querySelector("input") as HTMLInputElement).checked).toBe(true);
    // Nothing changed yet: nothing to save.
    expect((within(dialog).getByTestId("rules-save") as HTMLButtonElement).disabled).toBe(true);
    // The admin's own role is another admin's to change (no locking oneself out).
    const rows = within(dialog).getAllByTestId("rules-member");
    expect(rows.map((r) => r.dataset.name)).toEqual(["alice", "bob"]);
    expect((within(rows[0]).getByTestId("rules-role") as HTMLSelectElement).disabled).toBe(true);
    expect(within(rows[1]).getByTestId("rules-role").textContent).toContain("Same as team role (Operator)");

    fireEvent.click(within(dialog).getByTestId("rules-mode-every").querySelector("input")!);
    enterValue(within(rows[1]).getByTestId("rules-role"), "viewer");
    fireEvent.click(within(dialog).getByTestId("rules-save"));
    await screen.findByTestId("account-rules-saved");
    expect(calls.filter((c) => c.cmd === "team_set_account_policy").map((c) => c.args)).toEqual([{ accountId: 7, everyResend: true, waive: [] }]);
    expect(calls.filter((c) => c.cmd === "team_set_account_role").map((c) => c.args)).toEqual([{ accountId: 7, member: "bob", role: "viewer" }]);
    expect(screen.queryByTestId("rules-dialog")).toBeNull();
  });

  it("an admin lets some reasons through, and takes a role back to the team role", async () => {
    const calls = mockBackend({
      on: (cmd) =>
        cmd === "team_account_rules"
          ? RULES({ members: [{ name: "alice", workspace_role: "admin", account_role: null }, { name: "bob", workspace_role: "operator", account_role: "approver" }] })
          : cmd.startsWith("team_set_account")
            ? RULES()
            : undefined,
    });
    render(withToasts(<AccountRules account={SHARED} />));
    const dialog = await open();
    await within(dialog).findByTestId("rules-policy");
    fireEvent.click(within(dialog).getByTestId("rules-waive-production"));
    expect((within(dialog).getByTestId("rules-mode-except").querySelector("input[type=radio]") as HTMLInputElement).checked).toBe(true);
    const bob = within(dialog).getAllByTestId("rules-member")[1];
    expect((within(bob).getByTestId("rules-role") as HTMLSelectElement).value).toBe("approver");
    enterValue(within(bob).getByTestId("rules-role"), "workspace");
    fireEvent.click(within(dialog).getByTestId("rules-save"));
    await screen.findByTestId("account-rules-saved");
    expect(calls.find((c) => c.cmd === "team_set_account_policy")?.args).toEqual({ accountId: 7, everyResend: false, waive: ["production"] });
    expect(calls.find((c) => c.cmd === "team_set_account_role")?.args).toEqual({ accountId: 7, member: "bob", role: "workspace" });
  });

  it("a member who is not an admin of the account reads why a resend waits there, and their own role", async () => {
    const calls = mockBackend({
      on: (cmd) =>
        cmd === "team_account_rules"
          ? RULES({
              me: "bob", my_role: "operator", can_edit: false, policy: { every_resend: false, waive: ["production"] },
              members: [{ name: "bob", workspace_role: "viewer", account_role: "operator" }],
            })
          : undefined,
    });
    render(<AccountRules account={SHARED} />);
    const dialog = await open();
    const summary = await within(dialog).findByTestId("rules-summary");
    expect(summary.textContent).toContain("These resends on this account wait for another member's approval:");
    expect(summary.textContent).toContain("Broad resends");
    expect(summary.textContent).toContain("This account's admins let these go without approval:");
    expect(within(dialog).getByTestId("rules-my-role").textContent).toContain("Your role on this account: Operator.");
    expect(within(dialog).queryByTestId("rules-save")).toBeNull();
    expect(within(dialog).queryByTestId("rules-policy")).toBeNull();
    fireEvent.click(within(dialog).getByTestId("rules-close"));
    expect(calls.some((c) => c.cmd.startsWith("team_set_account"))).toBe(false);
  });

  it("says when every resend waits, and says the team database cannot be reached", async () => {
    let offline = false;
    mockBackend({
      on: (cmd) => {
        if (cmd !== "team_account_rules") return undefined;
        if (offline) throw { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null };
        return RULES({ can_edit: false, my_role: "viewer", policy: { every_resend: true, waive: [] }, members: [] });
      },
    });
    const { unmount } = render(<AccountRules account={SHARED} />);
    let dialog = await open();
    expect((await within(dialog).findByTestId("rules-summary")).dataset.mode).toBe("every");
    unmount();
    offline = true;
    render(<AccountRules account={SHARED} />);
    dialog = await open();
    expect((await within(dialog).findByTestId("rules-load-error")).textContent).toContain("db.example.com:5432");
  });

  it("reads in every language", async () => {
    mockBackend({ on: (cmd) => (cmd === "team_account_rules" ? RULES() : undefined) });
    render(<AccountRules account={SHARED} />);
    const dialog = await open();
    await within(dialog).findByTestId("rules-policy");
    for (const lang of ["zh-CN", "pt-BR", "en"] as const) {
      await act(() => changeLanguage(lang));
      expect(missingKeys.size).toBe(0);
    }
    expect(dialog.textContent).toContain("The default rules, except:");
  });
});

const TEAM: TeamStatus = {
  workspace: { member: "alice", role: "admin", host: "db.example.com", database: "finance_team", reachable: true, problem: null, account_roles: [] },
};

const trailRow = (id: number, member: string, more: Partial<TrailRowView> = {}): TrailRowView => ({
  id, member, at_ms: 1_760_000_000_000 - id, account_id: 3, account_label: "Store BR", provider: "cybavo", environment: "production",
  kind: "action", operation: "resend-withdrawal-callbacks", scope: "notification_id=90000000139", outcome: "ok", http_status: 200,
  error_code: null, duration_ms: 80, scope_params: null, step: null, ...more,
});

const LOCAL = {
  id: 1, job_id: null, created_at_ms: 1_760_000_000_000, finished_at_ms: null, account_id: 8, account_label: "My own", provider: "cybavo",
  environment: "sandbox", operation: "resend-withdrawal-callbacks", scope: "", scope_params: null, outcome: "ok", http_status: 200,
  provider_code: null, error: null, duration_ms: 10, member: null,
};

describe("History in a team workspace", () => {
  it("shows the whole team's trail with each member's name, filtered by member and by History's filters", async () => {
    let offline = false;
    const calls = mockBackend({
      accounts: [SHARED, OWN],
      on: (cmd, args) => {
        if (cmd === "team_status") return TEAM;
        if (cmd === "team_members") return [{ name: "alice", role: "admin" }, { name: "bob", role: "operator" }];
        if (cmd === "history_page") return { rows: [LOCAL], next_cursor: null };
        if (cmd === "history_count") return 1;
        if (cmd === "history_export_csv") return { path: "/home/ana/trail.csv", rows: (args.options as { team?: unknown }).team ? 1 : 4 };
        if (cmd === "team_trail_page") {
          if (offline) throw { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null };
          const rows = [
            trailRow(12, "bob"),
            trailRow(11, "alice", { kind: "approval", outcome: "requested", scope: "approval 4", step: { step: "approval", id: 4 } }),
            trailRow(10, "alice", { kind: "role", operation: "role", outcome: "ok", scope: "account 3 bob viewer", step: { step: "role", member: "bob", role: "viewer" }, http_status: null }),
            trailRow(9, "alice", { kind: "member", operation: "member", outcome: "ok", scope: "remove carol", step: { step: "member_removed", member: "carol" }, account_id: null, account_label: "", provider: "", environment: "custom", http_status: null }),
          ];
          return { rows: args.member ? rows.filter((r) => r.member === args.member) : rows, next_before_id: null };
        }
      },
    });
    render(<HistoryScreen focus={null} onRepeat={() => undefined} />);
    // Mine first: this computer's history, exported as always.
    fireEvent.click(await screen.findByTestId("history-whose-mine"));
    await screen.findByTestId("history-row");
    expect(screen.getByTestId("history-row").dataset.id).toBe("1");
    expect(screen.queryByTestId("filter-member")).toBeNull();
    fireEvent.click(screen.getByTestId("history-export"));
    await screen.findByTestId("export-done");
    expect((calls.filter((c) => c.cmd === "history_export_csv").pop()!.args.options as { team?: unknown }).team).toBeUndefined();

    enterValue(screen.getByTestId("filter-account"), "8");
    fireEvent.click(screen.getByTestId("history-whose-team").querySelector("input")!);
    await waitFor(() => expect(screen.getAllByTestId("history-member").map((c) => c.textContent)).toEqual(["bob", "alice", "alice", "alice"]));
    // The workspace's own steps in words: an approval, a role on an account, a member removed (on no account).
    const rowsShown = screen.getAllByTestId("history-row");
    expect(within(rowsShown[2]).getByTestId("history-scope").textContent).toBe("bob: Viewer");
    expect(rowsShown[2].textContent).toContain("Role on an account changed");
    expect(within(rowsShown[3]).getByTestId("history-scope").textContent).toBe("carol");
    expect(rowsShown[3].querySelector(".history-account")!.textContent).toBe("—");
    // An account of this computer's own is not in the team's trail: its filter went, and only shared ones are offered.
    expect([...(screen.getByTestId("filter-account") as HTMLSelectElement).options].map((o) => o.value)).toEqual(["", "7"]);
    expect(screen.getByTestId("history-member-col").textContent).toBe("Member");
    expect(screen.getAllByTestId("history-step")[0].textContent).toBe("Asked");
    expect(screen.getAllByTestId("history-scope")[1].textContent).toBe("Approval #4");
    expect(screen.getByTestId("history-count").textContent).toBe("Showing 4");

    enterValue(screen.getByTestId("filter-member"), "bob");
    enterValue(screen.getByTestId("filter-outcome"), "ok");
    await waitFor(() => expect(screen.getAllByTestId("history-member").map((c) => c.textContent)).toEqual(["bob"]));
    const last = calls.filter((c) => c.cmd === "team_trail_page").pop()!.args;
    expect(last).toMatchObject({ member: "bob", beforeId: null, limit: 100 });
    expect(last.filter).toMatchObject({ outcome: "ok", account_id: null, job_id: null });
    // The whole team's trail exports as this computer's history does, for the member chosen.
    fireEvent.click(screen.getByTestId("history-export"));
    await waitFor(() => expect(screen.getByTestId("export-done").textContent).toContain("Saved 1 action to /home/ana/trail.csv"));
    const exported = calls.filter((c) => c.cmd === "history_export_csv").pop()!.args;
    expect(exported.options).toMatchObject({ readable: true, team: { member: "bob" } });
    expect(exported.filter).toMatchObject({ outcome: "ok", account_id: null });

    // A row of the trail opens its details (not this computer's history row of the same number).
    fireEvent.click(screen.getAllByTestId("history-row")[0]);
    const details = await screen.findByTestId("trail-details");
    expect(within(details).getByTestId("trail-member").textContent).toBe("bob");
    expect(within(details).getByTestId("trail-http").textContent).toBe("200");
    for (const lang of ["zh-CN", "pt-BR", "en"] as const) {
      await act(() => changeLanguage(lang));
      expect(missingKeys.size).toBe(0);
    }
    fireEvent.click(within(details).getByTestId("trail-details-close"));
    expect(calls.some((c) => c.cmd === "history_get")).toBe(false);

    // Offline: the team's trail says what it needs; "Show mine" brings the local history back.
    offline = true;
    enterValue(screen.getByTestId("filter-member"), "");
    const panel = await screen.findByTestId("history-team-offline");
    expect(panel.textContent).toContain("The whole team's history needs the team database");
    expect(panel.textContent).toContain("Your own history on this computer still works");
    expect(panel.dataset.code).toBe("team.offline");
    fireEvent.click(within(panel).getByTestId("history-show-mine"));
    await waitFor(() => expect(screen.getByTestId("history-row").dataset.id).toBe("1"));
    expect(screen.queryByTestId("history-team-offline")).toBeNull();
  });

  it("solo, History is as it always was: no scope, no team database asked", async () => {
    const calls = mockBackend({
      on: (cmd) =>
        cmd === "team_status" ? { workspace: null } : cmd === "history_page" ? { rows: [LOCAL], next_cursor: null } : cmd === "history_count" ? 1 : undefined,
    });
    render(<HistoryScreen focus={null} onRepeat={() => undefined} />);
    await screen.findByTestId("history-row");
    await waitFor(() => expect(calls.some((c) => c.cmd === "team_status")).toBe(true));
    expect(screen.queryByTestId("history-whose")).toBeNull();
    expect(calls.some((c) => c.cmd === "team_trail_page" || c.cmd === "team_members")).toBe(false);
  });
});

describe("The team's trail in words", () => {
  it("says whether a shared account was added, changed or deleted, and from whom a share was taken back", () => {
    const t = i18n.t;
    expect(stepName(t, "account", { step: "account_added" })).toBe("Shared account added");
    expect(stepName(t, "account", { step: "account_edited" })).toBe("Shared account changed");
    expect(stepName(t, "account", { step: "account_deleted" })).toBe("Shared account deleted");
    expect(stepName(t, "unshare", { step: "unshare", member: "bob" })).toBe("Share taken back");
    expect(stepScope(t, "account 4 from bob", { step: "unshare", member: "bob" })).toBe("From bob");
    expect(stepScope(t, "account 4 bob workspace role", { step: "role", member: "bob", role: null })).toBe("bob: same as team role");
    expect(stepScope(t, "approval 12", { step: "approval", id: 12 })).toBe("Approval #12");
    expect(stepScope(t, "account 4", { step: "account_added" })).toBe("—");
    expect(missingKeys.size).toBe(0);
  });

  it("gives a step this version could not read as the team database wrote it", () => {
    const t = i18n.t;
    expect(stepName(t, "audit", null)).toBe("audit");
    expect(stepScope(t, "account 4 bob auditor", null)).toBe("account 4 bob auditor");
  });
});
