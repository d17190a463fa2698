// A provider the UI has never heard of ("Acme Pay", test/acme.ts) is drawn and behaves like the registered
// ones on every screen: forms, confirmations, bulk plans, look-ups, accounts, jobs and history all come
// from its descriptor and its catalog lines. This is what "the UI names no provider" means.
import { beforeEach, describe, expect, it } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { missingKeys } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { QueryScreen } from "./screens/Query";
import { HistoryScreen } from "./screens/History";
import { AccountsScreen } from "./screens/Accounts";
import { AccountForm } from "./components/AccountForm";
import { JobsPanel } from "./components/bulk/JobsPanel";
import { paramsFromRecorded } from "./lib/params";
import { formatLocal } from "./lib/time";
import type { HistoryRow } from "./api";
import { ACME, addAcmeCatalog } from "./test/acme";
import { PROVIDERS, account, formField, job, mockBackend, op, operation, setupEach, type Call, enterValue, DATE_FIELD_WAIT } from "./test/helpers";
import { strongReasons } from "./lib/confirm";
import { OperationChoice } from "./components/resend/OperationChoice";

setupEach();
beforeEach(() => {
  addAcmeCatalog();
  missingKeys.clear();
});

const DESCRIPTORS = [ACME, ...PROVIDERS];
const ACCOUNT = account("acme", {
  id: 9, label: "Shop EU", base_url: "https://eu.acme.example/api", fields: { region: "eu", merchant_id: "M-1" },
  secrets: [{ name: "api_token", set: true, needs_reentry: false }],
});
const noop = () => undefined;
const OK = (result: unknown) => ({
  history_id: 5, outcome: "ok", http_status: 200, error: null, summary: [], result, request: null,
  response: { status: 200, headers: [], body: "{}", elapsed_ms: 4 }, calls: 1,
});
const PREVIEW = { method: "POST", url: "https://eu.acme.example/api/replay", headers: [], body: "{}" };

function backend(on: (cmd: string, args: Record<string, unknown>) => unknown = noop, accounts = [ACCOUNT]): Call[] {
  return mockBackend({ accounts, descriptors: DESCRIPTORS, on: (cmd, args) => on(cmd, args) ?? (cmd === "preview_action" ? PREVIEW : undefined) });
}

const renderResend = () =>
  render(<ResendScreen accountId={ACCOUNT.id} onAccount={noop} intent={null} onGoToAccounts={noop} onSeeHistory={noop} />);
const change = (testId: string, value: string) => enterValue(screen.getByTestId(testId), value);
const optionTexts = (testId: string) => [...(screen.getByTestId(testId) as HTMLSelectElement).options].map((o) => o.textContent);

describe("Resend with a provider the UI does not know", () => {
  it("offers its operations, fields, choices and documented limit", async () => {
    backend();
    renderResend();
    expect((await screen.findByTestId("op-choice-replay-events")).textContent).toContain("Replay events");
    expect(screen.getByTestId("op-choice-redeliver").textContent).toContain("Redeliver one event");
    expect(screen.getByTestId("account-summary").textContent).toContain("Acme Pay");
    expect(optionTexts("op-channel")).toEqual(["Cards", "Bank transfers", "Wallets"]);
    expect(optionTexts("op-scope")).toEqual(["Only failed events", "Every event, delivered or not"]);
    expect(screen.queryByTestId("rate-limit")).toBeNull();
    fireEvent.click(screen.getByTestId("op-choice-redeliver").querySelector("input")!);
    expect(screen.getByTestId("rate-limit").textContent).toBe("Provider limit: 10 per minute");
    expect([...missingKeys]).toEqual([]);
  });

  it("sends the choices ticked in a choice list, in the order of its choices, and reads them back for Repeat", async () => {
    const calls = backend((cmd) => (cmd === "run_action" ? OK({}) : undefined));
    renderResend();
    fireEvent.click((await screen.findByTestId("op-choice-redeliver")).querySelector("input")!);
    change("op-event_id", "E-9");
    expect(within(screen.getByTestId("op-kinds")).getAllByRole("checkbox").map((c) => c.parentElement!.textContent)).toEqual(["Created", "Paid", "Refunded"]);
    fireEvent.click(screen.getByTestId("op-kinds-refunded"));
    fireEvent.click(screen.getByTestId("op-kinds-created"));
    fireEvent.click(screen.getByTestId("op-kinds-paid"));
    fireEvent.click(screen.getByTestId("op-kinds-paid"));
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await act(async () => fireEvent.click(await screen.findByTestId("confirm-send")));
    await waitFor(() => expect(calls.some((c) => c.cmd === "run_action")).toBe(true));
    const run = calls.find((c) => c.cmd === "run_action")!;
    expect((run.args.request as { params: unknown }).params).toEqual({ event_id: "E-9", kinds: ["created", "refunded"] });
    const redeliver = ACME.operations.find((o) => o.name === "redeliver")!;
    const url = "https://eu.acme.example/api/events/redeliver/E-9?kinds=created&kinds=refunded";
    expect(paramsFromRecorded(redeliver.fields, { url, body: "" })).toEqual({ event_id: "E-9", kinds: ["created", "refunded"] });
    expect([...missingKeys]).toEqual([]);
  });

  it("follows a replay the provider runs as a job of its own until it finishes, each look a look-up of its own", async () => {
    const looks = [
      { state: "queued", done: 0, total: 3 },
      { state: "running", done: 1, total: 3 },
      { state: "done", done: 3, total: 3 },
    ];
    const calls = backend((cmd, args) => {
      if (cmd !== "run_action") return undefined;
      const req = args.request as { operation: string };
      return req.operation === "replay-events" ? OK({ job_id: "J-7", total: 3 }) : OK(looks.shift());
    });
    renderResend();
    await screen.findByTestId("op-merchant_ref");
    change("op-merchant_ref", "R-1");
    fireEvent.click(await screen.findByTestId("op-from-preset-hour_ago", {}, DATE_FIELD_WAIT));
    change("op-channel", "card");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await act(async () => fireEvent.click(await screen.findByTestId("confirm-send")));
    const panel = await screen.findByTestId("follow-panel");
    expect(panel.textContent).toContain("Provider job J-7");
    await waitFor(() => expect(panel.dataset.finished).toBe("true"), { timeout: 4000 });
    expect(screen.getByTestId("follow-state").textContent).toBe("Replayed");
    expect(screen.getByTestId("follow-progress").textContent).toBe("3 of 3 done. Finished.");
    const polls = calls.filter((c) => (c.args.request as { operation?: string })?.operation === "replay-status");
    expect(polls.map((c) => c.args.request)).toEqual(Array(3).fill({ account_id: 9, operation: "replay-status", params: { job_id: "J-7" } }));
    expect(screen.queryByTestId("follow-again")).toBeNull();
    expect([...missingKeys]).toEqual([]);
  });

  it("stops following on an error and looks again when asked", async () => {
    let fail = true;
    const calls = backend((cmd, args) => {
      if (cmd !== "run_action") return undefined;
      const req = args.request as { operation: string };
      if (req.operation === "replay-events") return OK({ job_id: "J-8" });
      if (fail) {
        fail = false;
        return { ...OK(null), outcome: "failed", http_status: 404, error: { code: "provider.not_found", params: {}, detail: "no such job" } };
      }
      return OK({ state: "failed", done: 1, total: 2 });
    });
    renderResend();
    await screen.findByTestId("op-merchant_ref");
    change("op-merchant_ref", "R-2");
    fireEvent.click(await screen.findByTestId("op-from-preset-hour_ago", {}, DATE_FIELD_WAIT));
    change("op-channel", "card");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await act(async () => fireEvent.click(await screen.findByTestId("confirm-send")));
    expect((await screen.findByTestId("follow-error")).dataset.code).toBe("provider.not_found");
    await act(async () => fireEvent.click(screen.getByTestId("follow-again")));
    await waitFor(() => expect(screen.getByTestId("follow-panel").dataset.finished).toBe("true"));
    expect(screen.getByTestId("follow-state").textContent).toBe("Stopped");
    expect(screen.getByTestId("follow-progress").textContent).toBe("1 of 2 done. The provider stopped this job without finishing it.");
    expect(calls.filter((c) => (c.args.request as { operation?: string })?.operation === "replay-status")).toHaveLength(2);
  });

  it("says which operations the provider is retiring", () => {
    const ops = [op("acme", "replay-events", "resend", []), op("acme", "redeliver", "resend", [], { deprecated: true })];
    render(<OperationChoice ops={ops} op={ops[0]} onSelect={noop} />);
    expect(within(screen.getByTestId("op-choice-redeliver")).getByTestId("op-deprecated").textContent).toBe("Being retired");
    expect(within(screen.getByTestId("op-choice-replay-events")).queryByTestId("op-deprecated")).toBeNull();
    cleanup();
    render(<OperationChoice ops={[ops[1]]} op={ops[1]} onSelect={noop} />);
    expect(screen.getByTestId("op-title").textContent).toBe("Redeliver one event Being retired");
    expect([...missingKeys]).toEqual([]);
  });

  it("always asks for the stronger confirmation of an operation that resends everything of a kind", () => {
    const everything = op("acme", "replay-all", "resend", [], { confirm: [{ kind: "always", reason: "acme_all" }] });
    expect(strongReasons({ environment: "sandbox" }, everything, {}, 0).reasons).toEqual([{ reason: "acme_all", ask: "tick_many" }]);
    expect(strongReasons({ environment: "production" }, everything, {}, 0).reasons).toEqual([
      { reason: "production", ask: "read" },
      { reason: "acme_all", ask: "tick_many" },
    ]);
  });

  it("confirms as its rules say: a broad value, a start far back, and a filled field with a tick of its own", async () => {
    const calls = backend((cmd) => (cmd === "run_action" ? OK({}) : undefined));
    renderResend();
    await screen.findByTestId("op-merchant_ref");
    change("op-merchant_ref", "R-1");
    // A day back (the date field's quick choice): further back than the operation's 2-hour rule.
    // A quick choice is a whole minute: a day back, to the minute.
    const from = Math.floor((Date.now() - 86_400_000) / 60_000) * 60;
    fireEvent.click(await screen.findByTestId("op-from-preset-day_ago", {}, DATE_FIELD_WAIT));
    change("op-scope", "everything");
    change("op-channel", "bank");
    change("op-notify_url", "https://hooks.example.com/a");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await screen.findByTestId("confirm-dialog");
    expect(screen.getByTestId("confirm-level").dataset.level).toBe("strong");
    expect(screen.getByTestId("confirm-reason-broad_value")).toBeTruthy();
    expect(screen.getByTestId("confirm-reason-acme_far_back").textContent).toBe("This replay reaches back more than 2 hours.");
    expect(screen.getByTestId("confirm-reason-acme_notify").textContent).toBe("Acme sends this event to another address.");
    const scope = screen.getByTestId("confirm-scope").textContent!;
    expect(scope).toContain("Which events: Every event, delivered or not");
    expect(scope).toContain("Channel: Bank transfers");
    expect(screen.queryByTestId("confirm-typed")).toBeNull();
    const send = screen.getByTestId("confirm-send") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.click(screen.getByTestId("confirm-tick"));
    expect(send.disabled).toBe(true);
    expect(screen.getByTestId("confirm-tick-acme_notify-label").textContent).toBe("That address is ours.");
    fireEvent.click(screen.getByTestId("confirm-tick-acme_notify"));
    expect(send.disabled).toBe(false);
    await act(async () => fireEvent.click(send));
    await waitFor(() => expect(screen.getByTestId("result-summary").textContent).toBe("Done"));
    const run = calls.find((c) => c.cmd === "run_action")!.args.request as { operation: string; params: Record<string, unknown> };
    expect(run.operation).toBe("replay-events");
    expect(run.params).toEqual({
      merchant_ref: "R-1", from: expect.toSatisfy((v: number) => v % 60 === 0 && Math.abs(v - from) <= 60) as unknown as number, scope: "everything", channel: "bank",
      notify_url: "https://hooks.example.com/a",
    });
    expect([...missingKeys]).toEqual([]);
  });

  it("plans a window split per call with one call per value ticked, without the fields the bulk form owns", async () => {
    const calls = backend((cmd) =>
      cmd === "plan_job" ? { account_id: 9, operation: "replay-events", calls: [{ params: {} }], estimated_seconds: 0, days: 1, note: null } : undefined,
    );
    renderResend();
    fireEvent.click((await screen.findByTestId("mode-bulk")).querySelector("input")!);
    expect(screen.getByTestId("mode-bulk").textContent).toContain("Replay a period, per channel");
    expect(screen.getByTestId("mode-bulk").textContent).toContain("Half-hour requests, one per channel.");
    expect(screen.queryByTestId("field-from")).toBeNull();
    expect(screen.queryByTestId("field-channel")).toBeNull();
    expect(screen.getByTestId("bulk-fields").textContent).toContain("Acme takes at most 30 minutes per request.");
    const boxes = ["card", "bank", "wallet"].map((c) => screen.getByTestId(`bulk-each-${c}`) as HTMLInputElement);
    expect(boxes.map((b) => b.checked)).toEqual([true, true, true]);
    expect(boxes[1].closest("label")!.textContent).toBe("Bank transfers");
    change("op-merchant_ref", "R-1");
    // No window is assumed: the plan asks for one first.
    fireEvent.click(screen.getByTestId("bulk-plan"));
    expect((await screen.findByTestId("bulk-error")).textContent).toBe(
      "Choose when the window starts: type a date and time, or pick a quick choice or the hours of an outage.",
    );
    fireEvent.click(await screen.findByTestId("bulk-window-preset-last_hour", {}, DATE_FIELD_WAIT));
    boxes.forEach((b) => fireEvent.click(b));
    fireEvent.click(screen.getByTestId("bulk-plan"));
    expect((await screen.findByTestId("bulk-error")).textContent).toBe("Tick at least one channel.");
    expect(calls.some((c) => c.cmd === "plan_job")).toBe(false);
    fireEvent.click(screen.getByTestId("bulk-each-bank"));
    await act(async () => fireEvent.click(screen.getByTestId("bulk-plan")));
    await screen.findByTestId("plan-dialog");
    const req = calls.find((c) => c.cmd === "plan_job")!.args.request as { operation: string; params: unknown; since: number; until: number };
    expect(req.operation).toBe("replay-events");
    // The scope shown (its default, "failed") is sent as shown.
    expect(req.params).toEqual({ merchant_ref: "R-1", scope: "failed", channels: ["bank"] });
    expect(req.until - req.since).toBeGreaterThanOrEqual(3600);
    expect(req.until - req.since).toBeLessThan(3660);
    expect(screen.getByTestId("plan-account").textContent).toBe("Shop EU · Acme Pay");
    expect([...missingKeys]).toEqual([]);
  });

  it("plans everything the provider's one call covers, or the pasted list of ids", async () => {
    const plans: unknown[] = [];
    backend((cmd, args) => {
      if (cmd !== "plan_job") return undefined;
      plans.push((args.request as { params: unknown }).params);
      return { account_id: 9, operation: "redeliver", calls: [{ params: {} }], estimated_seconds: 0, days: 1, note: null };
    });
    renderResend();
    fireEvent.click((await screen.findByTestId("op-choice-redeliver")).querySelector("input")!);
    fireEvent.click(screen.getByTestId("mode-bulk").querySelector("input")!);
    expect(screen.getByTestId("mode-bulk").textContent).toContain("Redeliver many events");
    const all = screen.getByTestId("bulk-ids-all") as HTMLInputElement;
    expect(all.checked).toBe(true);
    expect(all.closest("label")!.textContent).toBe("Every undelivered event (one request)");
    await act(async () => fireEvent.click(screen.getByTestId("bulk-plan")));
    await screen.findByTestId("plan-dialog");
    fireEvent.click(screen.getByTestId("plan-cancel"));
    fireEvent.click(screen.getByTestId("bulk-ids-list"));
    expect(screen.getByTestId("bulk-ids-list").closest("label")!.textContent).toBe("These event IDs");
    fireEvent.click(screen.getByTestId("bulk-plan"));
    expect((await screen.findByTestId("bulk-error")).textContent).toBe("Paste at least one event ID.");
    change("bulk-list", "E-1, E-2\nE-2");
    expect(screen.getByTestId("bulk-list-count").textContent).toBe("2 entered");
    await act(async () => fireEvent.click(screen.getByTestId("bulk-plan")));
    await screen.findByTestId("plan-dialog");
    expect(plans).toEqual([{}, { event_ids: ["E-1", "E-2", "E-2"] }]);
    expect([...missingKeys]).toEqual([]);
  });

  it("refuses a value of a shape the field refuses, at the field, in the provider's words, before anything is sent", async () => {
    const calls = backend();
    renderResend();
    fireEvent.click((await screen.findByTestId("op-choice-redeliver")).querySelector("input")!);
    change("op-event_id", " tmp-42 ");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    expect(screen.getByTestId("form-error-event_id").textContent).toBe(
      "Acme cannot redeliver an event by its temporary ID (tmp-…): use the event ID.",
    );
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    expect(calls.some((c) => c.cmd === "preview_action" || c.cmd === "run_action")).toBe(false);
    change("op-event_id", "tmp-42x");
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    expect(screen.queryByTestId("form-error-event_id")).toBeNull();
    expect(calls.find((c) => c.cmd === "preview_action")!.args.request).toEqual({ account_id: 9, operation: "redeliver", params: { event_id: "tmp-42x" } });
    expect([...missingKeys]).toEqual([]);
  });
});

describe("A field another field stands in for", () => {
  it("is required until that field is filled, and says so", async () => {
    const calls = backend();
    renderResend();
    fireEvent.click((await screen.findByTestId("op-choice-redeliver")).querySelector("input")!);
    const label = () => screen.getByTestId("field-event_id").querySelector(".field-label")!.textContent;
    expect(label()).toBe("Event ID");
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    expect(screen.getByTestId("form-error-event_id").textContent).toBe("Fill in this field.");
    change("op-event_ref", "REF-7");
    expect(label()).toBe("Event ID (optional)");
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    expect(screen.queryByTestId("form-error-event_id")).toBeNull();
    expect(calls.find((c) => c.cmd === "preview_action")!.args.request).toEqual({ account_id: 9, operation: "redeliver", params: { event_ref: "REF-7" } });
    expect([...missingKeys]).toEqual([]);
  });
});

describe("A provider's checks beside the resends", () => {
  it("are offered as secondary actions, run without asking anything, and answer in the provider's words", async () => {
    const calls = backend((cmd) =>
      cmd === "run_action"
        ? { ...OK({ status: 404 }), summary: [{ key: "result.acme_endpoint_answered", params: { status: "404", body: "no route" } }] }
        : undefined,
    );
    renderResend();
    const button = await screen.findByTestId("probe-ping-endpoint");
    expect(screen.getByTestId("probe-actions").textContent).toBe("Before resending:Ping my endpoint");
    expect(button.title).toBe("Acme calls your endpoint and says what it answered.");
    expect(screen.queryByTestId("field-ping_id")).toBeNull();
    await act(async () => fireEvent.click(button));
    const panel = await screen.findByTestId("probe-result");
    expect(within(panel).getByTestId("result-summary").textContent).toBe("Your server answered HTTP 404: no route");
    expect(calls.filter((c) => c.cmd === "run_action").map((c) => c.args.request)).toEqual([{ account_id: 9, operation: "ping-endpoint", params: {} }]);
    // The resend form is untouched and has no result of its own.
    expect(screen.queryByTestId("result-panel")).toBeNull();
    expect(screen.getByTestId("op-choice-replay-events")).toBeTruthy();
    expect([...missingKeys]).toEqual([]);
  });
});

describe("Query with a provider the UI does not know", () => {
  const AT = Date.UTC(2025, 0, 2, 3, 4, 5);
  const EVENTS = {
    events: [
      { event_id: "E-1", status: "delivered", tone: "succeeded", amount: "12.50", at_ms: AT, redeliver_with: "redeliver", delivery: "delivered" },
      { event_id: "E-2", status: "failed", tone: "failed", amount_minor: "990", amount: "9.90", redeliver_with: "redeliver", delivery: "failed" },
      { event_id: "E-3", amount: "", tone: "pending" },
    ],
  };

  it("has a tab per look-up, shows the columns of its shape, and resends a row as the shape says", async () => {
    const resends: unknown[] = [];
    const calls = backend((cmd) => (cmd === "run_action" ? OK(EVENTS) : undefined));
    render(<QueryScreen accountId={ACCOUNT.id} onAccount={noop} onGoToAccounts={noop} onResend={(i) => resends.push(i)} onSeeHistory={noop} />);
    expect((await screen.findByTestId("query-tab-find-events")).textContent).toBe("By event ID");
    expect(screen.getByTestId("query-tab-events-since").textContent).toBe("Since a moment");
    change("op-event_ids", "E-1 E-2");
    expect(screen.queryByTestId("query-job-note")).toBeNull();
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    await waitFor(() => expect(screen.getByTestId("query-count").textContent).toBe("Events found: 3"));
    expect(calls.find((c) => c.cmd === "run_action")!.args.request).toEqual({ account_id: 9, operation: "find-events", params: { event_ids: ["E-1", "E-2"] } });
    const table = screen.getByTestId("query-table");
    // The columns that matter first, whether the provider delivered each row, then the row's actions; the
    // others are in the row's details.
    expect([...table.querySelectorAll("th")].map((h) => h.textContent)).toEqual(["", "", "Event", "Status", "Amount", "Delivered to your server?", ""]);
    const rows = screen.getAllByTestId("query-row");
    expect(rows.map((r) => r.dataset.rowId)).toEqual(["E-1", "E-2", "E-3"]);
    const cells = (r: HTMLElement) => [...r.querySelectorAll("td")].slice(2, 6).map((c) => c.textContent);
    expect(cells(rows[0])).toEqual(["E-1", "Delivered", "12.50", "Yes"]);
    expect(cells(rows[1])).toEqual(["E-2", "Not delivered", "990", "No — delivery failed"]);
    // A row without a status or an amount: the label column's "unknown" label, an empty amount.
    expect(cells(rows[2])).toEqual(["E-3", "Other", "", "Not known"]);
    fireEvent.click(within(rows[0]).getByTestId("query-details"));
    expect(screen.getByTestId("query-row-details").textContent).toBe(`At${formatLocal(AT, "en")}Copy`);
    // A row that does not say how to resend it cannot be resent from here.
    expect((within(rows[2]).getByTestId("query-resend") as HTMLButtonElement).disabled).toBe(true);
    expect(within(rows[0]).getByText("Delivered").className).toBe("pill cb-succeeded");
    expect(within(rows[1]).getByText("Not delivered").className).toBe("pill cb-failed");
    fireEvent.click(within(rows[1]).getByTestId("query-resend"));
    expect(resends).toEqual([{ accountId: 9, operation: "redeliver", params: { event_id: "E-2" } }]);

    // More ids than the provider answers at once: a job.
    change("op-event_ids", "E-1 E-2 E-3");
    expect(screen.getByTestId("query-job-note").textContent).toContain("more than Acme Pay answers at once (2)");
    expect(screen.getByTestId("query-job-note").textContent).toContain("a job of 2 requests");
    expect([...missingKeys]).toEqual([]);
  });

  it("opens a row's detail, read by its own look-up, under the row", async () => {
    const calls = backend((cmd, args) => {
      if (cmd !== "run_action") return undefined;
      const req = args.request as { operation: string; params: { event_id?: string } };
      if (req.operation === "find-events") return OK(EVENTS);
      return OK({ attempts: req.params.event_id === "E-2" ? [{ at_ms: AT, code: 500 }, { at_ms: AT + 1000, code: 200 }] : [] });
    });
    render(<QueryScreen accountId={ACCOUNT.id} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    await screen.findByTestId("op-event_ids");
    change("op-event_ids", "E-1 E-2");
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    const rows = await screen.findAllByTestId("query-row");
    expect(within(rows[1]).getByTestId("query-detail").textContent).toBe("Attempts");
    await act(async () => fireEvent.click(within(rows[1]).getByTestId("query-detail")));
    const detail = await screen.findByTestId("row-detail-table");
    expect([...detail.querySelectorAll("th")].map((h) => h.textContent)).toEqual(["At", "Answer"]);
    expect(within(detail).getAllByTestId("row-detail-row").map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent))).toEqual([
      [formatLocal(AT, "en"), "500"],
      [formatLocal(AT + 1000, "en"), "200"],
    ]);
    expect(calls.at(-1)!.args.request).toEqual({ account_id: 9, operation: "event-attempts", params: { event_id: "E-2" } });
    // Closed and opened again: read once.
    await act(async () => fireEvent.click(within(rows[1]).getByTestId("query-detail")));
    expect(screen.queryByTestId("row-detail")).toBeNull();
    await act(async () => fireEvent.click(within(rows[1]).getByTestId("query-detail")));
    expect(calls.filter((c) => (c.args.request as { operation?: string })?.operation === "event-attempts")).toHaveLength(1);
    await act(async () => fireEvent.click(within(rows[0]).getByTestId("query-detail")));
    expect((await screen.findByTestId("row-detail-empty")).textContent).toBe("Acme has not tried yet.");
    expect([...missingKeys]).toEqual([]);
  });

  it("reads the next page of a look-up paged by cursor, with the same values", async () => {
    const calls = backend((cmd, args) => {
      if (cmd !== "run_action") return undefined;
      const req = args.request as { params: { cursor?: string } };
      return req.params.cursor === "c-2"
        ? OK({ events: [{ event_id: "E-4", tone: "pending" }], next: null })
        : OK({ events: EVENTS.events.slice(0, 2), next: "c-2" });
    });
    render(<QueryScreen accountId={ACCOUNT.id} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    fireEvent.click(await screen.findByTestId("query-tab-events-since"));
    fireEvent.click(await screen.findByTestId("op-since-preset-day_ago", {}, DATE_FIELD_WAIT));
    await act(async () => fireEvent.click(screen.getByTestId("query-run")));
    await waitFor(() => expect(screen.getAllByTestId("query-row")).toHaveLength(2));
    await act(async () => fireEvent.click(screen.getByTestId("query-more")));
    await waitFor(() => expect(screen.getAllByTestId("query-row").map((r) => r.dataset.rowId)).toEqual(["E-1", "E-2", "E-4"]));
    expect(screen.queryByTestId("query-more")).toBeNull();
    expect(screen.getByTestId("query-count").textContent).toBe("Events found: 3");
    const params = calls.filter((c) => c.cmd === "run_action").map((c) => (c.args.request as { params: unknown }).params);
    const since = (params[0] as { since: number }).since;
    expect(Math.abs(since - (Date.now() / 1000 - 86_400))).toBeLessThan(120);
    expect(params).toEqual([{ since }, { since, cursor: "c-2" }]);
  });

  it("names the providers that have look-ups when the account's provider has none", async () => {
    const ceffu = account("ceffu", { id: 4, label: "Treasury" });
    backend(noop, [ceffu]);
    render(<QueryScreen accountId={4} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    const note = await screen.findByTestId("query-unsupported");
    expect(note.textContent).toContain("Ceffu offers no API");
    expect(note.textContent).toContain("Acme Pay, CYBAVO SOFA");
    expect(screen.queryByTestId("query-run")).toBeNull();
  });
});

describe("Accounts of a provider the UI does not know", () => {
  it("offer the production address of the region chosen, and warn before a secret is replaced", async () => {
    mockBackend({ descriptors: DESCRIPTORS });
    const { unmount } = render(<AccountForm descriptors={DESCRIPTORS} onCancel={noop} onSaved={noop} />);
    expect(optionTexts("form-provider")[0]).toBe("Acme Pay");
    const help = () => screen.getByTestId("form-base_url").parentElement!.querySelector(".field-help")!.textContent;
    expect(help()).toContain("https://eu.acme.example/api");
    expect((screen.getByTestId("form-base_url") as HTMLInputElement).placeholder).toBe("https://eu.acme.example/api");
    change("form-region", "us");
    expect(help()).toContain("https://us.acme.example/api");
    fireEvent.click(screen.getByTestId("form-env-custom").querySelector("input")!);
    expect(help()).toBe("Acme's API address for your region.");
    unmount();

    render(<AccountForm descriptors={DESCRIPTORS} account={{ ...ACCOUNT, environment: "custom" }} onCancel={noop} onSaved={noop} />);
    expect(screen.queryByTestId("warning-api_token")).toBeNull();
    fireEvent.click(screen.getByTestId("secret-replace-api_token"));
    expect(screen.getByTestId("warning-api_token").textContent).toBe("A new Acme token retires the current one at once.");
    expect([...missingKeys]).toEqual([]);
  });

  it("offer its documented addresses per environment; choosing one sets what it is for; choices by their labels", async () => {
    mockBackend({ descriptors: DESCRIPTORS });
    render(<AccountForm descriptors={DESCRIPTORS} onCancel={noop} onSaved={noop} />);
    const presetSelect = () => screen.getByTestId("form-base_url-preset") as HTMLSelectElement;
    const merchantLabel = () => screen.getByTestId("form-merchant_id").parentElement!.querySelector(".field-label")!.textContent;
    expect(optionTexts("form-region")).toEqual(["Europe", "United States"]);
    expect(optionTexts("form-base_url-preset")).toEqual([
      "Acme Europe — https://eu.acme.example/api", "Acme United States — https://us.acme.example/api", "Another address (type it below)",
    ]);
    expect(presetSelect().value).toBe("https://eu.acme.example/api");
    expect(merchantLabel()).toBe("Merchant ID");
    change("form-base_url-preset", "https://us.acme.example/api");
    expect((screen.getByTestId("form-base_url") as HTMLInputElement).value).toBe("https://us.acme.example/api");
    expect((screen.getByTestId("form-region") as HTMLSelectElement).value).toBe("us");
    expect(merchantLabel()).toBe("Merchant ID (optional)");
    // Another region: the address chosen for the first one gives way to the new region's default.
    change("form-region", "eu");
    expect((screen.getByTestId("form-base_url") as HTMLInputElement).value).toBe("");
    expect(presetSelect().value).toBe("https://eu.acme.example/api");
    change("form-base_url-preset", "");
    expect(presetSelect().value).toBe("");
    fireEvent.click(screen.getByTestId("form-env-custom").querySelector("input")!);
    expect(optionTexts("form-base_url-preset")).toEqual(["Acme test environment — https://test.acme.example/api", "Another address (type it below)"]);
    fireEvent.click(screen.getByTestId("form-env-sandbox").querySelector("input")!);
    expect(screen.queryByTestId("form-base_url-preset")).toBeNull();
    expect([...missingKeys]).toEqual([]);
  });

  it("are grouped under its name, their secrets named by its fields", async () => {
    mockBackend({ accounts: [ACCOUNT], descriptors: DESCRIPTORS });
    render(<AccountsScreen />);
    const group = await screen.findByTestId("accounts-group-acme");
    expect(group.querySelector(".group-title")!.textContent).toBe("Acme Pay");
    // The screen's subtitle lists the providers the registry has, this one and Fireblocks among them.
    const subtitle = screen.getByTestId("accounts-subtitle").textContent!;
    for (const d of DESCRIPTORS) expect(subtitle).toContain(d.display_name);
    expect(subtitle).toMatch(/^Credentials for Acme Pay, .+ and .+, kept in your system keyring\.$/);
    const state = screen.getByTestId("secret-state-api_token");
    expect(state.previousElementSibling!.textContent).toBe("API token");
    expect(state.textContent).toBe("Saved");
    expect([...missingKeys]).toEqual([]);
  });
});

describe("Jobs and History of a provider the UI does not know", () => {
  it("name its operations, and offer the results of its look-up jobs", () => {
    const jobs = [
      { ...job({ id: 2, provider: "acme", operation: "find-events", state: "done", next_index: 3 }), eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null },
      { ...job({ id: 1, provider: "acme", operation: "replay-events", state: "done", next_index: 3 }), eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null },
    ];
    render(<JobsPanel descriptors={DESCRIPTORS} jobs={jobs} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} onShowResults={noop} />);
    const cards = screen.getAllByTestId("job-card");
    expect(cards.map((c) => c.querySelector(".job-title")!.textContent)).toEqual(["Find events by ID", "Replay events"]);
    expect(within(cards[0]).queryByTestId("job-show-results")).toBeTruthy();
    expect(within(cards[1]).queryByTestId("job-show-results")).toBeNull();
    expect([...missingKeys]).toEqual([]);
  });

  it("list its calls by its name and operation", async () => {
    const row: HistoryRow = {
      id: 77, job_id: null, created_at_ms: 1_700_000_000_000, finished_at_ms: 1_700_000_000_100, account_id: 9, account_label: "Shop EU",
      provider: "acme", environment: "sandbox", operation: "redeliver", scope: "event_id=E-77",
      scope_params: [{ name: "event_id", value: "E-77", more: 0, broad: false, cut: false }], outcome: "ok", http_status: 200,
      provider_code: null, error: null, duration_ms: 100,
    };
    backend((cmd) => (cmd === "history_page" ? { rows: [row], next_cursor: null } : cmd === "history_count" ? 1 : undefined));
    render(<HistoryScreen focus={null} onRepeat={noop} />);
    const r = await screen.findByTestId("history-row");
    await waitFor(() => expect(r.textContent).toContain("Acme Pay"));
    expect(r.textContent).toContain("Redeliver one event");
    expect(optionTexts("filter-provider")).toContain("Acme Pay");
    expect([...missingKeys]).toEqual([]);
  });

  it("Repeat reads params that travel inside the URL path from the operation's path template", () => {
    const fields = [formField("acme", "event_id", "text", true)];
    const template = "/events/{event_id}/attempts/resend";
    const url = "https://eu.acme.example/api/w/W-1/events/E%2F7%20x/attempts/resend?force=1";
    expect(paramsFromRecorded(fields, { url, body: "" }, template)).toEqual({ event_id: "E/7 x" });
    // Without the template the last segment would have been taken.
    expect(paramsFromRecorded(fields, { url, body: "" })).toEqual({ event_id: "resend" });
    // A path that does not end as the template says carries nothing.
    expect(paramsFromRecorded(fields, { url: "https://eu.acme.example/api/events/E-1/resend", body: "" }, template)).toEqual({});
  });

  it("Repeat reads a field that travels in the URL path from the operation's fields", () => {
    const redeliver = ACME.operations.find((o) => o.name === "redeliver")!;
    expect(paramsFromRecorded(redeliver.fields, { url: "https://eu.acme.example/api/events/redeliver/E%2077", body: "" })).toEqual({ event_id: "E 77" });
    const avista = operation("avista", "resend-webhook");
    expect(
      paramsFromRecorded(avista.fields, { url: "https://api.avista.global/api/resend-webhook/PAG%202024%2F0001", body: '{"url":"https://h.example.com/x"}' }),
    ).toEqual({ transaction_identifier: "PAG 2024/0001", url: "https://h.example.com/x" });
    const cybavo = operation("cybavo", "resend-deposit-callbacks");
    expect(paramsFromRecorded(cybavo.fields, { url: "https://sofa.example.com/v1/sofa/wallets/1/collection/notifications/manual?t=1&r=x", body: '{"notification_id":12}' }))
      .toEqual({ notification_id: 12 });
  });
});
