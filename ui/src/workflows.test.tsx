import { beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { missingKeys } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { HistoryScreen, PAGE_SIZE, visibleWindow } from "./screens/History";
import { buildParams, parseIntegerList } from "./lib/params";
import { strongReasons } from "./lib/confirm";
import { localToUnit, parseLocalDateTime, unitToLocal } from "./lib/time";
import type { AccountView, HistoryRow } from "./api";
import { account as makeAccount, formField, mockBackend, operation, setupEach, type Call, enterValue } from "./test/helpers";

const field = (name: string, kind: Parameters<typeof formField>[2]) => formField("cybavo", name, kind, true);
const account = (env: AccountView["environment"], id = 7, label = "Store BR"): AccountView =>
  makeAccount("cybavo", { id, label, environment: env, base_url: "https://sofa.example.com", fields: { wallet_id: 55743 } });

const PREVIEW = {
  method: "POST", url: "https://sofa.example.com/v1/sofa/wallets/55743/sender/notifications/manual?t=1&r=x",
  headers: [["X-CHECKSUM", "<redacted>"]], body: '{"notification_id":1}',
};
const RESENT = {
  history_id: 42, outcome: "ok", http_status: 200, error: null, summary: [{ key: "result.cybavo_one", params: {} }], result: { count: 1 },
  request: null, response: { status: 200, headers: [], body: '{"count":1}', elapsed_ms: 3 }, calls: 1,
};

let calls: Call[] = [];
function mock(accounts: AccountView[], extra: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined) {
  calls = mockBackend({
    accounts,
    on: (cmd, args) => extra(cmd, args) ?? (cmd === "preview_action" ? PREVIEW : cmd === "run_action" ? RESENT : undefined),
  });
}

setupEach();

function renderResend(accounts: AccountView[]) {
  let current: AccountView | null = null;
  const ui = () => (
    <ResendScreen accountId={current?.id ?? accounts[0].id} onAccount={(a) => (current = a)} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />
  );
  return render(ui());
}

describe("date conversion", () => {
  it("reads the local date-time and converts it to the unit the field wants", () => {
    const ms = new Date(2024, 4, 16, 10, 30, 15).getTime();
    expect(parseLocalDateTime("2024-05-16T10:30:15")).toBe(ms);
    expect(parseLocalDateTime("2024-05-16 10:30")).toBe(new Date(2024, 4, 16, 10, 30).getTime());
    expect(parseLocalDateTime("2024-05-16T10:30:15.000")).toBe(ms);
    expect(localToUnit("2024-05-16T10:30:15", "unix_millis")).toBe(ms);
    expect(localToUnit("2024-05-16T10:30:15", "unix_seconds")).toBe(ms / 1000);
    expect(unitToLocal(ms / 1000, "unix_seconds")).toBe("2024-05-16T10:30:15");
    expect(unitToLocal(ms, "unix_millis")).toBe("2024-05-16T10:30:15");
  });

  it("rejects impossible dates", () => {
    expect(parseLocalDateTime("2024-02-30T10:00")).toBeNull();
    expect(parseLocalDateTime("yesterday")).toBeNull();
    expect(buildParams([field("from_time", "unix_seconds")], { from_time: "16/05/2024" }).errors).toEqual({ from_time: "not_date" });
  });

  it("reads pasted serial lists separated by spaces, commas and new lines", () => {
    expect(parseIntegerList("90000000139, 90000000140\n90000000141;90000000139").values).toEqual(["90000000139", "90000000140", "90000000141"]);
    expect(parseIntegerList("12 ab").invalid).toEqual(["ab"]);
    expect(buildParams([field("ids", "integer_list")], { ids: "1 2\n3" }).params).toEqual({ ids: [1, 2, 3] });
  });
});

describe("confirmation strength", () => {
  const resend = operation("cybavo", "resend-withdrawal-callbacks");
  const reasons = (...args: Parameters<typeof strongReasons>) => strongReasons(...args).reasons.map((r) => r.reason);
  it("is normal for one callback on a sandbox account", () => {
    expect(reasons(account("sandbox"), resend, { notification_id: 12 }, Date.now())).toEqual([]);
  });
  it("is strong for a broad value and for any production account", () => {
    expect(reasons(account("sandbox"), resend, { notification_id: 0 }, Date.now())).toEqual(["broad_value"]);
    expect(reasons(account("production"), resend, { notification_id: 12 }, Date.now())).toEqual(["production"]);
  });
  it("uses the field default when the broad field is left out, and the operation's own rules", () => {
    const v1 = operation("ccpayment", "resend-webhooks", { api_version: "v1" });
    const withDefault = { ...v1, fields: v1.fields.map((f) => (f.name === "webhook_result" ? { ...f, default: "All Result" } : f)) };
    expect(reasons({ environment: "sandbox" }, withDefault, {}, 0)).toEqual(["broad_value"]);
    expect(reasons({ environment: "sandbox" }, v1, {}, 0)).toEqual([]);
    const ceffu = operation("ceffu", "resend-webhooks");
    const now = Date.now();
    expect(reasons({ environment: "custom" }, ceffu, { resendFromDateTime: now - 3600_000 }, now)).toEqual([]);
    expect(reasons({ environment: "custom" }, ceffu, { resendFromDateTime: now - 25 * 3600_000 }, now)).toEqual(["old_window"]);
    expect(strongReasons({ environment: "custom" }, ceffu, { resendFromDateTime: now - 25 * 3600_000 }, now).reasons[0].ask).toBe("tick_many");
  });
});

describe("Resend screen", () => {
  it("says plainly that a production resend goes to real servers, asks for no typed name, then shows the outcome", async () => {
    mock([account("production")]);
    renderResend([account("production")]);
    enterValue(await screen.findByTestId("op-notification_id"), "90000000139");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(screen.getByTestId("confirm-level").dataset.level).toBe("strong");
    expect(dialog.textContent).toContain("Production");
    expect(screen.getByTestId("confirm-reason-production").textContent).toContain("real servers");
    expect(screen.queryByTestId("confirm-typed")).toBeNull();
    const send = screen.getByTestId("confirm-send") as HTMLButtonElement;
    expect(send.disabled).toBe(false);
    await act(async () => fireEvent.click(send));
    await waitFor(() => expect(screen.getByTestId("result-summary").textContent).toBe("1 callback resent"));
    const run = calls.find((c) => c.cmd === "run_action")!;
    expect(run.args.request).toEqual({ account_id: 7, operation: "resend-withdrawal-callbacks", params: { notification_id: 90000000139 } });
    expect(missingKeys.size).toBe(0);
  });

  it("says a resend whose answer could not be read may have happened, and what to check", async () => {
    mock([account("sandbox")], (cmd) =>
      cmd === "run_action"
        ? {
            history_id: 43, outcome: "unknown", http_status: 200, calls: 1, summary: [], result: null, request: null,
            error: { code: "provider.malformed_response", params: {}, detail: '{"count":1' },
            response: { status: 200, headers: [], body: '{"count":1', elapsed_ms: 3 },
          }
        : undefined,
    );
    renderResend([account("sandbox")]);
    enterValue(await screen.findByTestId("op-notification_id"), "90000000139");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await screen.findByTestId("confirm-dialog");
    await act(async () => fireEvent.click(screen.getByTestId("confirm-send")));
    await waitFor(() => expect(screen.getByTestId("result-panel").dataset.outcome).toBe("unknown"));
    expect(screen.getByTestId("result-summary").textContent).toBe("Outcome unknown: it may have been resent");
    expect(screen.getByTestId("result-line").textContent).toContain("Check before trying again");
    expect(screen.getByTestId("result-error").dataset.code).toBe("provider.malformed_response");
    expect(missingKeys.size).toBe(0);
  });

  it("needs an explicit tick for a broad resend on a sandbox account", async () => {
    mock([account("sandbox")]);
    renderResend([account("sandbox")]);
    fireEvent.click(await screen.findByTestId("op-notification_id-all"));
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await screen.findByTestId("confirm-dialog");
    expect(screen.getByTestId("confirm-level").dataset.level).toBe("strong");
    expect(screen.getByTestId("confirm-reason-broad_value")).toBeTruthy();
    expect(screen.queryByTestId("confirm-typed")).toBeNull();
    const send = screen.getByTestId("confirm-send") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.click(screen.getByTestId("confirm-tick"));
    expect(send.disabled).toBe(false);
  });

  it("asks only a plain confirmation for one callback on a sandbox account", async () => {
    mock([account("sandbox")]);
    renderResend([account("sandbox")]);
    enterValue(await screen.findByTestId("op-notification_id"), "5");
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await screen.findByTestId("confirm-dialog");
    expect(screen.getByTestId("confirm-level").dataset.level).toBe("normal");
    expect((screen.getByTestId("confirm-send") as HTMLButtonElement).disabled).toBe(false);
  });

  it("refuses a non-numeric serial before calling the backend", async () => {
    mock([account("sandbox")]);
    renderResend([account("sandbox")]);
    enterValue(await screen.findByTestId("op-notification_id"), "12a");
    fireEvent.click(screen.getByTestId("resend-go"));
    expect((await screen.findByTestId("form-error-notification_id")).textContent).toContain("whole numbers");
    expect(calls.some((c) => c.cmd === "preview_action")).toBe(false);
  });
});

describe("Copy with secrets", () => {
  const REQUEST = { account_id: 7, operation: "resend-withdrawal-callbacks", params: { notification_id: 90000000139 } };
  const ticket = (clear: number | null) => ({ ticket: "5f0c4e1a9b2d7e3f5f0c4e1a9b2d7e3f", valid_seconds: 120, clear_seconds: clear });
  let written: string[] = [];
  beforeEach(() => {
    written = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: vi.fn(async (text: string) => void written.push(text)) },
    });
  });

  async function openPreview(extra: (cmd: string, args: Record<string, unknown>) => unknown) {
    mock([account("production")], extra);
    renderResend([account("production")]);
    enterValue(await screen.findByTestId("op-notification_id"), "90000000139");
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    await screen.findByTestId("resend-preview-panel");
  }

  it("asks the app to copy only after a confirmation naming the account, with the ticket the app issued", async () => {
    await openPreview((cmd) =>
      cmd === "prepare_copy_with_secrets" ? ticket(60) : cmd === "copy_with_secrets" ? { clear_seconds: 60 } : undefined,
    );
    // The plain copy stays masked and needs no confirmation.
    await act(async () => fireEvent.click(screen.getByTestId("copy-curl")));
    expect(written[0]).toContain("<redacted>");
    await act(async () => fireEvent.click(screen.getByTestId("copy-curl-secrets")));
    const dialog = await screen.findByTestId("copy-secrets-dialog");
    expect(screen.getByTestId("copy-secrets-account").textContent).toBe("Store BR · CYBAVO SOFA");
    expect(screen.getByTestId("copy-secrets-warning").textContent).toContain("real credentials of “Store BR · CYBAVO SOFA”");
    expect(screen.getByTestId("copy-secrets-clipboard").textContent).toBe(
      "Callback Desk clears the clipboard after 60 seconds if it still holds the command.",
    );
    expect(dialog.textContent).toContain("not recorded in history");
    const prepared = calls.filter((c) => c.cmd === "prepare_copy_with_secrets");
    expect(prepared.map((c) => c.args.request)).toEqual([REQUEST]);
    // Cancelling copies nothing.
    fireEvent.click(screen.getByTestId("copy-secrets-cancel"));
    expect(screen.queryByTestId("copy-secrets-dialog")).toBeNull();
    expect(calls.some((c) => c.cmd === "copy_with_secrets")).toBe(false);
    await act(async () => fireEvent.click(screen.getByTestId("copy-curl-secrets")));
    await act(async () => fireEvent.click(await screen.findByTestId("copy-secrets-confirm")));
    expect((await screen.findByTestId("copy-secrets-done")).textContent).toBe(
      "Copied with secrets. The clipboard is cleared in 60 seconds.",
    );
    expect(screen.queryByTestId("copy-secrets-dialog")).toBeNull();
    const copies = calls.filter((c) => c.cmd === "copy_with_secrets");
    expect(copies).toHaveLength(1);
    expect(copies[0].args).toEqual({ ticket: ticket(60).ticket, request: REQUEST });
    // The window wrote only the masked command itself: the app puts the real one on the clipboard.
    expect(written).toHaveLength(1);
    // No resend happened.
    expect(calls.some((c) => c.cmd === "run_action")).toBe(false);
    expect(missingKeys.size).toBe(0);
  });

  it("says when the clipboard cannot be cleared, and shows why a command cannot be made", async () => {
    await openPreview((cmd) => {
      if (cmd === "prepare_copy_with_secrets") return ticket(null);
      if (cmd === "copy_with_secrets") throw { code: "input.curl_unavailable", params: { reason: "client_key" }, detail: null };
      return undefined;
    });
    await act(async () => fireEvent.click(screen.getByTestId("copy-curl-secrets")));
    expect((await screen.findByTestId("copy-secrets-clipboard")).textContent).toContain("cannot clear the clipboard");
    await act(async () => fireEvent.click(screen.getByTestId("copy-secrets-confirm")));
    expect((await screen.findByTestId("copy-secrets-error")).textContent).toContain("client certificate key");
    expect(screen.getByTestId("copy-secrets-dialog")).toBeTruthy();
    expect(screen.queryByTestId("copy-secrets-done")).toBeNull();
  });

  it("shows the app's refusal of a used, expired or mismatched confirmation, translated", async () => {
    let refusal = "copy.confirmation_expired";
    await openPreview((cmd) => {
      if (cmd === "prepare_copy_with_secrets") return ticket(60);
      if (cmd === "copy_with_secrets") throw { code: refusal, params: { minutes: 2 }, detail: null };
      return undefined;
    });
    await act(async () => fireEvent.click(screen.getByTestId("copy-curl-secrets")));
    await act(async () => fireEvent.click(await screen.findByTestId("copy-secrets-confirm")));
    expect((await screen.findByTestId("copy-secrets-error")).textContent).toContain("expired (it is valid for 2 minutes)");
    refusal = "copy.confirmation_used";
    await act(async () => fireEvent.click(screen.getByTestId("copy-secrets-confirm")));
    expect((await screen.findByTestId("copy-secrets-error")).textContent).toContain("already used");
    refusal = "copy.clipboard_failed";
    await act(async () => fireEvent.click(screen.getByTestId("copy-secrets-confirm")));
    expect((await screen.findByTestId("copy-secrets-error")).textContent).toContain("could not put the command on the clipboard");
    expect(screen.queryByTestId("copy-secrets-done")).toBeNull();
    expect(missingKeys.size).toBe(0);
  });
});

describe("History paging", () => {
  const row = (i: number): HistoryRow => ({
    id: 1000 - i, job_id: null, created_at_ms: 1_700_000_000_000 - i * 1000, finished_at_ms: 1_700_000_000_500 - i * 1000,
    account_id: 7, account_label: "Store BR", provider: "cybavo", environment: "sandbox", operation: "query-callbacks",
    scope: `ids=${i}`, scope_params: [{ name: "ids", value: i, more: 0, broad: false, cut: false }], outcome: i % 2 ? "ok" : "failed", http_status: 200, provider_code: null, error: null, duration_ms: 12,
  });

  it("loads 100 rows at a time with the keyset cursor", async () => {
    const first = Array.from({ length: PAGE_SIZE }, (_, i) => row(i));
    const second = Array.from({ length: 30 }, (_, i) => row(PAGE_SIZE + i));
    const cursor = { created_at_ms: first[99].created_at_ms, id: first[99].id };
    mock([account("sandbox")], (cmd, args) => {
      if (cmd === "history_page") return args.cursor ? { rows: second, next_cursor: null } : { rows: first, next_cursor: cursor };
      if (cmd === "history_count") return 130;
      return undefined;
    });
    render(<HistoryScreen focus={null} onRepeat={() => undefined} />);
    await waitFor(() => expect(screen.getAllByTestId("history-row")).toHaveLength(100));
    await waitFor(() => expect(screen.getByTestId("history-count").textContent).toBe("Showing 100 of 130"));
    await act(async () => fireEvent.click(screen.getByTestId("history-more")));
    await waitFor(() => expect(screen.getAllByTestId("history-row")).toHaveLength(130));
    expect(screen.queryByTestId("history-more")).toBeNull();
    const pages = calls.filter((c) => c.cmd === "history_page");
    expect(pages.map((p) => p.args.limit)).toEqual([100, 100]);
    expect(pages[0].args.cursor).toBeNull();
    expect(pages[1].args.cursor).toEqual(cursor);
    expect(screen.getAllByTestId("outcome-pill")[0].textContent).toBe("Failed");
  });

  it("renders only the rows in view and loads the next page when scrolled near the end", async () => {
    // Not laid out (no viewport height): every row is rendered.
    expect(visibleWindow(1000, 0, 0, 37)).toEqual({ start: 0, end: 1000, top: 0, bottom: 0 });
    // Ten rows in view at row 100, twenty more on each side; spacers stand in for the rest.
    expect(visibleWindow(1000, 3700, 370, 37)).toEqual({ start: 80, end: 130, top: 80 * 37, bottom: 870 * 37 });
    expect(visibleWindow(5, 0, 370, 37)).toEqual({ start: 0, end: 5, top: 0, bottom: 0 });
    const first = Array.from({ length: PAGE_SIZE }, (_, i) => row(i));
    const second = Array.from({ length: 30 }, (_, i) => row(PAGE_SIZE + i));
    const cursor = { created_at_ms: first[99].created_at_ms, id: first[99].id };
    mock([account("sandbox")], (cmd, args) => {
      if (cmd === "history_page") return args.cursor ? { rows: second, next_cursor: null } : { rows: first, next_cursor: cursor };
      if (cmd === "history_count") return 130;
      return undefined;
    });
    const isScroller = (el: HTMLElement) => el.dataset?.testid === "history-scroll";
    const height = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
    const scrollHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "scrollHeight");
    Object.defineProperty(HTMLElement.prototype, "clientHeight", {
      configurable: true,
      get() { return isScroller(this) ? 370 : 0; },
    });
    Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
      configurable: true,
      get() { return isScroller(this) ? PAGE_SIZE * 37 : 0; },
    });
    try {
      render(<HistoryScreen focus={null} onRepeat={() => undefined} />);
      await waitFor(() => expect(screen.getAllByTestId("history-row")).toHaveLength(30));
      const scroller = screen.getByTestId("history-scroll");
      Object.defineProperty(scroller, "scrollTop", { configurable: true, value: PAGE_SIZE * 37 - 370 });
      await act(async () => fireEvent.scroll(scroller));
      await waitFor(() => expect(calls.filter((c) => c.cmd === "history_page")).toHaveLength(2));
      await waitFor(() => expect(screen.getByTestId("history-count").textContent).toBe("Showing 130 of 130"));
      const ids = screen.getAllByTestId("history-row").map((r) => Number(r.dataset.id));
      expect(ids).toContain(first[99].id);
      expect(ids).not.toContain(first[0].id);
      expect(ids.length).toBeLessThan(130);
    } finally {
      if (height) Object.defineProperty(HTMLElement.prototype, "clientHeight", height);
      else delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
      if (scrollHeight) Object.defineProperty(HTMLElement.prototype, "scrollHeight", scrollHeight);
      else delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
    }
  });

  it("sends the filters to the backend and restarts from the first page", async () => {
    mock([account("sandbox")], (cmd) => {
      if (cmd === "history_page") return { rows: [row(1)], next_cursor: null };
      if (cmd === "history_count") return 1;
      return undefined;
    });
    render(<HistoryScreen focus={null} onRepeat={() => undefined} />);
    await screen.findAllByTestId("history-row");
    await act(async () => enterValue(screen.getByTestId("filter-outcome"), "failed"));
    await waitFor(() => {
      const last = calls.filter((c) => c.cmd === "history_page").at(-1)!;
      expect((last.args.filter as { outcome: string }).outcome).toBe("failed");
      expect(last.args.cursor).toBeNull();
    });
  });
});
