import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { i18n, changeLanguage } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { JobsPanel } from "./components/bulk/JobsPanel";
import { mergeProgress } from "./hooks/useJobs";
import { formatDuration } from "./lib/duration";
import type { JobView, Plan } from "./api";
import { PROVIDERS, account, job, mockBackend, setupEach, DATE_FIELD_WAIT } from "./test/helpers";

const ACCOUNT = account("ccpayment", { id: 3, label: "Shop", base_url: "https://ccpayment.example.com", fields: { api_version: "v1" } });
const PLAN: Plan = {
  account_id: 3, operation: "resend-webhooks", calls: [1, 2, 3, 4, 5].map((i) => ({ params: { start_timestamp: i } })),
  estimated_seconds: 245, days: 1, note: null,
};
const JOB = job({ id: 12, account_id: 3, account_label: "Shop", provider: "ccpayment", operation: "resend-webhooks", total: 5 });
const BUDGET = { limited: true, per_minute: 1, per_day: 25, remaining_today: 24, next_allowed_at_ms: Date.now() + 42_000, now_ms: Date.now() };

setupEach();

describe("bulk resend", () => {
  it("shows the plan (calls, time, days) before anything starts, then starts the planned request", async () => {
    let jobs: JobView[] = [];
    const calls = mockBackend({
      accounts: [ACCOUNT],
      jobs: () => jobs,
      on: (cmd) => {
        if (cmd === "budget_status") return { ...BUDGET, next_allowed_at_ms: Date.now() + 42_000 };
        if (cmd === "plan_job") return PLAN;
        // The list takes a moment to read, as the app's own does.
        if (cmd === "list_jobs") return new Promise((done) => setTimeout(() => done(jobs), 50));
        if (cmd === "start_job") {
          jobs = [{ ...JOB, next_index: 1, ok: 1 }];
          return 12;
        }
        return undefined;
      },
    });
    render(<ResendScreen accountId={3} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    await screen.findByTestId("mode-bulk");
    // The budget next to the button.
    await waitFor(() => expect(screen.getByTestId("budget-left").textContent).toBe("24 of 25 requests left today"));
    expect(screen.getByTestId("budget-next").textContent).toMatch(/Next request allowed in (41|42|43) s/);

    fireEvent.click(screen.getByTestId("mode-bulk").querySelector("input")!);
    fireEvent.click(await screen.findByTestId("bulk-window-preset-last_hour", {}, DATE_FIELD_WAIT));
    fireEvent.click(screen.getByTestId("bulk-plan"));
    await screen.findByTestId("plan-dialog");
    const req = calls.find((c) => c.cmd === "plan_job")!.args.request as { since: number; until: number; operation: string };
    expect(req.operation).toBe("resend-webhooks");
    // The last hour, from the minute an hour ago until now.
    expect(req.until - req.since).toBeGreaterThanOrEqual(3600);
    expect(req.until - req.since).toBeLessThan(3660);
    expect(screen.getByTestId("plan-calls").textContent).toContain("5");
    expect(screen.getByTestId("plan-duration").textContent).toContain("4 min 5 s");
    expect(screen.getByTestId("plan-days").textContent).toContain("1");
    expect(calls.some((c) => c.cmd === "start_job")).toBe(false);

    const start = screen.getByTestId("plan-start") as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    fireEvent.click(screen.getByTestId("plan-tick"));
    expect(start.disabled).toBe(false);
    fireEvent.click(start);
    await waitFor(() => expect(screen.queryByTestId("plan-dialog")).toBeNull());
    expect(calls.find((c) => c.cmd === "start_job")!.args.request).toEqual(req);
    // The new job is in Jobs as the plan closes: it takes the dialog's place, nothing to wait for.
    expect(screen.getByTestId("job-done").textContent).toBe("1 of 5 done");
  });

  it("shows a plan's note and a multi-day warning", async () => {
    mockBackend({
      accounts: [ACCOUNT],
      on: (cmd) =>
        cmd === "budget_status"
          ? { ...BUDGET, remaining_today: 25, next_allowed_at_ms: 0, now_ms: 0 }
          : cmd === "plan_job"
            ? { ...PLAN, days: 2, estimated_seconds: 90_000, note: "bulk.note.ceffu" }
            : undefined,
    });
    render(<ResendScreen accountId={3} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    fireEvent.click((await screen.findByTestId("mode-bulk")).querySelector("input")!);
    fireEvent.click(await screen.findByTestId("bulk-window-preset-yesterday", {}, DATE_FIELD_WAIT));
    fireEvent.click(screen.getByTestId("bulk-plan"));
    await screen.findByTestId("plan-dialog");
    expect(screen.getByTestId("plan-days-warning").textContent).toContain("2 days");
    expect(screen.getByTestId("plan-note").textContent).toBe(i18n.t("bulk.note.ceffu"));
    expect(screen.getByTestId("plan-duration").textContent).toContain("25 h");
  });
});

describe("jobs panel", () => {
  const noop = () => undefined;

  it("renders progress, counts, the countdown and pause/cancel while running", () => {
    const live = mergeProgress(JOB, {
      job_id: 12, state: "running", done: 1, total: 5, ok: 1, failed: 0, unknown: 0, throttled: 0, eta_seconds: 240, estimated_at_ms: null,
      waiting_until_ms: Date.now() + 45_000,
    });
    render(<JobsPanel descriptors={PROVIDERS} jobs={[live]} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} />);
    expect(screen.getByTestId("job-done").textContent).toBe("1 of 5 done");
    expect(screen.getByTestId("job-progress-bar").getAttribute("aria-valuenow")).toBe("1");
    expect(screen.getByTestId("job-ok").textContent).toBe("1 succeeded");
    expect(screen.getByTestId("job-waiting").textContent).toMatch(/next request in (44|45|46) s/);
    expect(screen.getByTestId("job-eta").textContent).toBe("About 4 min left");
    expect(screen.getByTestId("job-state").textContent).toBe("Running");
    // The job is named by its operation's label in the provider's descriptor.
    expect(screen.getByText("Resend webhooks in a time window")).toBeTruthy();
    expect(screen.getByTestId("job-pause")).toBeTruthy();
    expect(screen.queryByTestId("job-resume")).toBeNull();
  });

  it("offers Resume for an interrupted job and says what was done", () => {
    const calls: number[] = [];
    const job = { ...JOB, state: "interrupted" as const, next_index: 3, ok: 2, unknown: 1, eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null };
    render(<JobsPanel descriptors={PROVIDERS} jobs={[job]} busy={null} onPause={noop} onCancel={noop} onResume={(id) => calls.push(id)} onSeeHistory={noop} />);
    expect(screen.getByTestId("job-interrupted").textContent).toContain("3 of 5");
    expect(screen.getByTestId("job-unknown").textContent).toBe("1 unknown");
    expect(screen.queryByTestId("job-waiting")).toBeNull();
    fireEvent.click(screen.getByTestId("job-resume"));
    expect(calls).toEqual([12]);
  });

  it("formats durations in the UI language", async () => {
    expect(formatDuration(i18n.t, 59)).toBe("59 s");
    expect(formatDuration(i18n.t, 3600 + 120)).toBe("1 h 2 min");
    await changeLanguage("zh-CN");
    // Chinese writes no spaces inside or around a duration ("59 秒 后" read as stray spaces).
    expect(formatDuration(i18n.t, 125)).toBe("2分5秒");
    expect(i18n.t("bulk.budget_next_in", { time: formatDuration(i18n.t, 59) })).toBe("59秒后可发送下一个请求");
  });
});
