// The Query screen's state: the look-up chosen (a tab per look-up the account is offered), the values
// typed for each, and the results of one call or, for more ids than the provider answers at once, of a
// job (read when it stops). Kept for the session: leaving the screen and coming back finds the form, the
// tab and the results as they were.
import { useEffect, useState } from "react";
import {
  api, asCoreError, type AccountView, type ActionResult, type CoreError, type ExportResult, type OperationDescriptor,
  type ProviderDescriptor, type ResultsView,
} from "../api";
import { descriptorOf, lookupOps, operationOf } from "../lib/descriptors";
import { idsAsked, lookupRows, nextCursor, type LookupRow } from "../lib/lookup";
import { buildParams, defaultValues, type FormValues } from "../lib/params";
import { useJobs, type JobLive } from "./useJobs";
import { useSessionState } from "./useSessionState";

/** Result rows a job's look-up shows in the table (all of them go into the saved file). */
export const ROWS_SHOWN = 1000;

/**
 * What the results card shows: one call's answer (with its params, and the ids it asked for when the look-up
 * is by ids), or a job's results once it stops.
 */
type Shown = { op: OperationDescriptor; accountId: number } & (
  | { kind: "call"; result: ActionResult; params: Record<string, unknown>; asked: unknown[] }
  | { kind: "job"; jobId: number }
);

/** The pages after the first of a look-up paged by cursor ("Load more"). */
type More = { rows: LookupRow[]; cursor: string | null; busy: boolean; error: CoreError | null };

export function useLookup(account: AccountView | undefined, descriptors: ProviderDescriptor[]) {
  const ops = lookupOps(account ? descriptorOf(descriptors, account.provider) : undefined, account);
  const [opName, setOpName] = useSessionState<string | null>("query.op", null);
  const op = ops.find((o) => o.name === opName) ?? ops[0];
  const [values, setValues] = useSessionState<Record<string, FormValues>>("query.values", {});
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useSessionState<Shown | null>("query.shown", null);
  const { jobs, reload: reloadJobs } = useJobs();
  const [jobResults, setJobResults] = useSessionState<ResultsView | null>("query.job_results", null);
  const [saved, setSaved] = useSessionState<ExportResult | null>("query.saved", null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<CoreError | null>(null);
  const [more, setMore] = useSessionState<More | null>("query.more", null);

  const jobId = shown?.kind === "job" ? shown.jobId : null;
  const job: JobLive | undefined = jobId === null ? undefined : jobs.find((j) => j.id === jobId);
  const jobStopped = job !== undefined && job.state !== "running";

  // A job's results, read when it stops.
  useEffect(() => {
    if (jobId === null || !jobStopped) return;
    let alive = true;
    api
      .jobResults(jobId, ROWS_SHOWN)
      .then((r) => alive && setJobResults(r))
      .catch((e) => alive && setError(asCoreError(e)));
    return () => {
      alive = false;
    };
  }, [jobId, jobStopped, job?.next_index]); // eslint-disable-line react-hooks/exhaustive-deps

  const valuesOf = (o: OperationDescriptor) => values[o.name] ?? defaultValues(o.fields);
  const current = op ? valuesOf(op) : {};
  const asked = op ? idsAsked(op, current[op.lookup?.asked ?? ""] ?? "") : { count: 0, perCall: null };
  const asJob = asked.perCall !== null && asked.count > asked.perCall;

  const clearResults = () => {
    setShown(null);
    setJobResults(null);
    setSaved(null);
    setSaveError(null);
    setMore(null);
  };

  const search = async () => {
    if (!op || !account) return;
    const built = buildParams(op.fields, current);
    setFormErrors(built.errors);
    if (Object.keys(built.errors).length) return;
    setBusy(true);
    setError(null);
    clearResults();
    try {
      if (asJob) {
        // More ids than one call answers: a job, paced to the account's limits, with progress and cancel.
        const id = await api.startJob({ account_id: account.id, operation: op.name, params: built.params, since: null, until: null, calls: null });
        setShown({ kind: "job", jobId: id, op, accountId: account.id });
        reloadJobs();
      } else {
        const result = await api.runAction({ account_id: account.id, operation: op.name, params: built.params });
        const asked = op.lookup?.asked ? built.params[op.lookup.asked] : undefined;
        setShown({ kind: "call", result, op, accountId: account.id, params: built.params, asked: Array.isArray(asked) ? asked : [] });
      }
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };

  const showJob = (j: JobLive) => {
    const jobOp = operationOf(descriptors, j.provider, j.operation);
    clearResults();
    setError(null);
    if (!jobOp) return;
    setShown({ kind: "job", jobId: j.id, op: jobOp, accountId: j.account_id });
    window.setTimeout(() => document.querySelector("[data-testid=query-results]")?.scrollIntoView?.({ behavior: "smooth", block: "start" }), 100);
  };

  const saveResults = async () => {
    if (!shown) return;
    setSaving(true);
    setSaveError(null);
    try {
      const r = await (shown.kind === "call" ? api.saveActionResults(shown.result.history_id) : api.saveJobResults(shown.jobId));
      if (r) setSaved(r);
    } catch (e) {
      setSaveError(asCoreError(e));
    } finally {
      setSaving(false);
    }
  };

  const cancelJob = () => {
    if (job) void api.cancelJob(job.id).then(reloadJobs, (e) => setError(asCoreError(e)));
  };

  const rows: LookupRow[] =
    shown?.kind === "call" && shown.op.lookup
      ? [...lookupRows(shown.op.lookup, shown.result.result), ...(more?.rows ?? [])]
      : jobResults
        ? jobResults.rows.flatMap((r) => (r.callback ? [r.callback] : []))
        : [];

  // Paging by cursor: the next page's cursor, from the last page read.
  const cursor = shown?.kind === "call" && shown.result.outcome === "ok" ? (more ? more.cursor : nextCursor(shown.op.paging, shown.result.result)) : null;
  const loadMore = async () => {
    if (shown?.kind !== "call" || !shown.op.paging || cursor === null || more?.busy) return;
    const paging = shown.op.paging;
    const before = more ?? { rows: [], cursor, busy: false, error: null };
    setMore({ ...before, busy: true, error: null });
    try {
      const r = await api.runAction({ account_id: shown.accountId, operation: shown.op.name, params: { ...shown.params, [paging.param]: cursor } });
      if (r.outcome !== "ok") setMore({ ...before, error: r.error });
      else setMore({ rows: [...before.rows, ...(shown.op.lookup ? lookupRows(shown.op.lookup, r.result) : [])], cursor: nextCursor(paging, r.result), busy: false, error: null });
    } catch (e) {
      setMore({ ...before, error: asCoreError(e) });
    }
  };

  return {
    ops, op, selectOp: (name: string) => { setOpName(name); setFormErrors({}); },
    values: current, setValues: (v: FormValues) => op && setValues({ ...values, [op.name]: v }), formErrors,
    error, busy, asked, asJob, search,
    shown, job, jobResults, rows, jobs, reloadJobs, showJob, cancelJob,
    /** Paging by cursor: whether there is a next page, reading it, and its error. */
    more: { available: cursor !== null, busy: !!more?.busy, error: more?.error ?? null, load: loadMore },
    saved, saving, saveError, saveResults,
    /** After choosing another account. */
    reset: () => { clearResults(); setError(null); },
    /** Another screen's request: the look-up `name` with these values (e.g. a checked callback's id). */
    prefill: (name: string, v: FormValues) => {
      setOpName(name);
      setValues({ ...values, [name]: v });
      setFormErrors({});
      clearResults();
      setError(null);
    },
  };
}

export type Lookup = ReturnType<typeof useLookup>;
