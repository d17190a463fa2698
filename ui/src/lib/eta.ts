// How long a running job still needs: worked out again at every report of the runner and counted down
// between reports, so the time left on a job card moves even while no call completes.

/** What the window knows of a running job's timing. */
export type EtaInput = {
  total: number;
  /** Calls completed. */
  done: number;
  /** The runner's estimate: seconds until the last call may leave under the provider's budgets. */
  budgetSeconds: number | null;
  /** When the runner worked that estimate out (Unix ms). */
  estimatedAtMs: number | null;
  /** Set while the job waits for its budget: when the next call may leave (Unix ms). */
  waitingUntilMs: number | null;
  /** The first completed count this window saw for the run, and when: the pace is measured from it. */
  paceFrom: { done: number; atMs: number } | null;
  /** When the last call completed (Unix ms), as this window saw it. */
  lastDoneAtMs: number | null;
};

export type Eta = {
  /** Seconds left (0: the last calls are on their way); `null` when nothing can be said yet. */
  secondsLeft: number | null;
  /** When the job waits for its budget: until when (Unix ms). */
  waitingUntilMs: number | null;
};

/**
 * The time left at `nowMs`: the longer of the budget's estimate counted down since it was made, and the pace
 * measured so far (seconds per call since `paceFrom`) for the calls left, counted down since the last call.
 * The budget says when the calls may leave; the pace adds what the provider's answers take.
 */
export function estimateEta(job: EtaInput, nowMs: number): Eta {
  const left = job.total - job.done;
  const waitingUntilMs = job.waitingUntilMs !== null && job.waitingUntilMs > nowMs ? job.waitingUntilMs : null;
  if (left <= 0) return { secondsLeft: null, waitingUntilMs: null };
  const byBudget =
    job.budgetSeconds !== null && job.estimatedAtMs !== null ? job.budgetSeconds - (nowMs - job.estimatedAtMs) / 1000 : null;
  const measured = job.paceFrom !== null && job.lastDoneAtMs !== null ? job.done - job.paceFrom.done : 0;
  const byPace =
    measured > 0 && job.paceFrom !== null && job.lastDoneAtMs !== null
      ? ((job.lastDoneAtMs - job.paceFrom.atMs) / 1000 / measured) * left - (nowMs - job.lastDoneAtMs) / 1000
      : null;
  const known = [byBudget, byPace].filter((s): s is number => s !== null);
  if (!known.length) return { secondsLeft: null, waitingUntilMs };
  return { secondsLeft: Math.max(0, Math.ceil(Math.max(...known))), waitingUntilMs };
}
