// A finance person's first day on Query and History: the ids not found are named, the provider's word on
// its deliveries is shown (or what its look-ups do not say), rows are resent together as paced jobs (one
// per resend operation), an empty answer says what to try next; History filters resends of one provider's
// operation over a quick date range, says what each action covered in words, exports a readable CSV by
// default with "Show in folder"; both screens keep their state for the session; the sidebar collapses and
// remembers it.
import { beforeEach, describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { changeLanguage, missingKeys } from "./i18n";
import { QueryScreen } from "./screens/Query";
import { HistoryScreen } from "./screens/History";
import { Sidebar } from "./components/Sidebar";
import type { HistoryRow } from "./api";
import { ACME, addAcmeCatalog } from "./test/acme";
import { PROVIDERS, account, mockBackend, setupEach, type Call, enterValue } from "./test/helpers";
import { dayPresetRange } from "./lib/historyfilter";
import { formatAmount } from "./lib/lookup";

setupEach();
beforeEach(() => {
  addAcmeCatalog();
  missingKeys.clear();
  window.localStorage.clear();
});

const noop = () => undefined;
const OK = (result: unknown, history_id = 5) => ({
  history_id, outcome: "ok", http_status: 200, error: null, summary: [], result, request: null,
  response: { status: 200, headers: [], body: "{}", elapsed_ms: 4 }, calls: 1,
});
const PLAN = (n: number) => ({ calls: Array.from({ length: n }, () => ({})), estimated_seconds: 60, days: 1, note: null });
const CYBAVO = account("cybavo", { id: 3, label: "Wallet 55743", fields: { wallet_id: 55743 } });
const ACME_ACCOUNT = account("acme", { id: 9, label: "Shop EU", fields: { region: "eu", merchant_id: "M-1" } });
const change = (testId: string, value: string) => enterValue(screen.getByTestId(testId), value);

/** A decoded CYBAVO callback as the core answers it. */
const callback = (serial: number, type: number, resend: string) => ({
  serial, type, state: 3, processing_state: 2, type_label: type === 2 ? "withdraw" : "deposit", state_label: "txid_in_chain",
  processing_state_label: "done", outcome: "succeeded", amount: "1", amount_units: "0.000001", currency: "ETH", time: 1_733_320_800,
  order_id: type === 2 ? `ORD-${serial}` : "", transaction: "0xabc #0", resend_operation: resend,
});

describe("Query", () => {
  it("names the serial numbers it did not find, says what CYBAVO's look-ups do not say, and resends the selected rows as one job per kind", async () => {
    const planned: Call[] = [];
    const calls = mockBackend({
      accounts: [CYBAVO],
      on: (cmd, args) => {
        if (cmd === "run_action")
          return OK({ notifications: [callback(90000000001, 1, "resend-deposit-callbacks"), callback(90000000002, 2, "resend-withdrawal-callbacks")] });
        if (cmd === "plan_job") {
          planned.push({ cmd, args });
          return PLAN(1);
        }
        if (cmd === "start_job") return 40 + planned.length;
        return undefined;
      },
    });
    render(<QueryScreen accountId={3} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    await screen.findByTestId("query-tab-query-callbacks");
    change("op-ids", "90000000001 90000000002 90000000003");
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    expect((await screen.findByTestId("query-count")).textContent).toBe("3 entered, 2 found");
    expect(screen.getByTestId("query-missing-ids").textContent).toBe("90000000003");
    expect(screen.getByTestId("query-missing").textContent).toContain("Not found (1):");
    // CYBAVO's look-ups do not say whether the merchant's server took a callback: no column pretends to.
    expect(screen.getByTestId("query-delivery-note").textContent).toContain("CYBAVO's look-ups do not say");
    expect(screen.queryByTestId("query-select-failed")).toBeNull();
    // The other ways to look it up are offered next to the ids not found.
    expect(screen.getByTestId("query-try-lookup-deposit").textContent).toBe("By transaction (txid)");

    expect(screen.getByTestId("query-selected-count").textContent).toBe("None selected");
    fireEvent.click(screen.getByTestId("query-select-all"));
    expect(screen.getByTestId("query-selected-count").textContent).toBe("2 selected");
    expect(screen.getByTestId("query-resend-groups").textContent).toContain("2 kinds");
    await act(async () => fireEvent.click(screen.getByTestId("query-resend-selected")));
    // One job per resend operation, each with its bulk list of serials, planned and confirmed first.
    for (const [i, [operation, serial]] of [["resend-deposit-callbacks", 90000000001], ["resend-withdrawal-callbacks", 90000000002]].entries()) {
      const dialog = await screen.findByTestId("plan-dialog");
      expect(planned[i].args.request).toEqual({ account_id: 3, operation, params: { serials: [serial] }, since: null, until: null, calls: null });
      fireEvent.click(within(dialog).getByTestId("plan-tick"));
      await act(async () => fireEvent.click(within(dialog).getByTestId("plan-start")));
    }
    await waitFor(() => expect(screen.queryByTestId("plan-dialog")).toBeNull());
    expect(calls.filter((c) => c.cmd === "start_job").map((c) => (c.args.request as { operation: string }).operation)).toEqual([
      "resend-deposit-callbacks", "resend-withdrawal-callbacks",
    ]);
    expect(screen.getByTestId("query-resend-started").textContent).toBe("Started 2 jobs: follow them in Jobs below.");
    expect([...missingKeys]).toEqual([]);
  });

  it("selects every row whose delivery failed when the provider's look-ups say so, and resends them together", async () => {
    const calls = mockBackend({
      accounts: [ACME_ACCOUNT],
      descriptors: [ACME, ...PROVIDERS],
      on: (cmd) =>
        cmd === "run_action"
          ? OK({
              events: [
                { event_id: "E-1", status: "delivered", tone: "succeeded", redeliver_with: "redeliver", delivery: "delivered" },
                { event_id: "E-2", status: "failed", tone: "failed", redeliver_with: "redeliver", delivery: "failed" },
                { event_id: "E-3", status: "failed", tone: "failed", redeliver_with: "redeliver", delivery: "failed" },
              ],
            })
          : cmd === "plan_job"
            ? PLAN(2)
            : cmd === "start_job"
              ? 77
              : undefined,
    });
    render(<QueryScreen accountId={9} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    change(await screen.findByTestId("op-event_ids").then(() => "op-event_ids"), "E-1 E-2");
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    await screen.findByTestId("query-table");
    expect(screen.getAllByTestId("query-delivery").map((c) => c.textContent)).toEqual(["Yes", "No — delivery failed", "No — delivery failed"]);
    fireEvent.click(screen.getByTestId("query-select-failed"));
    expect(screen.getAllByTestId("query-select").map((c) => (c as HTMLInputElement).checked)).toEqual([false, true, true]);
    expect(screen.getByTestId("query-resend-selected").textContent).toBe("Resend 2 callbacks as one job…");
    await act(async () => fireEvent.click(screen.getByTestId("query-resend-selected")));
    fireEvent.click(await screen.findByTestId("plan-tick"));
    await act(async () => fireEvent.click(screen.getByTestId("plan-start")));
    expect(calls.find((c) => c.cmd === "start_job")!.args.request).toEqual({
      account_id: 9, operation: "redeliver", params: { event_ids: ["E-2", "E-3"] }, since: null, until: null, calls: null,
    });
    expect(screen.getByTestId("query-resend-started").textContent).toBe("Started 1 job: follow it in Jobs below.");
  });

  it("lists the serial numbers a job did not find in the app, not only in the file", async () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({
      id: String(90000000001 + i), call: Math.floor(i / 100) + 1, outcome: i < 60 ? "ok" : "not_found", http_status: 200, provider_code: null,
      error: null, history_id: 1, callback: i < 60 ? callback(90000000001 + i, 1, "resend-deposit-callbacks") : null,
    }));
    mockBackend({
      accounts: [CYBAVO],
      jobs: () => [{
        id: 31, account_id: 3, account_label: "Wallet 55743", provider: "cybavo", operation: "query-callbacks", state: "done", total: 3,
        next_index: 3, ok: 3, failed: 0, unknown: 0, throttled: 0, last_error: null, created_at_ms: 0, updated_at_ms: 0, runner_pid: null,
      }],
      on: (cmd) =>
        cmd === "start_job" ? 31
          : cmd === "job_results" ? { operation: "query-callbacks", total: 250, ok: 60, not_found: 190, failed: 0, unknown: 0, not_sent: 0, rows }
            : undefined,
    });
    render(<QueryScreen accountId={3} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    change(await screen.findByTestId("op-ids").then(() => "op-ids"), rows.map((r) => r.id).join(" "));
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    const list = await screen.findByTestId("query-missing-ids");
    expect(screen.getByTestId("query-missing").textContent).toContain("Not found (190):");
    expect(list.textContent).toContain("90000000061, 90000000062");
    expect(list.textContent).toContain("90000000250");
  });

  it("says what to try when nothing matched, and keeps the form and the results when the screen is left", async () => {
    const seen: number[] = [];
    mockBackend({ accounts: [CYBAVO], on: (cmd) => (cmd === "run_action" ? OK({ notifications: [] }) : undefined) });
    const view = render(
      <QueryScreen accountId={3} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} onSeeResends={(id) => seen.push(id)} />,
    );
    fireEvent.click(await screen.findByTestId("query-tab-list-callbacks"));
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    const help = await screen.findByTestId("query-no-match");
    expect(help.textContent).toContain("No callback matched.");
    expect(help.textContent).toContain("History lists every resend made from here");
    expect(screen.getByTestId("query-try-query-callbacks")).toBeTruthy();
    fireEvent.click(screen.getByTestId("query-see-resends"));
    expect(seen).toEqual([3]);

    // Away and back: the same tab, its values and the answer.
    view.unmount();
    render(<QueryScreen accountId={3} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    expect((await screen.findByTestId("query-tab-list-callbacks")).getAttribute("aria-selected")).toBe("true");
    expect(screen.getByTestId("query-no-match")).toBeTruthy();
  });
});

describe("Amounts", () => {
  it("are written as the window's language writes numbers, digit for digit", () => {
    expect(formatAmount("2500.5", "pt-BR")).toBe("2.500,5");
    expect(formatAmount("0.000000000000000001", "pt-BR")).toBe("0,000000000000000001");
    expect(formatAmount("12345678901234567890.25", "en")).toBe("12,345,678,901,234,567,890.25");
    expect(formatAmount("1.5", "zh-CN")).toBe("1.5");
    expect(formatAmount("-3", "pt-BR")).toBe("-3");
    expect(formatAmount("1e5", "pt-BR")).toBe("1e5");
  });

  it("read in the Query table in Portuguese as “2.500,5”", async () => {
    await act(async () => changeLanguage("pt-BR"));
    try {
      mockBackend({
        accounts: [CYBAVO],
        on: (cmd) => (cmd === "run_action" ? OK({ notifications: [{ ...callback(90000000001, 1, "resend-deposit-callbacks"), amount_units: "2500.5" }] }) : undefined),
      });
      render(<QueryScreen accountId={3} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
      await screen.findByTestId("query-tab-query-callbacks");
      change("op-ids", "90000000001");
      await act(async () => fireEvent.click(screen.getByTestId("query-run")));
      const row = await screen.findByTestId("query-row");
      expect(row.textContent).toContain("2.500,5");
      expect(row.textContent).not.toContain("2500.5");
    } finally {
      await act(async () => changeLanguage("en"));
    }
  });
});

describe("History", () => {
  const ROW: HistoryRow = {
    id: 12, job_id: null, created_at_ms: Date.UTC(2024, 11, 4, 14, 0, 5), finished_at_ms: null, account_id: 4, account_label: "Treasury",
    provider: "ceffu", environment: "production", operation: "resend-webhooks",
    scope: "webhookId=1721442311151521794, eventType=4, resendFromDateTime=1733320800000",
    scope_params: [
      { name: "webhookId", value: "1721442311151521794", more: 0, broad: false, cut: false },
      { name: "eventType", value: "4", more: 0, broad: false, cut: false },
      { name: "resendFromDateTime", value: 1733320800000, more: 0, broad: false, cut: false },
    ],
    outcome: "failed", http_status: 200, provider_code: "G20005", error: null, duration_ms: 80,
  };
  const TREASURY = account("ceffu", { id: 4, label: "Treasury" });

  it("filters one account's resends of last week, one provider's operation by name, and says the scope in words", async () => {
    const calls = mockBackend({
      accounts: [TREASURY, CYBAVO],
      on: (cmd) => (cmd === "history_page" ? { rows: [ROW], next_cursor: null } : cmd === "history_count" ? 1 : undefined),
    });
    const now = Date.UTC(2024, 11, 11, 12, 0, 0); // a Wednesday
    render(<HistoryScreen focus={null} onRepeat={noop} now={() => now} />);
    const scope = await screen.findByTestId("history-scope");
    expect(scope.textContent).toContain("Event type: Withdrawal failed");
    expect(scope.textContent).toContain("Webhook endpoint ID: 172144…1794");
    expect(scope.getAttribute("title")).toContain("Webhook endpoint ID: 1721442311151521794");
    // What matters first, nothing that needs scrolling sideways.
    expect([...screen.getByTestId("history-table").querySelectorAll("th")].map((h) => h.textContent)).toEqual([
      "Time", "Outcome", "Account", "Action", "What it covered",
    ]);
    // Operations are named per provider: CCPayment's resend is there, apart from Ceffu's of the same name.
    const ops = [...(screen.getByTestId("filter-operation") as HTMLSelectElement).options].map((o) => [o.value, o.textContent]);
    expect(ops).toContainEqual(["ccpayment/resend-webhooks", "Resend webhooks in a time window · CCPayment"]);
    expect(ops).toContainEqual(["ceffu/resend-webhooks", "Resend failed webhooks · Ceffu"]);
    const last = () => calls.filter((c) => c.cmd === "history_page").pop()!.args.filter as Record<string, unknown>;
    change("filter-operation", "ccpayment/resend-webhooks");
    await waitFor(() => expect(last()).toMatchObject({ provider: "ccpayment", operation: "resend-webhooks", kind: null }));
    change("filter-operation", "");
    change("filter-provider", "");
    change("filter-account", "4");
    fireEvent.click(screen.getByTestId("filter-resends"));
    fireEvent.click(await screen.findByTestId("filter-dates-preset-last_week", {}, { timeout: 15_000 }));
    const week = dayPresetRange("last_week", now, "local");
    await waitFor(() =>
      expect(last()).toMatchObject({ account_id: 4, kind: "resend", provider: null, operation: null, from_ms: week.from, to_ms: week.to }),
    );
    expect(new Date(week.from).getDay()).toBe(1);
    expect(week.to - week.from).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    expect([...missingKeys]).toEqual([]);
  });

  it("writes the scope's labels with the colon each language uses", async () => {
    mockBackend({
      accounts: [TREASURY],
      on: (cmd) => (cmd === "history_page" ? { rows: [ROW], next_cursor: null } : cmd === "history_count" ? 1 : undefined),
    });
    await act(async () => changeLanguage("zh-CN"));
    try {
      render(<HistoryScreen focus={null} onRepeat={noop} />);
      const scope = await screen.findByTestId("history-scope");
      expect(scope.textContent).toContain("Webhook 端点 ID：172144…1794");
      expect(scope.textContent).not.toMatch(/: /);
      expect(scope.getAttribute("title")).toContain("Webhook 端点 ID：1721442311151521794");
    } finally {
      await act(async () => changeLanguage("en"));
    }
  });

  it("does not send the user back to History from an unknown outcome shown in History", async () => {
    const unknown = { ...ROW, outcome: "unknown" as const, http_status: null, provider_code: null,
      error: { code: "network.timeout", params: {}, detail: null } };
    mockBackend({
      accounts: [TREASURY],
      on: (cmd) =>
        cmd === "history_page" ? { rows: [unknown], next_cursor: null }
        : cmd === "history_count" ? 1
        : cmd === "history_get" ? { ...unknown, search_text: "", request: { method: "POST", url: "https://x.example/", headers: [], body: "{}" }, response: null }
        : undefined,
    });
    render(<HistoryScreen focus={null} onRepeat={noop} />);
    fireEvent.click(await screen.findByTestId("history-row"));
    const error = await screen.findByTestId("drawer-error");
    expect(error.textContent).toBe("No answer arrived in time, so whether the provider acted on this request is unknown.");
    // The next step is one the user can take from here.
    expect(screen.getByTestId("drawer-unknown-resend").textContent).toContain("server's logs");
    expect([...missingKeys]).toEqual([]);
  });

  it("exports a readable CSV by default where the user chooses, offers Show in folder, and keeps the filters when the screen is left", async () => {
    const calls = mockBackend({
      accounts: [TREASURY],
      on: (cmd) =>
        cmd === "history_page" ? { rows: [ROW], next_cursor: null }
          : cmd === "history_count" ? 1
            : cmd === "history_export_csv" ? { path: "/home/u/audit.csv", rows: 1 }
              : cmd === "show_in_folder" ? null
                : undefined,
    });
    const view = render(<HistoryScreen focus={null} onRepeat={noop} />);
    await screen.findByTestId("history-row");
    fireEvent.click(screen.getByTestId("filter-resends"));
    await act(async () => fireEvent.click(screen.getByTestId("history-export")));
    const exported = calls.find((c) => c.cmd === "history_export_csv")!;
    expect(exported.args.options).toEqual({ readable: true, language: "en", zone: "local" });
    expect((exported.args.filter as Record<string, unknown>).kind).toBe("resend");
    expect(screen.getByTestId("export-done").textContent).toContain("Saved 1 action to /home/u/audit.csv");
    await act(async () => fireEvent.click(screen.getByTestId("export-show-folder")));
    expect(calls.find((c) => c.cmd === "show_in_folder")!.args).toEqual({ path: "/home/u/audit.csv" });
    await act(async () => fireEvent.click(screen.getByTestId("history-export-technical")));
    expect(calls.filter((c) => c.cmd === "history_export_csv")[1].args.options).toMatchObject({ readable: false });

    view.unmount();
    render(<HistoryScreen focus={null} onRepeat={noop} />);
    expect(((await screen.findByTestId("filter-resends")) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId("export-done")).toBeTruthy();
  });

  it("says nothing was saved when the Save dialog is cancelled", async () => {
    mockBackend({
      accounts: [TREASURY],
      on: (cmd) => (cmd === "history_page" ? { rows: [ROW], next_cursor: null } : cmd === "history_count" ? 1 : cmd === "history_export_csv" ? null : undefined),
    });
    render(<HistoryScreen focus={null} onRepeat={noop} />);
    await screen.findByTestId("history-row");
    await act(async () => fireEvent.click(screen.getByTestId("history-export")));
    expect(screen.queryByTestId("export-done")).toBeNull();
    expect(screen.queryByTestId("export-error")).toBeNull();
  });
});

describe("Sidebar", () => {
  it("collapses to its icons and remembers it", () => {
    const view = render(<Sidebar current="history" onSelect={noop} />);
    expect(screen.getByTestId("sidebar").dataset.collapsed).toBe("false");
    fireEvent.click(screen.getByTestId("sidebar-toggle"));
    expect(screen.getByTestId("sidebar").dataset.collapsed).toBe("true");
    expect(screen.getByTestId("nav-history").getAttribute("title")).toBe("History (Ctrl+3)");
    view.unmount();
    render(<Sidebar current="history" onSelect={noop} />);
    expect(screen.getByTestId("sidebar").dataset.collapsed).toBe("true");
  });
});
