// The bulk mode of the Resend form: the bulk values, the plan shown before anything is sent, and
// starting the job.
import { useState } from "react";
import { api, asCoreError, type AccountView, type JobFailures, type OperationDescriptor, type Plan, type PlanRequest } from "../api";
import { bulkFormFields, bulkRequest, emptyBulk, type BulkValues } from "../lib/bulk";
import type { ResendForm } from "./useResendForm";
import { useSessionState } from "./useSessionState";
import type { BulkUpdate } from "../components/bulk/BulkFields";

export function useBulkPlan(account: AccountView | undefined, op: OperationDescriptor | undefined, form: ResendForm, onStarted: () => Promise<void>) {
  // Kept for the session, like the form: the mode and the bulk values come back with the screen.
  const [mode, setMode] = useSessionState<"single" | "bulk">("resend.mode", "single");
  // The bulk values belong to one operation of one account; another one starts afresh.
  const key = account && op ? `${account.id}:${op.name}` : "";
  const [state, setState] = useSessionState<{ key: string; values: BulkValues }>("resend.bulk", () => ({ key, values: emptyBulk(op) }));
  const values = state.key === key ? state.values : emptyBulk(op);
  const [hint, setHint] = useState<string | null>(null);
  // The plan shown; `retry` when it is the failed calls of a job, tried again.
  const [planning, setPlanning] = useState<null | { request: PlanRequest; plan: Plan; retry?: JobFailures }>(null);

  /** Applies a change to the latest values (fields report from effects, after other changes). */
  const setValues = (update: BulkUpdate) => {
    setState((prev) => ({ key, values: update(prev.key === key ? prev.values : emptyBulk(op)) }));
    setHint(null);
  };

  const askPlan = async () => {
    if (!account || !op?.bulk) return;
    const params = form.validate(bulkFormFields(op));
    if (!params) return;
    form.setError(null);
    setHint(null);
    const r = bulkRequest(account.id, { ...op, bulk: op.bulk }, values, params, Date.now());
    if ("error" in r) {
      setHint(r.error);
      return;
    }
    try {
      setPlanning({ request: r.request, plan: await api.planJob(r.request) });
    } catch (e) {
      form.setError(asCoreError(e));
    }
  };

  const start = async () => {
    if (!planning) return;
    form.setBusy(true);
    form.setError(null);
    try {
      await api.startJob(planning.request);
      // The plan closes once the new job is in the Jobs list, so it takes the dialog's place at once.
      await onStarted();
      setPlanning(null);
      window.setTimeout(() => document.querySelector("[data-testid=jobs-panel]")?.scrollIntoView?.({ behavior: "smooth", block: "nearest" }), 100);
    } catch (e) {
      form.setError(asCoreError(e));
      setPlanning(null);
    } finally {
      form.setBusy(false);
    }
  };

  /** "Fix and retry the failed ones": the plan of exactly a job's failed calls, to correct before it starts. */
  const planRetry = async (failures: JobFailures, request: PlanRequest | null = failures.retry) => {
    if (!request) return;
    form.setError(null);
    try {
      setPlanning({ request, plan: await api.planJob(request), retry: failures });
    } catch (e) {
      form.setError(asCoreError(e));
    }
  };

  /** Sets one field in every call of the retry plan shown, and plans again. */
  const fixRetry = (field: string, value: unknown) => {
    if (!planning?.retry || !planning.request.calls) return;
    const calls = planning.request.calls.map((c) => ({ ...c, [field]: value }));
    void planRetry(planning.retry, { ...planning.request, calls });
  };

  return {
    mode, setMode, active: mode === "bulk" && !!op?.bulk, values, setValues, hint, planning,
    askPlan, start, cancelPlan: () => setPlanning(null), planRetry, fixRetry,
  };
}
