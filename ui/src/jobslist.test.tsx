// The jobs list against the app's answers and reports arriving in any order (a file of its own: the app's one
// listener for job reports is made once per window, here once for this test).
import { describe, expect, it } from "vitest";
import { act, renderHook, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { useJobs } from "./hooks/useJobs";
import type { JobProgress, JobView } from "./api";
import { job, mockBackend, setupEach } from "./test/helpers";

const JOB = job({ id: 12, account_id: 3, account_label: "Shop", provider: "ccpayment", operation: "resend-webhooks", total: 2 });

setupEach();

describe("the jobs list", () => {
  it("shows a job that finished while the list was being read as finished, and never an older reading over a newer one", async () => {
    const report = (more: Partial<JobProgress>): JobProgress => ({
      job_id: 12, state: "running", done: 1, total: 2, ok: 1, failed: 0, unknown: 0, throttled: 0, eta_seconds: 0,
      estimated_at_ms: null, waiting_until_ms: null, ...more,
    });
    // Each reading answers what the job was when it was asked for, after `delay` ms.
    let now: JobView = { ...JOB };
    let delay = 0;
    mockBackend({
      events: true,
      on: (cmd) => {
        if (cmd !== "list_jobs") return undefined;
        const snapshot = [now];
        return new Promise((done) => setTimeout(() => done(snapshot), delay));
      },
    });
    const { result } = renderHook(() => useJobs());
    await waitFor(() => expect(result.current.jobs.map((j) => j.next_index)).toEqual([0]));

    // A slow reading asked for after the first call; both calls end and are reported before it answers.
    now = { ...now, next_index: 1, ok: 1 };
    delay = 100;
    let slow: Promise<void> = Promise.resolve();
    act(() => {
      slow = result.current.reload();
    });
    now = { ...now, state: "done", next_index: 2, ok: 2 };
    await act(async () => {
      await emit("job-progress", report({}));
      await emit("job-progress", report({ state: "done", done: 2, ok: 2 }));
    });
    expect(result.current.jobs[0].state).toBe("done");
    await act(() => slow);
    expect(result.current.jobs[0]).toMatchObject({ state: "done", next_index: 2, ok: 2 });

    // Two readings answering out of order: the later one stays.
    delay = 150;
    now = { ...now, state: "running", next_index: 0, ok: 0 };
    let older: Promise<void> = Promise.resolve();
    act(() => {
      older = result.current.reload();
    });
    delay = 0;
    now = { ...now, state: "done", next_index: 2, ok: 2, failed: 0 };
    await act(() => result.current.reload());
    expect(result.current.jobs[0].state).toBe("done");
    await act(() => older);
    expect(result.current.jobs[0]).toMatchObject({ state: "done", next_index: 2 });
  });
});
