// The Jobs panel: every bulk job with its progress and controls (pause, cancel, resume, save results),
// on every screen that starts jobs.
import { Suspense, useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type CoreError, type ExportResult, type JobFailures, type ProviderDescriptor } from "../../api";
import type { JobLive } from "../../hooks/useJobs";
import { shownLabel } from "../../lib/account";
import { operationOf } from "../../lib/descriptors";
import { formatLocal } from "../../lib/time";
import { ErrorBox } from "../ErrorBox";
import { lazyScreen } from "../../lib/lazyScreen";
import { JobTiming } from "./JobTiming";

// The team workspace's jobs (nothing when solo): a chunk of their own, fetched once the panel is drawn, not
// before the window's first paint.
const TeamJobsSection = lazyScreen(() => import("./TeamJobs").then((m) => m.TeamJobsSection));

/** How many jobs the panel shows before "Show all". */
export const JOBS_SHOWN = 5;

/**
 * The panel with its actions wired to the app. `onShowResults` adds "Show results" to look-up jobs (the
 * Query screen).
 */
export function JobsSection(props: {
  jobs: JobLive[];
  descriptors: ProviderDescriptor[];
  reload: () => void;
  onSeeHistory: (jobId: number) => void;
  onShowResults?: (job: JobLive) => void;
  /** "Fix and retry the failed ones": the screen opens the plan of exactly the failed calls. */
  onRetry?: (failures: JobFailures) => void;
}) {
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<{ jobId: number; error: CoreError } | null>(null);
  const [saved, setSaved] = useState<Record<number, ExportResult>>({});
  const act = async (id: number, f: (id: number) => Promise<unknown>) => {
    setBusy(id);
    setError(null);
    try {
      await f(id);
    } catch (e) {
      setError({ jobId: id, error: asCoreError(e) });
    } finally {
      setBusy(null);
      props.reload();
    }
  };
  const save = (id: number) =>
    act(id, async (i) => {
      const r = await api.saveJobResults(i);
      if (r) setSaved((prev) => ({ ...prev, [i]: r }));
    });
  return (
    <>
    <JobsPanel
      jobs={props.jobs}
      descriptors={props.descriptors}
      busy={busy}
      error={error}
      saved={saved}
      onPause={(id) => act(id, api.pauseJob)}
      onCancel={(id) => act(id, api.cancelJob)}
      onResume={(id) => act(id, api.resumeJob)}
      onSave={save}
      onSeeHistory={props.onSeeHistory}
      onShowResults={props.onShowResults}
      onRetry={props.onRetry}
    />
    <Suspense fallback={null}>
      <TeamJobsSection descriptors={props.descriptors} />
    </Suspense>
    </>
  );
}

type JobActions = {
  onPause: (id: number) => void;
  onCancel: (id: number) => void;
  onResume: (id: number) => void;
  onSeeHistory: (id: number) => void;
  onSave?: (id: number) => void;
  onShowResults?: (job: JobLive) => void;
  onRetry?: (failures: JobFailures) => void;
};

/** Bulk jobs with their progress and controls. */
export function JobsPanel(props: JobActions & {
  jobs: JobLive[];
  descriptors: ProviderDescriptor[];
  busy: number | null;
  /** Where each job's results were saved. */
  saved?: Record<number, ExportResult>;
  /** The last action's error, shown on its job. */
  error?: { jobId: number; error: CoreError } | null;
}) {
  const { t, i18n } = useTranslation();
  const [showAll, setShowAll] = useState(false);
  if (!props.jobs.length) return null;
  const nf = new Intl.NumberFormat(i18n.language);
  const shown = showAll ? props.jobs : props.jobs.slice(0, JOBS_SHOWN);
  return (
    <section className="card wide-card" data-testid="jobs-panel">
      <div className="card-head">
        <h2 className="card-title">{t("bulk.jobs_title")}</h2>
      </div>
      <p className="field-help">{t("bulk.jobs_help")}</p>
      <div className="jobs-list">
        {shown.map((j) => {
          const op = operationOf(props.descriptors, j.provider, j.operation);
          return (
            <JobCard
              key={j.id}
              onPause={props.onPause}
              onCancel={props.onCancel}
              onResume={props.onResume}
              onSeeHistory={props.onSeeHistory}
              onSave={props.onSave}
              onShowResults={props.onShowResults}
              onRetry={props.onRetry}
              job={j}
              title={op ? t(op.label_key) : j.operation}
              lookup={op?.kind === "lookup"}
              busy={props.busy === j.id}
              saved={props.saved?.[j.id]}
              error={props.error?.jobId === j.id ? props.error.error : null}
            />
          );
        })}
      </div>
      {props.jobs.length > JOBS_SHOWN && (
        <div className="row">
          <button type="button" className="btn link" onClick={() => setShowAll(!showAll)} data-testid="jobs-show-all">
            {showAll ? t("bulk.show_fewer") : t("bulk.show_all", { n: nf.format(props.jobs.length) })}
          </button>
        </div>
      )}
    </section>
  );
}

/** One job: its numbers, its timing while it runs, what its state means, and what can be done with it. */
function JobCard(props: JobActions & {
  job: JobLive;
  title: string;
  /** A look-up job, whose results the screen can show. */
  lookup: boolean;
  busy: boolean;
  saved: ExportResult | undefined;
  error: CoreError | null;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const { job: j, busy, saved, error } = props;
  const pct = j.total ? Math.round((j.next_index / j.total) * 100) : 100;
  const elsewhere = j.state === "running" && j.runner_pid !== null;
  const resumable = j.state === "paused" || j.state === "interrupted" || j.state === "cancelled";
  const tone = jobTone(j);
  const failures = useFailures(j);
  const top = failures?.reasons[0];
  return (
    <div className={`job-card job-${j.state} job-tone-${tone}`} data-tone={tone} data-testid="job-card" data-job-id={j.id} data-state={j.state} data-operation={j.operation}>
      <div className="job-head">
        <div>
          <div className="job-title">{props.title}</div>
          <div className="meta">
            #{j.id} · {shownLabel(j.account_label)} · {t("bulk.job_started", { when: formatLocal(j.created_at_ms, i18n.language) })}
          </div>
        </div>
        <span className={`pill job-state-${j.state} job-tone-${tone}`} data-testid="job-state">
          {tone === "failed" || tone === "partial" ? t(`bulk.tone.${tone}`) : t(`bulk.state.${j.state}`)}
        </span>
      </div>
      <div className={`progress progress-${tone}`} role="progressbar" aria-label={`${props.title} · #${j.id}`} aria-valuetext={t("bulk.done_of", { done: nf.format(j.next_index), total: nf.format(j.total) })} aria-valuemin={0} aria-valuemax={j.total} aria-valuenow={j.next_index} data-testid="job-progress-bar">
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="job-numbers">
        <span className="job-done" data-testid="job-done">{t("bulk.done_of", { done: nf.format(j.next_index), total: nf.format(j.total) })}</span>
        <span className={`outcome-count ok${j.ok === 0 ? " zero" : ""}`} data-testid="job-ok">{t("bulk.count_ok", { n: nf.format(j.ok) })}</span>
        <span className={`outcome-count failed${j.failed === 0 ? " zero" : ""}`} data-testid="job-failed">{t("bulk.count_failed", { n: nf.format(j.failed) })}</span>
        <span className={`outcome-count unknown${j.unknown === 0 ? " zero" : ""}`} data-testid="job-unknown">{t("bulk.count_unknown", { n: nf.format(j.unknown) })}</span>
      </div>
      {j.state === "running" && !elsewhere && <JobTiming job={j} />}
      {elsewhere && <div className="info-note" data-testid="job-elsewhere">{t("bulk.elsewhere", { pid: j.runner_pid })}</div>}
      {j.state === "interrupted" && <div className="warning" data-testid="job-interrupted">{t("bulk.interrupted", { done: nf.format(j.next_index), total: nf.format(j.total) })}</div>}
      {j.state === "paused" && <div className="info-note">{t("bulk.paused_note")}</div>}
      {top && (
        <div className="job-reason" data-testid="job-reason">
          <div className="job-reason-head">{t("bulk.failed_why", { count: top.calls, n: nf.format(top.calls) })}</div>
          <ErrorBox error={top.error as CoreError} compact testId="job-reason-error" />
          {failures.reasons.length > 1 && (
            <div className="meta">{t("bulk.failed_other_reasons", { count: failures.reasons.length - 1, n: nf.format(failures.reasons.length - 1) })}</div>
          )}
        </div>
      )}
      {j.unknown > 0 && (
        <div className="info-note" data-testid="job-unknown-note">
          {failures?.retry ? t("bulk.unknown_not_retried", { count: j.unknown, n: nf.format(j.unknown) }) : t("bulk.unknown_note")}
        </div>
      )}
      {error && <ErrorBox error={error} compact testId="job-error" />}
      {saved && (
        <div className="inline-result ok" data-testid="job-saved" data-path={saved.path}>
          {t("bulk.saved", { rows: nf.format(saved.rows), path: saved.path })}
        </div>
      )}
      <div className="row actions">
        {j.state === "running" && !elsewhere && (
          <>
            <button type="button" className="btn" disabled={busy} onClick={() => props.onPause(j.id)} data-testid="job-pause">{t("bulk.pause")}</button>
            <button type="button" className="btn danger-outline" disabled={busy} onClick={() => props.onCancel(j.id)} data-testid="job-cancel">{t("bulk.cancel")}</button>
          </>
        )}
        {resumable && (
          <button type="button" className="btn primary" disabled={busy} onClick={() => props.onResume(j.id)} data-testid="job-resume">{t("bulk.resume")}</button>
        )}
        {(j.state === "paused" || j.state === "interrupted") && (
          <button type="button" className="btn danger-outline" disabled={busy} onClick={() => props.onCancel(j.id)} data-testid="job-cancel">{t("bulk.cancel")}</button>
        )}
        {props.onRetry && failures?.retry && j.state !== "running" && (
          <button type="button" className="btn primary" disabled={busy} onClick={() => props.onRetry?.(failures)} data-testid="job-retry">
            {t("bulk.retry_failed", { count: failures.failed, n: nf.format(failures.failed) })}
          </button>
        )}
        {props.onShowResults && props.lookup && j.state !== "running" && (
          <button type="button" className="btn" onClick={() => props.onShowResults?.(j)} data-testid="job-show-results">{t("bulk.show_results")}</button>
        )}
        {props.onSave && j.state !== "running" && (
          <button type="button" className="btn" disabled={busy} onClick={() => props.onSave?.(j.id)} data-testid="job-save">{t("bulk.save_results")}</button>
        )}
        <button type="button" className="btn link" onClick={() => props.onSeeHistory(j.id)} data-testid="job-history">{t("bulk.see_history")}</button>
      </div>
    </div>
  );
}

/**
 * How a job reads: still going (its state), all done well, some calls failed or unknown (amber), or every
 * call failed (red) — a finished job with failures never looks like a good run.
 */
export function jobTone(j: Pick<JobLive, "state" | "ok" | "failed" | "unknown">): "active" | "ok" | "partial" | "failed" {
  if (j.state === "running" || j.state === "paused" || j.state === "interrupted") return "active";
  if (j.failed > 0 && j.ok === 0 && j.unknown === 0) return "failed";
  if (j.failed > 0 || j.unknown > 0) return "partial";
  return "ok";
}

/** Why a stopped job's calls failed (read once per count of failures). */
function useFailures(j: JobLive): JobFailures | null {
  const [failures, setFailures] = useState<JobFailures | null>(null);
  const wanted = j.failed > 0 && j.state !== "running";
  useEffect(() => {
    if (!wanted) {
      setFailures(null);
      return;
    }
    let alive = true;
    api
      .jobFailures(j.id)
      .then((f) => alive && setFailures(f))
      .catch(() => alive && setFailures(null));
    return () => {
      alive = false;
    };
  }, [j.id, j.failed, wanted]);
  return failures;
}
