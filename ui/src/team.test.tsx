// The team workspace in the window: Settings › Team (solo, joining, members, inviting, offline), the
// Approvals screen (approve, reject with a reason, run once), Resend's "waiting for approval", the
// sidebar's Approvals entry and History's Member column.
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { missingKeys } from "./i18n";
import { TeamCard } from "./components/team/TeamCard";
import { ApprovalsScreen } from "./screens/Approvals";
import { ResendScreen } from "./screens/Resend";
import { Sidebar } from "./components/Sidebar";
import { HistoryTable } from "./components/history/HistoryTable";
import type { AccountView, ApprovalItem, HistoryRow, TeamStatus } from "./api";
import { account as makeAccount, mockBackend, PROVIDERS, setupEach, withToasts, type Call, enterValue } from "./test/helpers";

setupEach();

const SOLO: TeamStatus = { workspace: null };
const TEAM = (role: string | null, reachable = true): TeamStatus => ({
  workspace: {
    member: "alice", role, host: "db.example.com", database: "finance_team", reachable,
    problem: reachable ? null : { code: "team.offline", params: { server: "db.example.com:5432" }, detail: null }, account_roles: [],
  },
});

const request = (id: number, status: string, by: string, more: Partial<ApprovalItem> = {}): ApprovalItem => ({
  id, status, requested_by: by, account_label: "Store BR", provider: "cybavo", environment: "production",
  operation: "resend-withdrawal-callbacks", params: { notification_id: 90000000139 }, reasons: ["production"],
  requested_at_ms: 1_760_000_000_000, expires_at_ms: 1_760_086_400_000, decided_by: null, reason: null, executed_at_ms: null,
  account_changed: false, ...more,
});

describe("Settings › Team", () => {
  it("is solo by default, says what a team is, and joins with the pasted invitation code", async () => {
    let status = SOLO;
    const calls = mockBackend({
      on: (cmd) => {
        if (cmd === "team_status") return status;
        if (cmd === "team_join") return (status = TEAM("operator"));
        if (cmd === "team_members") return [{ name: "alice", role: "operator" }, { name: "carol", role: "admin" }];
      },
    });
    const joined: TeamStatus[] = [];
    render(withToasts(<TeamCard onChange={(s) => joined.push(s)} />));
    expect((await screen.findByTestId("team-solo")).textContent).toContain("invitation code");
    const join = screen.getByTestId("team-join") as HTMLButtonElement;
    expect(join.disabled).toBe(true);
    enterValue(screen.getByTestId("team-join-code"), "  cbd-invite-1.abc  ");
    await act(async () => fireEvent.click(join));
    expect(calls.find((c) => c.cmd === "team_join")!.args).toEqual({ invite: "cbd-invite-1.abc", tls: null });
    await waitFor(() => expect(screen.getByTestId("team-card").dataset.mode).toBe("team"));
    expect(joined).toHaveLength(1);
    expect(screen.getByTestId("team-you").textContent).toBe("alice · Operator");
    expect(screen.getByTestId("team-workspace").textContent).toBe("finance_team on db.example.com");
    expect(await screen.findAllByTestId("team-member")).toHaveLength(2);
    // Not an admin: no invitations.
    expect(screen.queryByTestId("team-invite")).toBeNull();
    expect(missingKeys.size).toBe(0);
  });

  it("joins with a client certificate pasted as text, names a wrong key, and clears the key once joined", async () => {
    let status = SOLO;
    let answer: "mismatch" | "ok" = "mismatch";
    const calls = mockBackend({
      on: (cmd) => {
        if (cmd === "team_status") return status;
        if (cmd === "team_join") {
          if (answer === "mismatch") throw { code: "input.invalid", params: { field: "client_key", reason: "team_key_mismatch" }, detail: null };
          return (status = TEAM("operator"));
        }
        if (cmd === "team_members") return [{ name: "alice", role: "operator" }];
      },
    });
    render(withToasts(<TeamCard />));
    enterValue(await screen.findByTestId("team-join-code"), "cbd-invite-1.abc");
    // Hidden until asked for: most teams use passwords only.
    expect(screen.queryByTestId("team-tls-client_cert")).toBeNull();
    fireEvent.click(screen.getByTestId("team-tls-toggle"));
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    const key = "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-TEXT\n-----END PRIVATE KEY-----";
    enterValue(screen.getByTestId("team-tls-client_cert-text"), cert);
    enterValue(screen.getByTestId("team-tls-client_key-text"), key);
    expect(screen.getByTestId("team-tls-client_key-text").className).toContain("secret-text");
    await act(async () => fireEvent.click(screen.getByTestId("team-join")));
    const sent = calls.filter((c) => c.cmd === "team_join");
    expect(sent[0].args).toEqual({ invite: "cbd-invite-1.abc", tls: { client_cert: cert, client_key: key, ca_cert: "" } });
    const error = await screen.findByTestId("team-join-error");
    expect(error.textContent).toContain("Client certificate's private key");
    expect(error.textContent).toContain("does not belong to the client certificate");
    // Kept while the user corrects it; gone once joined.
    answer = "ok";
    await act(async () => fireEvent.click(screen.getByTestId("team-join")));
    await waitFor(() => expect(screen.getByTestId("team-card").dataset.mode).toBe("team"));
    expect(document.body.innerHTML).not.toContain("SECRET-KEY-TEXT");
    expect(missingKeys.size).toBe(0);
  });

  it("lets an admin invite a member and shows the code once, with Copy", async () => {
    const calls = mockBackend({
      on: (cmd) => {
        if (cmd === "team_status") return TEAM("admin");
        if (cmd === "team_members") return [{ name: "alice", role: "admin" }];
        if (cmd === "team_invite") return "cbd-invite-1.ONE-TIME";
      },
    });
    render(<TeamCard />);
    enterValue(await screen.findByTestId("team-invite-name"), "bob");
    enterValue(screen.getByTestId("team-invite-role"), "approver");
    expect(screen.getByText("Can also approve or reject other members' requests.")).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByTestId("team-invite")));
    expect(calls.find((c) => c.cmd === "team_invite")!.args).toEqual({ member: "bob", role: "approver" });
    const dialog = await screen.findByTestId("team-invite-code");
    expect((within(dialog).getByTestId("team-invite-code-text") as HTMLTextAreaElement).value).toBe("cbd-invite-1.ONE-TIME");
    expect(dialog.textContent).toContain("Invitation for bob");
    fireEvent.click(within(dialog).getByTestId("team-invite-done"));
    // Once closed, the code is nowhere in the window.
    await waitFor(() => expect(document.body.textContent).not.toContain("ONE-TIME"));
    // The members list is asked again after the invitation.
    expect(calls.filter((c) => c.cmd === "team_members")).toHaveLength(2);
  });

  it("explains the offline state and tries again", async () => {
    let reachable = false;
    mockBackend({
      on: (cmd) => {
        if (cmd === "team_status") return TEAM(reachable ? "operator" : null, reachable);
        if (cmd === "team_members") return [{ name: "alice", role: "operator" }];
      },
    });
    render(<TeamCard />);
    const note = await screen.findByTestId("team-offline");
    expect(note.textContent).toContain("Look-ups and your history on this computer still work");
    expect(screen.getByTestId("team-connection").textContent).toBe("Not connected");
    reachable = true;
    await act(async () => fireEvent.click(screen.getByTestId("team-retry")));
    await waitFor(() => expect(screen.getByTestId("team-connection").textContent).toBe("Connected"));
    expect(screen.queryByTestId("team-offline")).toBeNull();
  });
});

describe("Approvals screen", () => {
  function mockApprovals(items: () => ApprovalItem[], me: string, canDecide: boolean) {
    return mockBackend({
      on: (cmd) => {
        if (cmd === "approvals_list")
          return { me, can_decide: canDecide, items: items(), waiting_for_me: items().filter((a) => a.status === "pending" && a.requested_by !== me && canDecide).length };
        if (cmd === "approve_request" || cmd === "reject_request") return null;
        if (cmd === "run_approved")
          return { history_id: 42, outcome: "ok", http_status: 200, error: null, summary: [{ key: "result.cybavo_one", params: {} }], result: { count: 1 }, request: null, response: null, calls: 1 };
      },
    });
  }

  it("lets an approver approve another member's request, and refuses a rejection without a reason", async () => {
    let items = [request(3, "pending", "bob"), request(2, "pending", "alice"), request(1, "rejected", "bob", { decided_by: "alice", reason: "wrong day" })];
    const calls = mockApprovals(() => items, "alice", true);
    const waiting: number[] = [];
    render(withToasts(<ApprovalsScreen onSeeHistory={() => undefined} onWaiting={(n) => waiting.push(n)} />));
    const rows = await screen.findAllByTestId("approval-row");
    expect(rows.map((r) => r.dataset.status)).toEqual(["pending", "pending", "rejected"]);
    expect(waiting).toEqual([1]);
    // Only another member's waiting request can be decided; my own cannot.
    expect(within(rows[0]).getByTestId("approval-approve")).toBeTruthy();
    expect(within(rows[1]).queryByTestId("approval-approve")).toBeNull();
    expect(within(rows[1]).getByText("Your request")).toBeTruthy();
    expect(within(rows[2]).getByTestId("approval-reason").textContent).toBe("Reason: wrong day");
    expect(rows[0].textContent).toContain("90000000139");
    // Reject without a reason: asked for one, nothing sent.
    fireEvent.click(within(rows[0]).getByTestId("approval-reject"));
    fireEvent.click(await screen.findByTestId("approval-reject-confirm"));
    expect(screen.getByTestId("approval-reason-missing")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "reject_request")).toBe(false);
    fireEvent.click(screen.getByTestId("approval-reject-cancel"));
    // Approve.
    items = [request(3, "approved", "bob", { decided_by: "alice" }), ...items.slice(1)];
    await act(async () => fireEvent.click(within(screen.getAllByTestId("approval-row")[0]).getByTestId("approval-approve")));
    expect(calls.find((c) => c.cmd === "approve_request")!.args).toEqual({ id: 3 });
    await waitFor(() => expect(screen.getAllByTestId("approval-row")[0].dataset.status).toBe("approved"));
    expect(waiting.at(-1)).toBe(0);
    expect(missingKeys.size).toBe(0);
  });

  it("sends a rejection with its reason", async () => {
    const calls = mockApprovals(() => [request(3, "pending", "bob")], "alice", true);
    render(<ApprovalsScreen onSeeHistory={() => undefined} />);
    fireEvent.click(await screen.findByTestId("approval-reject"));
    enterValue(await screen.findByTestId("approval-reject-reason"), "  not this week ");
    await act(async () => fireEvent.click(screen.getByTestId("approval-reject-confirm")));
    expect(calls.find((c) => c.cmd === "reject_request")!.args).toEqual({ id: 3, reason: "not this week" });
  });

  it("offers no Send now for an approval of an account edited since, and says why", async () => {
    const items = [
      request(6, "approved", "bob", { decided_by: "alice", account_changed: true }),
      request(5, "approved", "bob", { decided_by: "alice" }),
    ];
    mockApprovals(() => items, "bob", false);
    render(<ApprovalsScreen onSeeHistory={() => undefined} />);
    const rows = await screen.findAllByTestId("approval-row");
    expect(within(rows[0]).queryByTestId("approval-run")).toBeNull();
    expect(within(rows[0]).getByTestId("approval-account-changed").textContent).toContain("no longer covers");
    expect(within(rows[0]).getByTestId("approval-status").textContent).toBe("No longer valid");
    expect(within(rows[1]).getByTestId("approval-status").textContent).toBe("Approved");
    expect(within(rows[1]).getByTestId("approval-run")).toBeTruthy();
    expect(within(rows[1]).queryByTestId("approval-account-changed")).toBeNull();
    expect(missingKeys.size).toBe(0);
  });

  it("lets the requester send an approved request once and shows its result", async () => {
    let items = [request(5, "approved", "bob", { decided_by: "alice" })];
    const calls = mockApprovals(() => items, "bob", false);
    render(<ApprovalsScreen onSeeHistory={() => undefined} />);
    const run = await screen.findByTestId("approval-run");
    expect(screen.queryByTestId("approval-approve")).toBeNull();
    items = [request(5, "executed", "bob", { decided_by: "alice", executed_at_ms: 1_760_000_100_000 })];
    await act(async () => fireEvent.click(run));
    expect(calls.filter((c) => c.cmd === "run_approved").map((c) => c.args)).toEqual([{ id: 5 }]);
    await waitFor(() => expect(screen.getByTestId("approval-result").dataset.outcome).toBe("ok"));
    expect(screen.getByTestId("result-summary").textContent).toBe("1 callback resent");
    // Sent: no second run offered.
    expect(screen.queryByTestId("approval-run")).toBeNull();
    expect(screen.getByTestId("approval-status").dataset.status).toBe("executed");
  });
});

describe("An approved request the budget holds back", () => {
  it("says when it may go instead of offering to send it again at once, and offers it then", async () => {
    let held = true;
    const calls = mockBackend({
      on: (cmd) => {
        if (cmd === "approvals_list") return { me: "bob", can_decide: false, items: [request(5, "approved", "bob", { decided_by: "alice" })], waiting_for_me: 0 };
        if (cmd === "run_approved") {
          if (held) throw { code: "budget.wait", params: { next_allowed_at_ms: Date.now() + 1_500, wait_seconds: 2 }, detail: null };
          return { history_id: 42, outcome: "ok", http_status: 200, error: null, summary: [{ key: "result.cybavo_one", params: {} }], result: { count: 1 }, request: null, response: null, calls: 1 };
        }
      },
    });
    render(<ApprovalsScreen onSeeHistory={() => undefined} />);
    const run = await screen.findByTestId("approval-run");
    await act(async () => fireEvent.click(run));
    // Nothing was sent and the approval stands: the button says when the budget allows the request.
    expect(screen.getByTestId("approvals-error").textContent).toContain("Nothing was sent");
    const button = screen.getByTestId("approval-run") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toMatch(/^Possible in /);
    held = false;
    await waitFor(() => expect((screen.getByTestId("approval-run") as HTMLButtonElement).disabled).toBe(false), { timeout: 4_000 });
    expect(screen.getByTestId("approval-run").textContent).toBe("Send now");
    await act(async () => fireEvent.click(screen.getByTestId("approval-run")));
    expect(calls.filter((c) => c.cmd === "run_approved")).toHaveLength(2);
    await waitFor(() => expect(screen.getByTestId("approval-result").dataset.outcome).toBe("ok"));
    expect(missingKeys.size).toBe(0);
  });
});

describe("Approvals of a bulk job", () => {
  it("says what the whole job covers and that the requester resumes the job instead of sending one call", async () => {
    const job = { job: { calls: 3, calls_sha256: "ab", summary: { notification_id: [90000000002, 90000000003, 90000000004] } } };
    mockBackend({
      on: (cmd) => {
        if (cmd === "approvals_list")
          return { me: "bob", can_decide: false, items: [request(7, "approved", "bob", { params: job, reasons: ["account_policy"], decided_by: "alice" })], waiting_for_me: 0 };
      },
    });
    render(<ApprovalsScreen onSeeHistory={() => undefined} />);
    const row = await screen.findByTestId("approval-row");
    expect(row.textContent).toContain("Bulk job: 3 calls");
    expect(row.textContent).toContain("90000000002, 90000000003, 90000000004");
    expect(within(row).queryByTestId("approval-run")).toBeNull();
    expect(within(row).getByTestId("approval-resume-job").textContent).toContain("resume the job");
    expect(missingKeys.size).toBe(0);
  });
});

describe("Resend in a team workspace", () => {
  const acct: AccountView = makeAccount("cybavo", { id: 7, label: "Store BR", environment: "production", base_url: "https://sofa.example.com", fields: { wallet_id: 55743 } });
  function mockHeld(item: () => ApprovalItem) {
    return mockBackend({
      accounts: [acct],
      descriptors: PROVIDERS,
      events: true,
      on: (cmd) => {
        if (cmd === "preview_action") return { method: "POST", url: "https://sofa.example.com/x", headers: [], body: "{}" };
        if (cmd === "run_action") throw { code: "approval.awaiting", params: { approval_id: 12 }, detail: null };
        if (cmd === "approvals_list") return { me: "bob", can_decide: false, items: [item()], waiting_for_me: 0 };
      },
    });
  }
  async function resend() {
    enterValue(await screen.findByTestId("op-notification_id"), "90000000139");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await act(async () => fireEvent.click(await screen.findByTestId("confirm-send")));
  }

  it("says a resend held for approval is waiting, not failed nor sent, with the way to Approvals", async () => {
    const calls: Call[] = mockHeld(() => request(12, "pending", "bob"));
    let opened = 0;
    render(
      <ResendScreen accountId={7} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} onOpenApprovals={() => opened++} />,
    );
    await resend();
    const waiting = await screen.findByTestId("resend-awaiting");
    await waitFor(() => expect(calls.some((c) => c.cmd === "approvals_list")).toBe(true));
    expect(waiting.dataset.approvalId).toBe("12");
    expect(waiting.textContent).toContain("Waiting for approval #12");
    expect(screen.queryByTestId("resend-error")).toBeNull();
    expect(screen.queryByTestId("result-panel")).toBeNull();
    fireEvent.click(screen.getByTestId("resend-open-approvals"));
    expect(opened).toBe(1);
    expect(calls.filter((c) => c.cmd === "run_action")).toHaveLength(1);
    expect(waiting.dataset.status).toBe("pending");
    expect(missingKeys.size).toBe(0);
  });

  it("then says what became of the request: rejected, with the approver's reason", async () => {
    mockHeld(() => request(12, "rejected", "bob", { decided_by: "carol", reason: "wrong day" }));
    render(<ResendScreen accountId={7} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    await resend();
    await waitFor(() => expect(screen.getByTestId("resend-awaiting").dataset.status).toBe("rejected"));
    const panel = screen.getByTestId("resend-awaiting");
    expect(panel.textContent).toContain("Request #12");
    expect(panel.textContent).toContain("carol rejected it, so it will not be sent. Their reason: wrong day");
    expect(missingKeys.size).toBe(0);
  });

  it("says when the account was edited since: the request no longer covers it and cannot be sent", async () => {
    let edited = false;
    mockHeld(() => request(12, "approved", "bob", { decided_by: "carol", account_changed: edited }));
    render(<ResendScreen accountId={7} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    await resend();
    await waitFor(() => expect(screen.getByTestId("resend-awaiting").dataset.status).toBe("approved"));
    // An admin edits the account; at the app's next look at the workspace the window is told.
    edited = true;
    await act(async () => emit("approvals-changed", 0));
    await waitFor(() => expect(screen.getByTestId("resend-awaiting").dataset.status).toBe("account_changed"));
    const panel = screen.getByTestId("resend-awaiting");
    expect(panel.textContent).toContain("Request #12");
    expect(within(panel).getByTestId("approval-status").textContent).toBe("No longer valid");
    expect(panel.textContent).toContain("The account was edited after you asked, so this request no longer covers it and cannot be sent.");
    expect(missingKeys.size).toBe(0);
  });
});

describe("Sidebar and History in a team workspace", () => {
  it("offers Approvals only in a team, with the count of requests waiting for me", () => {
    const { rerender } = render(<Sidebar current="resend" onSelect={() => undefined} />);
    expect(screen.queryByTestId("nav-approvals")).toBeNull();
    rerender(<Sidebar current="resend" onSelect={() => undefined} team waiting={2} />);
    expect(screen.getByTestId("nav-approvals-waiting").textContent).toBe("2");
    expect(screen.getByTestId("nav-approvals-waiting").getAttribute("aria-label")).toBe("2 requests waiting for you");
    rerender(<Sidebar current="resend" onSelect={() => undefined} team waiting={0} />);
    expect(screen.getByTestId("nav-approvals")).toBeTruthy();
    expect(screen.queryByTestId("nav-approvals-waiting")).toBeNull();
  });

  it("shows the Member column when rows name their member", () => {
    const row = (id: number, member: string | null): HistoryRow & { member: string | null } => ({
      id, job_id: null, created_at_ms: 1_760_000_000_000, finished_at_ms: null, account_id: 7, account_label: "Store BR",
      provider: "cybavo", environment: "production", operation: "resend-withdrawal-callbacks", scope: "notification_id=1",
      scope_params: null, outcome: "ok", http_status: 200, provider_code: null, error: null, duration_ms: 3, member,
    });
    const props = { descriptors: PROVIDERS, selected: null, onSelect: () => undefined, onNearEnd: () => undefined };
    const { rerender } = render(<HistoryTable rows={[row(1, null)]} {...props} />);
    expect(screen.queryByTestId("history-member-col")).toBeNull();
    rerender(<HistoryTable rows={[row(2, "bob"), row(1, null)]} {...props} />);
    expect(screen.getByTestId("history-member-col").textContent).toBe("Member");
    expect(screen.getAllByTestId("history-member").map((c) => c.textContent)).toEqual(["bob", "—"]);
  });
});
