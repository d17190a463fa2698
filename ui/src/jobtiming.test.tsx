// A running job's card keeps its time left moving: counted down every second between the runner's reports,
// worked out again at each report, and saying until when the job waits for the provider's budget.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, render, screen } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { JobsPanel } from "./components/bulk/JobsPanel";
import { useJobs } from "./hooks/useJobs";
import { changeLanguage, missingKeys } from "./i18n";
import { formatClock, formatMinute } from "./lib/time";
import { job, mockBackend, PROVIDERS, setupEach } from "./test/helpers";
import type { JobProgress } from "./api";

setupEach();

const T0 = Date.UTC(2026, 0, 5, 9, 0, 10);
const JOB = job({ id: 12, account_id: 3, account_label: "Shop", provider: "ccpayment", operation: "resend-webhooks", total: 5, state: "running", next_index: 1, ok: 1 });
const noop = () => undefined;

function report(more: Partial<JobProgress>): JobProgress {
  return { job_id: 12, state: "running", done: 1, total: 5, ok: 1, failed: 0, unknown: 0, throttled: 0, eta_seconds: 240, estimated_at_ms: T0, waiting_until_ms: null, ...more };
}

function Jobs() {
  const { jobs } = useJobs();
  return <JobsPanel descriptors={PROVIDERS} jobs={jobs} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} />;
}

const text = (id: string) => screen.queryByTestId(id)?.textContent ?? null;
const seconds = async (ms: number) => act(async () => void vi.advanceTimersByTime(ms));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe("a running job's time left", () => {
  it("counts down between reports, is worked out again at each, and says until when it waits for the budget", async () => {
    let jobs = [JOB];
    mockBackend({ events: true, jobs: () => jobs });
    render(<Jobs />);
    // The list's answer (promises only: no timer is involved).
    for (let i = 0; i < 5 && !screen.queryByTestId("job-card"); i++) await act(async () => undefined);
    expect(screen.getByTestId("job-card")).toBeTruthy();

    await act(async () => emit("job-progress", report({ waiting_until_ms: T0 + 45_000 })));
    expect(text("job-eta")).toBe("About 4 min left");
    // The next request at 09:00:55.
    const until = formatClock(T0 + 45_000, "en");
    expect(until).toMatch(/^\d\d:00:55$/);
    expect(text("job-waiting")).toBe(`Waiting for the provider's budget until ${until}: next request in 45 s`);

    await seconds(30_000);
    expect(text("job-eta")).toBe("About 3 min 30 s left");
    expect(text("job-waiting")).toBe(`Waiting for the provider's budget until ${until}: next request in 15 s`);

    await seconds(16_000);
    expect(text("job-waiting")).toBeNull();
    expect(text("job-eta")).toBe("About 3 min 14 s left");

    // The second call completed: the runner's new estimate replaces the count-down.
    jobs = [{ ...JOB, next_index: 2, ok: 2 }];
    await act(async () => emit("job-progress", report({ done: 2, ok: 2, eta_seconds: 150, estimated_at_ms: Date.now() })));
    expect(text("job-done")).toBe("2 of 5 done");
    expect(text("job-eta")).toBe("About 2 min 30 s left");
    await seconds(5_000);
    expect(text("job-eta")).toBe("About 2 min 25 s left");
    // A call took 46 s here: when the budget's estimate is shorter than that pace, the pace wins.
    await act(async () => emit("job-progress", report({ done: 2, ok: 2, eta_seconds: 60, estimated_at_ms: Date.now() })));
    expect(text("job-eta")).toBe("About 2 min 13 s left");

    // Counted past its end while the last calls are on their way: it does not say "0 s".
    await seconds(200_000);
    expect(text("job-eta")).toBe("Finishing the last requests…");

    await act(async () => changeLanguage("pt-BR"));
    await act(async () => emit("job-progress", report({ done: 2, ok: 2, eta_seconds: 60, estimated_at_ms: Date.now(), waiting_until_ms: Date.now() + 30_000 })));
    expect(text("job-eta")).toBe("Faltam cerca de 1 min");
    expect(text("job-waiting")).toMatch(/^Aguardando o limite do provedor até \d\d:\d\d(:\d\d)?: próxima solicitação em 30 s$/);

    // A wait into another day says the date too.
    await act(async () => emit("job-progress", report({ done: 2, ok: 2, eta_seconds: 90_000, estimated_at_ms: Date.now(), waiting_until_ms: Date.now() + 86_400_000 })));
    expect(text("job-waiting")).toContain(formatMinute(Date.now() + 86_400_000, "pt-BR"));
    expect(missingKeys.size).toBe(0);
  });
});
