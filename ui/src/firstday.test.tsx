// A finance person's first day on Resend and bulk jobs: plan words and plurals in each language, typed names
// compared as people type them, outcomes in honest tones, jobs with failures and their retry, a resend
// waiting for the budget, and work kept when the screen is left.
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { i18n, changeLanguage, type Language } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { JobsPanel, jobTone } from "./components/bulk/JobsPanel";
import { ResultPanel, outcomeTone } from "./components/ResultPanel";
import { compareNames } from "./lib/names";
import { describePlan, windowText } from "./lib/planwords";
import type { ActionResult, JobFailures, JobView, Plan } from "./api";
import { PROVIDERS, account, job, mockBackend, operation, setupEach, enterValue, DATE_FIELD_WAIT } from "./test/helpers";

process.env.TZ = "America/Sao_Paulo";

setupEach();

const CCP = account("ccpayment", { id: 3, label: "Shop", fields: { api_version: "v1" } });
const CCP_OP = operation("ccpayment", "resend-webhooks", { api_version: "v1" });
/** 14:00–16:00 UTC on 12 April 2026. */
const FROM = Date.UTC(2026, 3, 12, 14, 0) / 1000;
const UNTIL = FROM + 2 * 3600;

const renderResend = () =>
  render(<ResendScreen accountId={3} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);

describe("the plan in words", () => {
  const cases: [Language, string, string, string][] = [
    ["en", "12/04/2026, 14:00 – 16:00", "UTC", "Failed"],
    ["pt-BR", "12/04/2026, 14:00 – 16:00", "UTC", "Failed"],
    ["zh-CN", "2026/04/12 14:00 – 16:00", "UTC", "Failed"],
  ];
  it.each(cases)("%s: the window, its time zone and the other fields, never Unix numbers", async (lang, window, zone) => {
    await changeLanguage(lang);
    const req = { account_id: 3, operation: CCP_OP.name, params: { webhook_result: "Failed" }, since: FROM, until: UNTIL, calls: null };
    const lines = describePlan(i18n.t, lang, CCP_OP, req, "UTC");
    expect(lines.find((l) => l.id === "window")!.text).toBe(window);
    expect(lines.find((l) => l.id === "zone")!.text).toBe(zone);
    expect(lines.map((l) => l.text).join(" ")).not.toMatch(/\d{9,}/);
  });

  it("names both dates when the window spans midnight, and says when a provider has no end", async () => {
    expect(windowText(i18n.t, "en", Date.UTC(2026, 3, 12, 22) , Date.UTC(2026, 3, 13, 2), "UTC")).toBe("12/04/2026, 22:00 – 13/04/2026, 02:00");
    // Up to midnight is still the same day.
    expect(windowText(i18n.t, "en", Date.UTC(2026, 3, 12, 22), Date.UTC(2026, 3, 13, 0), "UTC")).toBe("12/04/2026, 22:00 – 00:00");
    expect(windowText(i18n.t, "en", Date.UTC(2026, 3, 12, 22), null, "UTC")).toContain("until now");
  });

  it.each([
    ["en", "1 request to send", "2 requests to send", "1 provider day"],
    ["pt-BR", "1 solicitação a enviar", "2 solicitações a enviar", "1 dia do provedor"],
    ["zh-CN", "1 个待发送请求", "2 个待发送请求", "1 天（按服务商的日期计）"],
  ] as const)("%s: counts in plural forms (zh-CN has only _other)", async (lang, one, two, day) => {
    await changeLanguage(lang);
    expect(`1 ${i18n.t("bulk.plan_calls", { count: 1 })}`).toBe(one);
    expect(`2 ${i18n.t("bulk.plan_calls", { count: 2 })}`).toBe(two);
    expect(`1 ${i18n.t("bulk.plan_days", { count: 1 })}`).toBe(day);
  });

  it("shows the window, the zone and the counts in the plan dialog", async () => {
    const plan: Plan = { account_id: 3, operation: CCP_OP.name, calls: [{ params: {} }], estimated_seconds: 0, days: 1, note: null };
    mockBackend({ accounts: [CCP], on: (cmd) => (cmd === "plan_job" ? plan : undefined) });
    renderResend();
    fireEvent.click((await screen.findByTestId("mode-bulk")).querySelector("input")!);
    fireEvent.click(await screen.findByTestId("bulk-window-preset-yesterday", {}, DATE_FIELD_WAIT));
    await act(async () => fireEvent.click(screen.getByTestId("bulk-plan")));
    await screen.findByTestId("plan-dialog");
    expect(screen.getByTestId("plan-window").textContent).toMatch(/^\d\d\/\d\d\/\d{4}, 00:00 – 00:00$/);
    expect(screen.getByTestId("plan-zone").textContent).toBe("Local time (UTC−03:00)");
    expect(screen.getByTestId("plan-calls").textContent).toBe("1request to send");
    expect(screen.getByTestId("plan-days").textContent).toBe("1provider day");
    expect(screen.getByTestId("plan-start").textContent).toBe("Start the job (1 request)");
  });
});

describe("typed names", () => {
  it("are the same whatever dash, spacing or case is typed", () => {
    expect(compareNames("shop - eu", "Shop — EU").kind).toBe("same");
    expect(compareNames("Shop–EU", "Shop — EU").kind).toBe("same");
    expect(compareNames("  SHOP   —  eu ", "Shop — EU").kind).toBe("same");
    expect(compareNames("Shop", "Shop — EU").kind).toBe("partial");
    expect(compareNames("", "Shop — EU").kind).toBe("empty");
  });

  it("say where a different name stops matching", () => {
    expect(compareNames("Shop - US", "Shop — EU")).toEqual({ kind: "different", at: 6, expectedFrom: "eu" });
  });
});

describe("honest outcomes", () => {
  const result = (more: Partial<ActionResult>): ActionResult => ({
    history_id: 1, outcome: "ok", http_status: 200, summary: [], result: {}, error: null, response: null, calls: 1, ...more,
  } as ActionResult);

  it("reads nothing resent as neutral, not as a success", () => {
    const nothing = result({ summary: [{ key: "result.ccpayment_none", params: {}, tone: "nothing" }, { key: "result.ccpayment_zero_hint", params: {}, tone: "note" }] });
    expect(outcomeTone(nothing)).toBe("nothing");
    expect(outcomeTone(result({ summary: [{ key: "result.ccpayment_count", params: { count: 2 }, tone: "done" }] }))).toBe("ok");
    render(<ResultPanel op={CCP_OP} result={nothing} onSeeHistory={() => undefined} />);
    expect(screen.getByTestId("result-panel").dataset.tone).toBe("nothing");
    expect(screen.getByTestId("outcome-pill").textContent).toBe("Nothing resent");
    expect(screen.queryByTestId("result-next")).toBeNull();
  });

  it("keeps the provider's HTTP status under technical details, and offers the Sandbox inbox after a sandbox resend", () => {
    const r = result({ summary: [{ key: "result.ccpayment_count", params: { count: 2 }, tone: "done" }], response: { status: 200, headers: [], body: "{}", elapsed_ms: 5n } });
    const opened: number[] = [];
    render(<ResultPanel op={CCP_OP} result={r} sandbox onSeeHistory={() => undefined} onOpenInbox={() => opened.push(1)} />);
    expect(screen.getByTestId("result-summary").textContent).toBe("2 webhooks queued for resending");
    expect(screen.queryByTestId("result-http-status")).toBeNull();
    fireEvent.click(screen.getByTestId("result-open-inbox"));
    expect(opened).toEqual([1]);
    fireEvent.click(screen.getByTestId("result-raw-toggle"));
    expect(screen.getByTestId("result-http-status").textContent).toBe("Provider answered HTTP 200");
  });

  it("reads a job as it went: red when all failed, amber when some did, green only when all succeeded", () => {
    const done = { state: "done" as const };
    expect(jobTone({ ...done, ok: 0, failed: 2, unknown: 0 })).toBe("failed");
    expect(jobTone({ ...done, ok: 1, failed: 1, unknown: 0 })).toBe("partial");
    expect(jobTone({ ...done, ok: 1, failed: 0, unknown: 1 })).toBe("partial");
    expect(jobTone({ ...done, ok: 2, failed: 0, unknown: 0 })).toBe("ok");
    expect(jobTone({ state: "running", ok: 0, failed: 2, unknown: 0 })).toBe("active");
  });
});

const FAILURES: JobFailures = {
  job_id: 12, failed: 2, unknown: 1,
  reasons: [{ error: { code: "input.invalid", params: { field: "webhook_result", reason: "not_allowed" }, detail: null }, calls: 2 }],
  retry: { account_id: 3, operation: CCP_OP.name, params: {}, since: null, until: null, calls: [
    { start_timestamp: FROM, end_timestamp: FROM + 3600, webhook_result: "Failed" },
    { start_timestamp: FROM + 3600, end_timestamp: UNTIL, webhook_result: "Failed" },
  ] },
};
const FAILED_JOB: JobView = job({ id: 12, account_id: 3, account_label: "Shop", provider: "ccpayment", operation: CCP_OP.name, state: "done", total: 3, next_index: 3, ok: 0, failed: 2, unknown: 1 });

describe("a job with failures", () => {
  it("shows its top reason and offers to retry exactly the failed calls, never the unknown one", async () => {
    mockBackend({ on: (cmd) => (cmd === "job_failures" ? FAILURES : undefined) });
    const retried: JobFailures[] = [];
    const noop = () => undefined;
    render(<JobsPanel descriptors={PROVIDERS} jobs={[{ ...FAILED_JOB, eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null }]} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} onRetry={(f) => retried.push(f)} />);
    expect(screen.getByTestId("job-card").dataset.tone).toBe("partial");
    expect(screen.getByTestId("job-state").textContent).toBe("Finished with problems");
    await screen.findByTestId("job-reason");
    expect(screen.getByTestId("job-reason").textContent).toContain("Why 2 requests failed:");
    expect(screen.getByTestId("job-reason-error").dataset.code).toBe("input.invalid");
    expect(screen.getByTestId("job-unknown-note").textContent).toContain("1 request has an unknown outcome and is not retried");
    fireEvent.click(screen.getByTestId("job-retry"));
    expect(retried).toEqual([FAILURES]);
  });

  it("opens the retry as a plan whose named field can be corrected for every call", async () => {
    const plans: unknown[] = [];
    mockBackend({
      accounts: [CCP],
      jobs: () => [FAILED_JOB],
      on: (cmd, args) => {
        if (cmd === "job_failures") return FAILURES;
        if (cmd === "plan_job") {
          const request = args.request as { calls: unknown[] };
          plans.push(request);
          return { account_id: 3, operation: CCP_OP.name, calls: request.calls.map((params) => ({ params })), estimated_seconds: 60, days: 1, note: null };
        }
        return undefined;
      },
    });
    renderResend();
    const retry = await screen.findByTestId("job-retry", {}, { timeout: 3000 });
    await act(async () => fireEvent.click(retry));
    await screen.findByTestId("plan-dialog");
    expect(screen.getByTestId("plan-calls").textContent).toBe("2requests to send");
    expect(screen.getByTestId("plan-given").textContent).toBe("The 2 failed requests, exactly as they were sent");
    expect(screen.getByTestId("retry-unknown").textContent).toContain("not retried");
    enterValue(screen.getByTestId("retry-op-webhook_result"), "All Result");
    await act(async () => fireEvent.click(screen.getByTestId("retry-apply")));
    await waitFor(() => expect(plans).toHaveLength(2));
    expect((plans[1] as { calls: { webhook_result: string }[] }).calls.map((c) => c.webhook_result)).toEqual(["All Result", "All Result"]);
  });
});

describe("a resend over the budget", () => {
  it("is not sent: the dialog counts down and queues it as a job of one call", async () => {
    const budget = { limited: true, per_minute: 1, per_day: 25, remaining_today: 24, next_allowed_at_ms: Date.now() + 58_000, now_ms: Date.now() };
    const calls = mockBackend({
      accounts: [CCP],
      on: (cmd) => {
        if (cmd === "budget_status") return { ...budget };
        if (cmd === "preview_action") return { method: "POST", url: "https://x", headers: [], body: "{}" };
        if (cmd === "start_job") return 40;
        return undefined;
      },
    });
    renderResend();
    await waitFor(() => expect(screen.getByTestId("resend-go").textContent).toMatch(/^Resend… \(possible in 5\d s\)$/));
    fireEvent.click(await screen.findByTestId("op-start_timestamp-preset-hour_ago", {}, DATE_FIELD_WAIT));
    fireEvent.click(screen.getByTestId("op-end_timestamp-preset-now"));
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await screen.findByTestId("confirm-dialog");
    const send = screen.getByTestId("confirm-send") as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    expect(send.textContent).toMatch(/^Possible in 5\d s$/);
    await act(async () => fireEvent.click(screen.getByTestId("confirm-queue")));
    expect(calls.some((c) => c.cmd === "run_action")).toBe(false);
    const req = calls.find((c) => c.cmd === "start_job")!.args.request as { calls: Record<string, unknown>[] };
    expect(req.calls).toHaveLength(1);
    expect(Object.keys(req.calls[0])).toContain("start_timestamp");
  });
});

describe("work in progress", () => {
  it("is still there after leaving the screen and coming back", async () => {
    mockBackend({ accounts: [CCP] });
    const first = renderResend();
    fireEvent.click((await screen.findByTestId("mode-bulk")).querySelector("input")!);
    fireEvent.click(await screen.findByTestId("bulk-window-preset-yesterday", {}, DATE_FIELD_WAIT));
    first.unmount();
    renderResend();
    expect((await screen.findByTestId("mode-bulk")).querySelector("input")!.checked).toBe(true);
    await waitFor(() => expect(screen.getByTestId("bulk-window-from-input").textContent).toMatch(/\d\d\/\d\d\/\d{4}/));
  });
});
