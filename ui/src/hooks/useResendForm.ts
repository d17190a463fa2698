// The Resend form's state: the operation chosen, the values typed, and a single resend's steps (preview,
// confirmation, sending, result), plus prefilling from another screen.
import { useEffect, useMemo, useRef, useState } from "react";
import { api, asCoreError, type AccountView, type ActionResult, type CoreError, type OperationDescriptor, type ProviderDescriptor, type RedactedRequest } from "../api";
import { descriptorOf, resendOps } from "../lib/descriptors";
import { useSessionState } from "./useSessionState";
import { buildParams, defaultValues, valuesFromParams, type FormValues } from "../lib/params";

/** A request to open the Resend screen prefilled (from Query's "Resend this callback" or History's "Repeat"). */
export type ResendIntent = {
  accountId: number;
  operation: string;
  params: Record<string, unknown>;
  /** Open the confirmation at once (History "Repeat"). */
  confirm?: boolean;
  nonce: number;
};

const scrollTo = (testId: string, delay: number) =>
  window.setTimeout(() => document.querySelector(`[data-testid=${testId}]`)?.scrollIntoView?.({ behavior: "smooth", block: "nearest" }), delay);

export function useResendForm(args: {
  accounts: AccountView[] | null;
  descriptors: ProviderDescriptor[];
  account: AccountView | undefined;
  onAccount: (a: AccountView | null) => void;
  intent: ResendIntent | null;
}) {
  const { accounts, descriptors, account } = args;
  // Work in progress outlives the screen for the session: leaving Resend and coming back finds the
  // operation, the values typed, the preview and the last result as they were.
  const [opName, setOpName] = useSessionState<string | null>("resend.op", null);
  const [typed, setValues] = useSessionState<FormValues>("resend.values", {});
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useSessionState<RedactedRequest | null>("resend.preview", null);
  /** The user asked for the preview (its technical details then show open). */
  const [previewAsked, setPreviewAsked] = useSessionState("resend.preview_asked", false);
  const [error, setError] = useState<CoreError | null>(null);
  const [confirming, setConfirming] = useState<null | { params: Record<string, unknown> }>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useSessionState<ActionResult | null>("resend.result", null);
  /** The approval request a resend is waiting for (team workspaces), if the last one was held. */
  const [awaiting, setAwaiting] = useSessionState<number | null>("resend.awaiting", null);
  const appliedIntent = useRef<number | null>(null);

  const descriptor = account ? descriptorOf(descriptors, account.provider) : undefined;
  const ops = useMemo(() => resendOps(descriptor, account), [descriptor, account]);
  const op: OperationDescriptor | undefined = ops.find((o) => o.name === opName) ?? ops[0];
  // The operation's defaults under what was typed: an operation shown without being chosen (the first one of
  // an account picked elsewhere, or at start) holds the choices it shows.
  const values = useMemo(() => (op ? { ...defaultValues(op.fields), ...typed } : typed), [op, typed]);

  const reset = (o: OperationDescriptor | undefined, vals?: FormValues) => {
    setValues(vals ?? (o ? defaultValues(o.fields) : {}));
    setFormErrors({});
    setPreview(null);
    setError(null);
    setResult(null);
    setAwaiting(null);
  };

  // A prefill request from another screen.
  useEffect(() => {
    const it = args.intent;
    if (!it || !accounts || !descriptors.length || appliedIntent.current === it.nonce) return;
    const a = accounts.find((x) => x.id === it.accountId);
    if (!a) return;
    appliedIntent.current = it.nonce;
    const o = resendOps(descriptorOf(descriptors, a.provider), a).find((x) => x.name === it.operation);
    if (!o) return;
    args.onAccount(a);
    setOpName(o.name);
    const vals = { ...defaultValues(o.fields), ...valuesFromParams(o.fields, it.params) };
    reset(o, vals);
    if (it.confirm) {
      const built = buildParams(o.fields, vals);
      if (!Object.keys(built.errors).length) setConfirming({ params: built.params });
      else setFormErrors(built.errors);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [args.intent, accounts, descriptors]);

  const selectAccount = (id: number) => {
    const a = accounts?.find((x) => x.id === id) ?? null;
    args.onAccount(a);
    const first = a ? resendOps(descriptorOf(descriptors, a.provider), a)[0] : undefined;
    setOpName(first?.name ?? null);
    reset(first);
  };

  const selectOp = (name: string) => {
    setOpName(name);
    reset(ops.find((o) => o.name === name));
  };

  /** The params of the fields given (all of the operation's by default), or null after marking the errors. */
  const validate = (fields = op?.fields ?? []): Record<string, unknown> | null => {
    const built = buildParams(fields, values);
    setFormErrors(built.errors);
    return Object.keys(built.errors).length ? null : built.params;
  };

  const request = (params: Record<string, unknown>) => ({ account_id: account!.id, operation: op!.name, params });

  const doPreview = async () => {
    const params = validate();
    if (!params || !account || !op) return;
    setError(null);
    try {
      setPreview(await api.previewAction(request(params)));
      setPreviewAsked(true);
    } catch (e) {
      setPreview(null);
      setError(asCoreError(e));
    }
  };

  const askConfirm = async () => {
    const params = validate();
    if (!params || !account || !op) return;
    setError(null);
    // Check the request can be built (e.g. a too-long window) before asking for confirmation.
    try {
      setPreview(await api.previewAction(request(params)));
      setPreviewAsked(false);
      setConfirming({ params });
    } catch (e) {
      setError(asCoreError(e));
    }
  };

  const run = async () => {
    if (!confirming || !account || !op) return;
    setBusy(true);
    setError(null);
    setAwaiting(null);
    try {
      setResult(await api.runAction(request(confirming.params)));
      setConfirming(null);
      setPreview(null);
      scrollTo("result-panel", 50);
    } catch (e) {
      const err = asCoreError(e);
      // Held for a second person's approval in a team workspace: not sent, not failed.
      if (err.code === "approval.awaiting") {
        setAwaiting(Number(err.params.approval_id));
        setResult(null);
        setPreview(null);
        scrollTo("resend-awaiting", 50);
      } else setError(err);
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  };

  /** "Send when allowed": the confirmed request becomes a job of one call that waits for the budget. */
  const queue = async (onQueued: () => void) => {
    if (!confirming || !account || !op) return;
    setBusy(true);
    setError(null);
    try {
      await api.startJob({ account_id: account.id, operation: op.name, params: {}, since: null, until: null, calls: [confirming.params] });
      setConfirming(null);
      setPreview(null);
      onQueued();
      scrollTo("jobs-panel", 100);
    } catch (e) {
      setError(asCoreError(e));
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  };

  return {
    queue, awaiting, setAwaiting,
    ops, op, values, setValues, formErrors, setFormErrors, preview, setPreview, previewAsked, error, setError, result, setResult,
    confirming, cancelConfirm: () => setConfirming(null), busy, setBusy,
    selectAccount, selectOp, validate, doPreview, askConfirm, run,
  };
}

export type ResendForm = ReturnType<typeof useResendForm>;
