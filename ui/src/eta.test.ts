// The time left on a job card: worked out again at each report, counted down between reports.
import { describe, expect, it } from "vitest";
import { estimateEta, type EtaInput } from "./lib/eta";

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const base: EtaInput = {
  total: 10, done: 2, budgetSeconds: 240, estimatedAtMs: T0, waitingUntilMs: null, paceFrom: null, lastDoneAtMs: null,
};

describe("the estimate of a running job's time left", () => {
  it("counts the budget's estimate down from when it was made", () => {
    expect(estimateEta(base, T0).secondsLeft).toBe(240);
    expect(estimateEta(base, T0 + 30_000).secondsLeft).toBe(210);
    expect(estimateEta(base, T0 + 30_400).secondsLeft).toBe(210);
  });

  it("is worked out again from a new report", () => {
    const later = { ...base, done: 5, budgetSeconds: 90, estimatedAtMs: T0 + 150_000 };
    expect(estimateEta(later, T0 + 150_000).secondsLeft).toBe(90);
    expect(estimateEta(later, T0 + 160_000).secondsLeft).toBe(80);
  });

  it("takes the measured pace when the provider's answers take longer than the budget allows", () => {
    // 4 calls in 40 s since the window first saw the job: 10 s a call, 6 left.
    const slow = { ...base, done: 4, budgetSeconds: 5, paceFrom: { done: 0, atMs: T0 }, lastDoneAtMs: T0 + 40_000, estimatedAtMs: T0 + 40_000 };
    expect(estimateEta(slow, T0 + 40_000).secondsLeft).toBe(60);
    expect(estimateEta(slow, T0 + 45_000).secondsLeft).toBe(55);
    // A budget that allows less than the pace wins.
    expect(estimateEta({ ...slow, budgetSeconds: 300 }, T0 + 40_000).secondsLeft).toBe(300);
  });

  it("works from the pace alone when the runner gave no estimate", () => {
    const paced = { ...base, budgetSeconds: null, estimatedAtMs: null, paceFrom: { done: 1, atMs: T0 }, lastDoneAtMs: T0 + 3_000 };
    expect(estimateEta(paced, T0 + 3_000).secondsLeft).toBe(24);
  });

  it("never goes below zero: the last calls are on their way", () => {
    expect(estimateEta(base, T0 + 600_000).secondsLeft).toBe(0);
  });

  it("says nothing before anything is known, nor of a job with every call done", () => {
    expect(estimateEta({ ...base, budgetSeconds: null, estimatedAtMs: null }, T0)).toEqual({ secondsLeft: null, waitingUntilMs: null });
    expect(estimateEta({ ...base, done: 10 }, T0).secondsLeft).toBeNull();
  });

  it("says until when the job waits for its budget, and no longer once that time has passed", () => {
    const waiting = { ...base, waitingUntilMs: T0 + 45_000 };
    expect(estimateEta(waiting, T0).waitingUntilMs).toBe(T0 + 45_000);
    expect(estimateEta(waiting, T0 + 45_000).waitingUntilMs).toBeNull();
  });
});
