import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import {
  api, asCoreError, type AccountView, type BudgetStatus, type CoreError, type ExportResult, type JobProgress, type JobView,
  type OperationDescriptor, type Plan, type PlanRequest,
} from "../api";
import { ErrorBox } from "./ErrorBox";
import { accountTitle } from "../lib/account";
import { formatLocal, parseLocalDateTime, toLocalInput } from "../lib/time";
import { parseIntegerList, parseTextList } from "../lib/form";
import { EnvPill } from "./EnvBadge";
import { LoadIds } from "./LoadIds";
import { Modal } from "./Modal";

/** Ceffu's event types (deposit/withdrawal × succeeded/failed). */
export const CEFFU_EVENT_TYPES = ["1", "2", "3", "4"];

/** How a provider's resend can be done in bulk, `null` when it cannot. */
export function bulkKind(provider: string, op: OperationDescriptor | undefined): "since" | "serials" | "identifiers" | null {
  if (!op) return null;
  if ((provider === "ccpayment" || provider === "ceffu") && op.name === "resend-webhooks") return "since";
  if (provider === "cybavo" && (op.name === "resend-withdrawal-callbacks" || op.name === "resend-deposit-callbacks")) return "serials";
  if (provider === "avista" && op.name === "resend-webhook") return "identifiers";
  return null;
}

/** The operation's own fields that bulk mode fills itself (the time window, the id of one callback). */
export const BULK_OWNED = [
  "start_timestamp", "end_timestamp", "startTimestamp", "endTimestamp", "resendFromDateTime", "eventType", "notification_id",
  "transaction_identifier",
];

/** What the bulk form holds. */
export type BulkValues = {
  /** Hours back from the moment of planning, or a local date-time. */
  sinceHours: number | null;
  sinceText: string;
  eventTypes: string[];
  /** CYBAVO: every pending or failed callback, or the pasted serials. */
  cybavoAll: boolean;
  list: string;
};

export const EMPTY_BULK: BulkValues = { sinceHours: 24, sinceText: "", eventTypes: [...CEFFU_EVENT_TYPES], cybavoAll: true, list: "" };

/** The plan request of the bulk form, or the key of what is wrong with it. */
export function bulkRequest(
  account: AccountView,
  op: OperationDescriptor,
  values: BulkValues,
  params: Record<string, unknown>,
  nowMs: number,
): { request: PlanRequest } | { error: string } {
  const kind = bulkKind(account.provider, op);
  const p: Record<string, unknown> = { ...params };
  let since: number | null = null;
  let until: number | null = null;
  if (kind === "since") {
    until = Math.floor(nowMs / 1000);
    if (values.sinceHours !== null) since = until - values.sinceHours * 3600;
    else {
      const ms = parseLocalDateTime(values.sinceText);
      if (ms === null) return { error: "bulk.error_since" };
      since = Math.floor(ms / 1000);
      if (since >= until) return { error: "bulk.error_since_future" };
    }
    if (account.provider === "ceffu") {
      if (!values.eventTypes.length) return { error: "bulk.error_event_types" };
      p.eventTypes = values.eventTypes;
    }
  } else if (kind === "serials") {
    if (!values.cybavoAll) {
      const { values: ids, invalid } = parseIntegerList(values.list);
      if (invalid.length || !ids.length) return { error: "bulk.error_serials" };
      p.serials = ids.map(Number);
    } else {
      p.notification_id = 0;
    }
  } else if (kind === "identifiers") {
    const ids = parseTextList(values.list);
    if (!ids.length) return { error: "bulk.error_identifiers" };
    p.transaction_identifiers = ids;
  }
  return { request: { account_id: account.id, operation: op.name, params: p, since, until } };
}

/** "2 h 5 min", "45 s", in the UI language. */
export function formatDuration(t: TFunction, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("bulk.dur_s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t("bulk.dur_m_s", { m, s: s % 60 }) : t("bulk.dur_m", { m });
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? t("bulk.dur_h_m", { h, m: m % 60 }) : t("bulk.dur_h", { h });
  return t("bulk.dur_d_h", { d: Math.floor(h / 24), h: h % 24 });
}

/** The current time, ticking every second (for countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(h);
  }, []);
  return now;
}

/** The bulk part of the Resend form: since when (or which ids). */
export function BulkFields(props: { account: AccountView; op: OperationDescriptor; values: BulkValues; onChange: (v: BulkValues) => void }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const v = props.values;
  const set = (patch: Partial<BulkValues>) => props.onChange({ ...v, ...patch });
  const kind = bulkKind(props.account.provider, props.op);
  return (
    <div className="bulk-fields" data-testid="bulk-fields">
      {kind === "since" && (
        <fieldset className="field wide">
          <legend className="field-label">{t("bulk.since")}</legend>
          <div className="row wrap">
            {[1, 5, 24, 72].map((h) => (
              <button
                key={h}
                type="button"
                className={`btn small${v.sinceHours === h ? " primary" : ""}`}
                onClick={() => set({ sinceHours: h })}
                data-testid={`bulk-since-${h}h`}
                aria-pressed={v.sinceHours === h}
              >
                {t(`bulk.since_${h}h`)}
              </button>
            ))}
            <input
              type="datetime-local"
              step={1}
              value={v.sinceHours === null ? v.sinceText : ""}
              onChange={(e) => set({ sinceHours: null, sinceText: e.target.value })}
              onFocus={() => v.sinceHours !== null && set({ sinceHours: null, sinceText: toLocalInput(Date.now() - v.sinceHours * 3600_000) })}
              data-testid="bulk-since-at"
              aria-label={t("bulk.since_at")}
            />
          </div>
          <span className="field-help">{t(`bulk.since_help.${props.account.provider}`)}</span>
        </fieldset>
      )}
      {kind === "since" && props.account.provider === "ceffu" && (
        <fieldset className="field wide">
          <legend className="field-label">{t("bulk.event_types")}</legend>
          <div className="row wrap">
            {CEFFU_EVENT_TYPES.map((e) => (
              <label className="check" key={e}>
                <input
                  type="checkbox"
                  checked={v.eventTypes.includes(e)}
                  data-testid={`bulk-event-${e}`}
                  onChange={(ev) =>
                    set({ eventTypes: ev.target.checked ? [...v.eventTypes, e].sort() : v.eventTypes.filter((x) => x !== e) })
                  }
                />
                <span>{t(`choices.ceffu.eventType.${e}`)}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {kind === "serials" && (
        <fieldset className="field wide">
          <legend className="field-label">{t("bulk.which_callbacks")}</legend>
          <label className="check">
            <input type="radio" name="bulk-cybavo" checked={v.cybavoAll} onChange={() => set({ cybavoAll: true })} data-testid="bulk-cybavo-all" />
            <span>{t("bulk.cybavo_all")}</span>
          </label>
          <label className="check">
            <input type="radio" name="bulk-cybavo" checked={!v.cybavoAll} onChange={() => set({ cybavoAll: false })} data-testid="bulk-cybavo-list" />
            <span>{t("bulk.cybavo_list")}</span>
          </label>
          {!v.cybavoAll && (
            <>
              <textarea rows={6} value={v.list} onChange={(e) => set({ list: e.target.value })} data-testid="bulk-list" placeholder="90000000001, 90000000002" aria-label={t("bulk.cybavo_list")} />
              <LoadIds kind="integer" onLoaded={(ids) => set({ list: ids.join("\n") })} testId="bulk-list-file">
                <span className="field-hint" data-testid="bulk-list-count">{t("work.list_count", { n: nf.format(parseIntegerList(v.list).values.length) })}</span>
              </LoadIds>
              <span className="field-help">{t("bulk.list_help")}</span>
            </>
          )}
        </fieldset>
      )}
      {kind === "identifiers" && (
        <div className="field wide">
          <label className="field-label" htmlFor="bulk-list">{t("bulk.identifiers")}</label>
          <textarea id="bulk-list" rows={6} value={v.list} onChange={(e) => set({ list: e.target.value })} data-testid="bulk-list" />
          <LoadIds kind="text" onLoaded={(ids) => set({ list: ids.join("\n") })} testId="bulk-list-file">
            <span className="field-hint" data-testid="bulk-list-count">{t("work.list_count", { n: nf.format(new Set(parseTextList(v.list)).size) })}</span>
          </LoadIds>
          <span className="field-help">{t("bulk.list_help")}</span>
        </div>
      )}
    </div>
  );
}

/** The plan, shown before anything is sent: how many calls, how long, over how many days. */
export function PlanDialog(props: {
  account: AccountView;
  op: OperationDescriptor;
  plan: Plan;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [ticked, setTicked] = useState(false);
  const production = props.account.environment === "production";
  const [typed, setTyped] = useState("");
  const ok = ticked && (!production || typed.trim() === props.account.label);
  const { plan } = props;
  const note = plan.note ? t(plan.note) : null;
  return (
    <Modal title={t("bulk.plan_title")} onClose={props.onCancel} testId="plan-dialog" tone="danger">
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="plan-account">{accountTitle(t, props.account)}</dd>
        <dt>{t("env.label")}</dt>
        <dd><EnvPill environment={props.account.environment} /></dd>
        <dt>{t("work.operation")}</dt>
        <dd>{t(props.op.label_key)}</dd>
      </dl>
      <div className="plan-numbers">
        <div className="plan-number" data-testid="plan-calls">
          <span className="plan-value">{plan.calls.length}</span>
          <span className="plan-label">{t("bulk.plan_calls")}</span>
        </div>
        <div className="plan-number" data-testid="plan-duration">
          <span className="plan-value">{plan.estimated_seconds > 0 ? formatDuration(t, plan.estimated_seconds) : t("bulk.right_away")}</span>
          <span className="plan-label">{t("bulk.plan_duration")}</span>
        </div>
        <div className="plan-number" data-testid="plan-days">
          <span className="plan-value">{plan.days}</span>
          <span className="plan-label">{t("bulk.plan_days")}</span>
        </div>
      </div>
      {plan.days > 1 && <div className="warning" data-testid="plan-days-warning">{t("bulk.plan_days_warning", { days: plan.days })}</div>}
      {note && <div className="info-note" data-testid="plan-note">{note}</div>}
      <div className="warning">{t("bulk.plan_background")}</div>
      <div className="warning" data-testid="confirm-duplicates">{t("confirm.duplicates")}</div>
      <label className="check">
        <input type="checkbox" checked={ticked} data-testid="plan-tick" onChange={(e) => setTicked(e.target.checked)} />
        <span>{t("bulk.plan_tick", { n: plan.calls.length })}</span>
      </label>
      {production && (
        <label className="field wide">
          <span className="field-label">{t("confirm.type_name", { label: props.account.label })}</span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="plan-type-name" />
        </label>
      )}
      <div className="row actions modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="plan-cancel">{t("common.cancel")}</button>
        <button type="button" className="btn danger" disabled={!ok || props.busy || plan.calls.length === 0} onClick={props.onConfirm} data-testid="plan-start">
          {props.busy ? t("bulk.starting") : t("bulk.start", { n: plan.calls.length })}
        </button>
      </div>
    </Modal>
  );
}

/** The account's budget for an operation: calls left today and when the next one may go. */
export function BudgetLine(props: { status: BudgetStatus | null }) {
  const { t } = useTranslation();
  const now = useNow();
  const s = props.status;
  if (!s || !s.limited) return null;
  // The core and this window read the same machine's clock.
  const wait = Math.ceil((s.next_allowed_at_ms - Math.max(now, Date.now())) / 1000);
  return (
    <div className="budget-line" data-testid="budget">
      {s.remaining_today !== null && (
        <span className="budget-item" data-testid="budget-left">{t("bulk.budget_left", { left: s.remaining_today, total: s.per_day ?? 0 })}</span>
      )}
      <span className="budget-item" data-testid="budget-next">
        {wait > 0 ? t("bulk.budget_next_in", { time: formatDuration(t, wait) }) : t("bulk.budget_next_now")}
      </span>
    </div>
  );
}

/** A job's numbers: the stored row, updated by the latest progress event. */
export type JobLive = JobView & { eta_seconds: number | null; waiting_until_ms: number | null };

export function mergeProgress(job: JobView | JobLive, p: JobProgress): JobLive {
  return {
    ...job,
    state: p.state,
    next_index: p.done,
    total: p.total,
    ok: p.ok,
    failed: p.failed,
    unknown: p.unknown,
    throttled: p.throttled,
    eta_seconds: p.state === "running" ? p.eta_seconds : null,
    waiting_until_ms: p.state === "running" ? p.waiting_until_ms : null,
  };
}

/**
 * The latest progress of each job, kept while the app runs: an event may arrive before the job is in the
 * list, and a screen may be left and opened again while a job waits (its next event can be a minute away).
 */
const LATEST_PROGRESS = new Map<number, JobProgress>();
const progressListeners = new Set<(p: JobProgress) => void>();
let listening = false;

/** Calls `cb` with every progress report of every job (one IPC listener for the whole app). */
export function onJobProgress(cb: (p: JobProgress) => void): () => void {
  if (!listening) {
    listening = true;
    api
      .onJobProgress((p) => {
        LATEST_PROGRESS.set(p.job_id, p);
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

/** Every job with its live progress; `reload` after starting one. */
export function useJobs(): { jobs: JobLive[]; reload: () => void } {
  const [jobs, setJobs] = useState<JobLive[]>([]);
  const reload = useCallback(() => {
    api
      .listJobs()
      .then((list) =>
        setJobs(
          list.map((j) => {
            const p = LATEST_PROGRESS.get(j.id);
            return p && p.state === "running" && j.state === "running" && p.done >= j.next_index
              ? mergeProgress(j, p)
              : { ...j, eta_seconds: null, waiting_until_ms: null };
          }),
        ),
      )
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    reload();
    return onJobProgress((p) => {
      setJobs((prev) => {
        if (!prev.some((j) => j.id === p.job_id)) {
          reload();
          return prev;
        }
        return prev.map((j) => (j.id === p.job_id ? mergeProgress(j, p) : j));
      });
    });
  }, [reload]);
  const elsewhere = jobs.some((j) => j.state === "running" && j.runner_pid !== null);
  useEffect(() => {
    if (!elsewhere) return;
    const h = window.setInterval(reload, ELSEWHERE_POLL_MS);
    return () => window.clearInterval(h);
  }, [elsewhere, reload]);
  return { jobs, reload };
}

/** How many jobs the panel shows before "Show all". */
export const JOBS_SHOWN = 5;

/**
 * The Jobs panel with its actions (pause, cancel, resume, save results), on every screen that starts
 * jobs. `onShowResults` adds "Show results" to look-up jobs (the Query screen).
 */
export function JobsSection(props: {
  jobs: JobLive[];
  reload: () => void;
  onSeeHistory: (jobId: number) => void;
  onShowResults?: (job: JobLive) => void;
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
      setSaved((prev) => ({ ...prev, [i]: r }));
    });
  return (
    <JobsPanel
      jobs={props.jobs}
      busy={busy}
      error={error}
      saved={saved}
      onPause={(id) => act(id, api.pauseJob)}
      onCancel={(id) => act(id, api.cancelJob)}
      onResume={(id) => act(id, api.resumeJob)}
      onSave={save}
      onSeeHistory={props.onSeeHistory}
      onShowResults={props.onShowResults}
    />
  );
}

/** Bulk jobs with their progress and controls. */
export function JobsPanel(props: {
  jobs: JobLive[];
  busy: number | null;
  onPause: (id: number) => void;
  onCancel: (id: number) => void;
  onResume: (id: number) => void;
  onSeeHistory: (id: number) => void;
  onSave?: (id: number) => void;
  onShowResults?: (job: JobLive) => void;
  /** Where each job's results were saved. */
  saved?: Record<number, ExportResult>;
  /** The last action's error, shown on its job. */
  error?: { jobId: number; error: CoreError } | null;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const [showAll, setShowAll] = useState(false);
  if (!props.jobs.length) return null;
  const nf = new Intl.NumberFormat(i18n.language);
  const shown = showAll ? props.jobs : props.jobs.slice(0, JOBS_SHOWN);
  return (
    <section className="card wide-card" data-testid="jobs-panel">
      <div className="card-head">
        <h3 className="card-title">{t("bulk.jobs_title")}</h3>
      </div>
      <p className="field-help">{t("bulk.jobs_help")}</p>
      <div className="jobs-list">
        {shown.map((j) => {
          const pct = j.total ? Math.round((j.next_index / j.total) * 100) : 100;
          const waitS = j.waiting_until_ms ? Math.ceil((j.waiting_until_ms - Math.max(now, Date.now())) / 1000) : 0;
          const busy = props.busy === j.id;
          const elsewhere = j.state === "running" && j.runner_pid !== null;
          const resumable = j.state === "paused" || j.state === "interrupted" || j.state === "cancelled";
          const saved = props.saved?.[j.id];
          const error = props.error?.jobId === j.id ? props.error.error : null;
          return (
            <div className={`job-card job-${j.state}`} key={j.id} data-testid="job-card" data-job-id={j.id} data-state={j.state} data-operation={j.operation}>
              <div className="job-head">
                <div>
                  <div className="job-title">{t(`ops.${j.provider}.${j.operation}.label`)}</div>
                  <div className="meta">
                    #{j.id} · {j.account_label} · {t("bulk.job_started", { when: formatLocal(j.created_at_ms, i18n.language) })}
                  </div>
                </div>
                <span className={`pill job-state-${j.state}`} data-testid="job-state">{t(`bulk.state.${j.state}`)}</span>
              </div>
              <div
                className="progress"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={j.total}
                aria-valuenow={j.next_index}
                data-testid="job-progress-bar"
              >
                <div className="progress-fill" style={{ width: `${pct}%` }} />
              </div>
              <div className="job-numbers">
                <span className="job-done" data-testid="job-done">{t("bulk.done_of", { done: nf.format(j.next_index), total: nf.format(j.total) })}</span>
                <span className="outcome-count ok" data-testid="job-ok">{t("bulk.count_ok", { n: nf.format(j.ok) })}</span>
                <span className="outcome-count failed" data-testid="job-failed">{t("bulk.count_failed", { n: nf.format(j.failed) })}</span>
                <span className="outcome-count unknown" data-testid="job-unknown">{t("bulk.count_unknown", { n: nf.format(j.unknown) })}</span>
              </div>
              {j.state === "running" && !elsewhere && (
                <div className="job-timing">
                  {waitS > 0 && (
                    <span data-testid="job-waiting">{t("bulk.waiting", { time: formatDuration(t, waitS) })}</span>
                  )}
                  {j.eta_seconds !== null && j.eta_seconds > 0 && (
                    <span data-testid="job-eta">{t("bulk.eta", { time: formatDuration(t, j.eta_seconds) })}</span>
                  )}
                </div>
              )}
              {elsewhere && <div className="info-note" data-testid="job-elsewhere">{t("bulk.elsewhere", { pid: j.runner_pid })}</div>}
              {j.state === "interrupted" && <div className="warning" data-testid="job-interrupted">{t("bulk.interrupted", { done: j.next_index, total: j.total })}</div>}
              {j.state === "paused" && <div className="info-note">{t("bulk.paused_note")}</div>}
              {j.unknown > 0 && <div className="info-note">{t("bulk.unknown_note")}</div>}
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
                {props.onShowResults && j.operation === "query-callbacks" && j.state !== "running" && (
                  <button type="button" className="btn" onClick={() => props.onShowResults?.(j)} data-testid="job-show-results">{t("bulk.show_results")}</button>
                )}
                {props.onSave && j.state !== "running" && (
                  <button type="button" className="btn" disabled={busy} onClick={() => props.onSave?.(j.id)} data-testid="job-save">{t("bulk.save_results")}</button>
                )}
                <button type="button" className="btn link" onClick={() => props.onSeeHistory(j.id)} data-testid="job-history">{t("bulk.see_history")}</button>
              </div>
            </div>
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
