// Every bulk job with its live progress: one `job-progress` listener for the whole app, the latest
// progress of each job kept across screens.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type JobProgress, type JobView } from "../api";

/** A job's numbers: the stored row, updated by the latest progress event, with what its time left is worked out from. */
export type JobLive = JobView & {
  eta_seconds: number | null;
  /** When the runner worked `eta_seconds` out (Unix ms). */
  estimated_at_ms: number | null;
  waiting_until_ms: number | null;
  /** The first completed count seen while this run goes on, and when (the pace is measured from it). */
  pace_from: { done: number; atMs: number } | null;
  /** When this window last saw a call complete. */
  last_done_at_ms: number | null;
};

/** A stored job before any progress report. */
export function stillJob(job: JobView): JobLive {
  return { ...job, eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null };
}

export function mergeProgress(job: JobView | JobLive, p: JobProgress, now = Date.now()): JobLive {
  const running = p.state === "running";
  const before = "pace_from" in job ? job : stillJob(job);
  const progressed = p.done > job.next_index;
  const paceFrom = before.pace_from && p.done >= before.pace_from.done ? before.pace_from : { done: p.done, atMs: now };
  return {
    ...job,
    state: p.state,
    next_index: p.done,
    total: p.total,
    ok: p.ok,
    failed: p.failed,
    unknown: p.unknown,
    throttled: p.throttled,
    // The report just arrived: the job changed now (the sidebar's badge counts failures by it).
    updated_at_ms: Math.max(job.updated_at_ms, now),
    eta_seconds: running ? p.eta_seconds : null,
    estimated_at_ms: running ? (p.estimated_at_ms ?? now) : null,
    waiting_until_ms: running ? p.waiting_until_ms : null,
    pace_from: running ? paceFrom : null,
    last_done_at_ms: running ? (progressed ? now : before.last_done_at_ms) : null,
  };
}

/**
 * The latest progress of each job, kept while the app runs: an event may arrive before the job is in the
 * list, and a screen may be left and opened again while a job waits (its next event can be a minute away).
 */
const LATEST_PROGRESS = new Map<number, JobProgress>();
/** How many reports have arrived, and the number of each job's latest: a report numbered above the count
 * when a reading of the list was asked for arrived after it, and may be newer than what the list says. */
let reportsArrived = 0;
const LATEST_REPORT = new Map<number, number>();
const progressListeners = new Set<(p: JobProgress) => void>();
let listening = false;

/** Calls `cb` with every progress report of every job (one IPC listener for the whole app). */
export function onJobProgress(cb: (p: JobProgress) => void): () => void {
  if (!listening) {
    listening = true;
    api
      .onJobProgress((p) => {
        LATEST_PROGRESS.set(p.job_id, p);
        LATEST_REPORT.set(p.job_id, ++reportsArrived);
        progressListeners.forEach((l) => l(p));
      })
      .catch(() => {
        listening = false;
      });
  }
  progressListeners.add(cb);
  return () => {
    progressListeners.delete(cb);
  };
}

/** How often the list is read again while a job runs in another process (no events come from there). */
const ELSEWHERE_POLL_MS = 3000;

/** Every job with its live progress; `reload` after starting one (it settles once the list is read). */
export function useJobs(): { jobs: JobLive[]; reload: () => Promise<void> } {
  const [jobs, setJobs] = useState<JobLive[]>([]);
  // Readings of the list may answer out of order: one asked for earlier never replaces a later one.
  const asked = useRef(0);
  const shown = useRef(0);
  const reload = useCallback(() => {
    const reading = ++asked.current;
    const reportsBefore = reportsArrived;
    return api
      .listJobs()
      .then((list) => {
        if (reading < shown.current) return;
        shown.current = reading;
        setJobs((prev) =>
          list.map((j) => {
            const p = LATEST_PROGRESS.get(j.id);
            if (!p || p.done < j.next_index) return stillJob(j);
            // A report that arrived while the list was being read can be newer than the list: a job that
            // finished meanwhile is shown finished. Not one that says running where the list has the job
            // stopped at the same count (stopping comes after).
            const newer =
              (LATEST_REPORT.get(j.id) ?? 0) > reportsBefore && !(p.state === "running" && j.state !== "running" && p.done === j.next_index);
            if (!newer && (p.state !== "running" || j.state !== "running")) return stillJob(j);
            // The pace measured so far is kept across readings of the list.
            const seen = prev.find((x) => x.id === j.id);
            const kept = seen && seen.state === "running" ? { pace_from: seen.pace_from, last_done_at_ms: seen.last_done_at_ms } : {};
            return mergeProgress({ ...stillJob(j), ...kept }, p);
          }),
        );
      })
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    void reload();
    return onJobProgress((p) => {
      setJobs((prev) => {
        if (!prev.some((j) => j.id === p.job_id)) {
          void reload();
          return prev;
        }
        return prev.map((j) => (j.id === p.job_id ? mergeProgress(j, p) : j));
      });
    });
  }, [reload]);
  const elsewhere = jobs.some((j) => j.state === "running" && j.runner_pid !== null);
  useEffect(() => {
    if (!elsewhere) return;
    const h = window.setInterval(() => void reload(), ELSEWHERE_POLL_MS);
    return () => window.clearInterval(h);
  }, [elsewhere, reload]);
  return { jobs, reload };
}

/** The screens that hold the Jobs panel: their sidebar entries show the jobs' badges. */
export const JOB_SCREENS = ["resend", "query"] as const;

/** What a sidebar entry says of the jobs: how many run, and how many need the user. */
export type JobBadge = { running: number; attention: number };

/**
 * Running jobs, and the jobs that need the user: every interrupted one (it waits for Resume or Cancel), and
 * those that stopped with failed or unknown calls after `since` (ms), i.e. since the screen was last left.
 */
export function jobBadge(jobs: JobLive[], since: number): JobBadge {
  const stoppedWithFailures = (j: JobLive) =>
    (j.state === "done" || j.state === "cancelled") && (j.failed > 0 || j.unknown > 0) && j.updated_at_ms > since;
  return {
    running: jobs.filter((j) => j.state === "running").length,
    attention: jobs.filter((j) => j.state === "interrupted" || stoppedWithFailures(j)).length,
  };
}

/**
 * The badge of each screen holding the Jobs panel, for the sidebar. Failures count from when the app started,
 * and on a screen from when it was last left (on the screen itself its panel shows them).
 */
export function useJobBadges(current: string): Record<(typeof JOB_SCREENS)[number], JobBadge> {
  const { jobs } = useJobs();
  const [started] = useState(() => Date.now());
  const leftAt = useRef<Record<string, number>>({});
  const shown = useRef(current);
  if (shown.current !== current) {
    leftAt.current[shown.current] = Date.now();
    shown.current = current;
  }
  const badge = (screen: string) => jobBadge(jobs, screen === current ? Infinity : (leftAt.current[screen] ?? started));
  return { resend: badge("resend"), query: badge("query") };
}
