import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api, asCoreError, type AccountView, type ActionRequest, type ActionResult, type CoreError, type OperationDescriptor,
  type ProviderDescriptor, type RedactedRequest, type BudgetStatus, type Plan, type PlanRequest,
} from "../api";
import {
  BULK_OWNED, BudgetLine, BulkFields, EMPTY_BULK, JobsSection, PlanDialog, bulkKind, bulkRequest, useJobs, type BulkValues,
} from "../components/Bulk";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { AccountPicker } from "../components/AccountPicker";
import { OpForm } from "../components/OpForm";
import { RequestView } from "../components/RequestView";
import { ConfirmResend } from "../components/ConfirmResend";
import { CopySecretsDialog } from "../components/CopySecrets";
import { ResultPanel } from "../components/ResultPanel";
import { buildParams, copyText, defaultValues, strongReasons, toCurl, valuesFromParams, type FormValues } from "../lib/form";
import { describeParams } from "../lib/describe";
import { offeredOps } from "../lib/account";
import { loadFirstScreen, takeFirstScreen } from "../preload";

/** A request to open the Resend screen prefilled (from Query's "Resend this callback" or History's "Repeat"). */
export type ResendIntent = {
  accountId: number;
  operation: string;
  params: Record<string, unknown>;
  /** Open the confirmation at once (History "Repeat"). */
  confirm?: boolean;
  nonce: number;
};

/** The resend operations an account can use (not look-ups, not Avista's internal token call). */
export function resendOps(d: ProviderDescriptor | undefined, a: AccountView | undefined): OperationDescriptor[] {
  if (!d || !a) return [];
  return offeredOps(d, a).filter((o) => o.kind === "resend");
}

export function ResendScreen(props: {
  accountId: number | null;
  onAccount: (a: AccountView | null) => void;
  /** Sets the screen's default account only if the current one is still `seenId` (see App). */
  onAccountSync?: (a: AccountView, seenId: number | null) => void;
  intent: ResendIntent | null;
  onGoToAccounts: () => void;
  onSeeHistory: (id: number) => void;
  /** History filtered to one bulk job. */
  onSeeJob?: (jobId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  // The data asked for while the page started, if this is the first screen shown (see preload.ts).
  const [preloaded] = useState(takeFirstScreen);
  const [accounts, setAccounts] = useState<AccountView[] | null>(preloaded?.accounts ?? null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>(preloaded?.descriptors ?? []);
  const [loadError, setLoadError] = useState<CoreError | null>(null);
  const [opName, setOpName] = useState<string | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<RedactedRequest | null>(null);
  const [copied, setCopied] = useState(false);
  /** "Copy with secrets": the confirmation with the app's one-time ticket for this request, then the copy's outcome. */
  const [secrets, setSecrets] = useState<
    null | { ticket: string; request: ActionRequest; clearSeconds: number | null; busy: boolean; error: CoreError | null }
  >(null);
  const [secretsCopied, setSecretsCopied] = useState<null | { clearSeconds: number | null }>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const [confirming, setConfirming] = useState<null | { params: Record<string, unknown> }>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const appliedIntent = useRef<number | null>(null);
  const [mode, setMode] = useState<"single" | "bulk">("single");
  const [bulk, setBulk] = useState<BulkValues>(EMPTY_BULK);
  const [planning, setPlanning] = useState<null | { request: PlanRequest; plan: Plan }>(null);
  const [budget, setBudget] = useState<BudgetStatus | null>(null);
  const [bulkHint, setBulkHint] = useState<string | null>(null);
  // Jobs (including the ones an earlier exit interrupted) and their live progress.
  const { jobs, reload: loadJobs } = useJobs();

  useEffect(() => {
    if (preloaded) return;
    let alive = true;
    loadFirstScreen()
      .then((loaded) => {
        if (!alive) return;
        setAccounts(loaded.accounts);
        setDescriptors(loaded.descriptors);
      })
      .catch((e) => {
        if (!alive) return;
        setLoadError(asCoreError(e));
        setAccounts([]);
      });
    return () => {
      alive = false;
    };
  }, [preloaded]);

  // Until the shell has an account (the first render), the first one: the form is drawn at once, and the
  // effect below makes it the shell's too.
  const account = accounts?.find((a) => a.id === props.accountId) ?? (props.accountId === null ? accounts?.[0] : undefined);
  const syncAccount = (a: AccountView) => (props.onAccountSync ? props.onAccountSync(a, props.accountId) : props.onAccount(a));
  const descriptor = descriptors.find((d) => d.id === account?.provider);
  const ops = useMemo(() => resendOps(descriptor, account), [descriptor, account]);
  const op = ops.find((o) => o.name === opName) ?? ops[0];
  const kind = account ? bulkKind(account.provider, op) : null;
  const bulkMode = mode === "bulk" && kind !== null;
  const jobsTick = jobs.map((j) => `${j.id}:${j.next_index}:${j.state}`).join(",");

  // The account's budget for this operation, refreshed after every call this screen knows about.
  useEffect(() => {
    if (!account || !op) {
      setBudget(null);
      return;
    }
    let alive = true;
    api
      .budgetStatus(account.id, op.name)
      .then((b) => alive && setBudget(b))
      .catch(() => alive && setBudget(null));
    return () => {
      alive = false;
    };
  }, [account?.id, op?.name, result, jobsTick]); // eslint-disable-line react-hooks/exhaustive-deps

  // Default to the first account; keep the shell's environment badge in step.
  useEffect(() => {
    if (!accounts) return;
    if (accounts.length && !account) syncAccount(accounts[0]);
    else if (account) syncAccount(account);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [accounts, account?.id]);

  const reset = (o: OperationDescriptor | undefined, vals?: FormValues) => {
    setValues(vals ?? (o ? defaultValues(o.fields) : {}));
    setFormErrors({});
    setPreview(null);
    setError(null);
    setResult(null);
  };

  // A prefill request from another screen.
  useEffect(() => {
    const it = props.intent;
    if (!it || !accounts || !descriptors.length || appliedIntent.current === it.nonce) return;
    const a = accounts.find((x) => x.id === it.accountId);
    if (!a) return;
    appliedIntent.current = it.nonce;
    const d = descriptors.find((x) => x.id === a.provider);
    const o = resendOps(d, a).find((x) => x.name === it.operation);
    if (!o) return;
    props.onAccount(a);
    setOpName(o.name);
    const vals = { ...defaultValues(o.fields), ...valuesFromParams(o.fields, it.params) };
    reset(o, vals);
    if (it.confirm) {
      const built = buildParams(o.fields, vals);
      if (!Object.keys(built.errors).length) setConfirming({ params: built.params });
      else setFormErrors(built.errors);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.intent, accounts, descriptors]);

  if (accounts === null) return <p className="screen-subtitle">{t("common.loading")}</p>;

  if (accounts.length === 0) {
    return (
      <>
        <p className="screen-subtitle">{t("screens.resend.subtitle")}</p>
        {loadError && <ErrorBox error={loadError} />}
        <EmptyState
          icon="resend"
          title={t("screens.resend.empty_title")}
          body={t("screens.resend.empty_body")}
          action={
            <div className="row">
              <button
                type="button"
                className="btn primary"
                data-testid="resend-try-sandbox"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  try {
                    await api.createSandboxAccounts();
                    setAccounts(await api.listAccounts());
                  } catch (e) {
                    setLoadError(asCoreError(e));
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {t("accounts.try_sandbox")}
              </button>
              <button type="button" className="btn" onClick={props.onGoToAccounts} data-testid="resend-go-accounts">
                {t("screens.resend.empty_action")}
              </button>
            </div>
          }
        />
      </>
    );
  }

  const selectAccount = (id: number) => {
    const a = accounts.find((x) => x.id === id) ?? null;
    props.onAccount(a);
    const d = descriptors.find((x) => x.id === a?.provider);
    const first = resendOps(d, a ?? undefined)[0];
    setOpName(first?.name ?? null);
    reset(first);
  };

  const selectOp = (name: string) => {
    setOpName(name);
    reset(ops.find((o) => o.name === name));
  };

  const validate = (): Record<string, unknown> | null => {
    if (!op) return null;
    const built = buildParams(op.fields, values);
    setFormErrors(built.errors);
    return Object.keys(built.errors).length ? null : built.params;
  };

  const doPreview = async () => {
    const params = validate();
    if (!params || !account || !op) return;
    setError(null);
    try {
      setPreview(await api.previewAction({ account_id: account.id, operation: op.name, params }));
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
      setPreview(await api.previewAction({ account_id: account.id, operation: op.name, params }));
      setConfirming({ params });
    } catch (e) {
      setError(asCoreError(e));
    }
  };

  const run = async () => {
    if (!confirming || !account || !op) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await api.runAction({ account_id: account.id, operation: op.name, params: confirming.params }));
      setConfirming(null);
      setPreview(null);
      window.setTimeout(() => document.querySelector("[data-testid=result-panel]")?.scrollIntoView?.({ behavior: "smooth", block: "nearest" }), 50);
    } catch (e) {
      setError(asCoreError(e));
      setConfirming(null);
    } finally {
      setBusy(false);
    }
  };

  const copyCurl = async () => {
    if (!preview) return;
    setCopied(await copyText(toCurl(preview)));
    window.setTimeout(() => setCopied(false), 2500);
  };

  // The app issues a one-time ticket for exactly this request; the dialog sends it back on the user's
  // confirmation, and the app then puts the command on the clipboard itself: it never comes here.
  const askCopySecrets = async () => {
    const params = validate();
    if (!params || !account || !op) return;
    setSecretsCopied(null);
    setError(null);
    const request: ActionRequest = { account_id: account.id, operation: op.name, params };
    try {
      const ticket = await api.prepareCopyWithSecrets(request);
      setSecrets({ ticket: ticket.ticket, request, clearSeconds: ticket.clear_seconds, busy: false, error: null });
    } catch (e) {
      setError(asCoreError(e));
    }
  };

  const copySecrets = async () => {
    if (!secrets) return;
    setSecrets({ ...secrets, busy: true, error: null });
    try {
      const copied = await api.copyWithSecrets(secrets.ticket, secrets.request);
      setSecrets(null);
      setSecretsCopied({ clearSeconds: copied.clear_seconds });
      window.setTimeout(() => setSecretsCopied(null), (copied.clear_seconds ?? 10) * 1000);
    } catch (e) {
      setSecrets({ ...secrets, busy: false, error: asCoreError(e) });
    }
  };

  const bulkFieldsOf = (o: OperationDescriptor) => o.fields.filter((f) => !BULK_OWNED.includes(f.name));

  const askPlan = async () => {
    if (!account || !op) return;
    const built = buildParams(bulkFieldsOf(op), values);
    setFormErrors(built.errors);
    if (Object.keys(built.errors).length) return;
    setError(null);
    setBulkHint(null);
    const r = bulkRequest(account, op, bulk, built.params, Date.now());
    if ("error" in r) {
      setBulkHint(r.error);
      return;
    }
    try {
      setPlanning({ request: r.request, plan: await api.planJob(r.request) });
    } catch (e) {
      setError(asCoreError(e));
    }
  };

  const startJob = async () => {
    if (!planning) return;
    setBusy(true);
    setError(null);
    try {
      await api.startJob(planning.request);
      setPlanning(null);
      loadJobs();
      window.setTimeout(() => document.querySelector("[data-testid=jobs-panel]")?.scrollIntoView?.({ behavior: "smooth", block: "nearest" }), 100);
    } catch (e) {
      setError(asCoreError(e));
      setPlanning(null);
    } finally {
      setBusy(false);
    }
  };

  const strong = confirming && account && op ? strongReasons(account, op, confirming.params, Date.now()) : null;

  return (
    <>
      <p className="screen-subtitle">{t("screens.resend.subtitle")}</p>
      <div className="work-grid">
        <section className="card wide-card" data-testid="resend-form">
          <AccountPicker accounts={accounts} value={account?.id ?? null} onChange={selectAccount} />
          {account && ops.length === 0 && <div className="info-note">{t("resend.no_ops")}</div>}
          {ops.length > 1 && (
            <fieldset className="field wide">
              <legend className="field-label">{t("work.operation")}</legend>
              <div className="op-choices">
                {ops.map((o) => (
                  <label key={o.name} className={`radio-card op-card${op?.name === o.name ? " active" : ""}`} data-testid={`op-choice-${o.name}`}>
                    <input type="radio" name="operation" checked={op?.name === o.name} onChange={() => selectOp(o.name)} />
                    <span className="op-card-text">
                      <span className="op-card-title">{t(o.label_key)}</span>
                      <span className="op-card-help">{t(o.help_key)}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          {op && ops.length === 1 && (
            <div className="op-single">
              <div className="op-card-title" data-testid="op-title">{t(op.label_key)}</div>
              <div className="op-card-help">{t(op.help_key)}</div>
            </div>
          )}
          {op && account && kind && (
            <fieldset className="field wide">
              <legend className="field-label">{t("bulk.mode")}</legend>
              <div className="mode-choices">
                <label className={`radio-card${!bulkMode ? " active" : ""}`} data-testid="mode-single">
                  <input type="radio" name="resend-mode" checked={!bulkMode} onChange={() => { setMode("single"); setFormErrors({}); setError(null); }} />
                  <span className="op-card-text">
                    <span className="op-card-title">{t("bulk.mode_single")}</span>
                    <span className="op-card-help">{t("bulk.mode_single_help")}</span>
                  </span>
                </label>
                <label className={`radio-card${bulkMode ? " active" : ""}`} data-testid="mode-bulk">
                  <input type="radio" name="resend-mode" checked={bulkMode} onChange={() => { setMode("bulk"); setFormErrors({}); setError(null); setPreview(null); setResult(null); }} />
                  <span className="op-card-text">
                    <span className="op-card-title">{t(`bulk.mode_bulk.${kind}`)}</span>
                    <span className="op-card-help">{t(`bulk.mode_bulk_help.${kind}`)}</span>
                  </span>
                </label>
              </div>
            </fieldset>
          )}
          {op && account && bulkMode && (
            <>
              <OpForm provider={account.provider} fields={bulkFieldsOf(op)} values={values} errors={formErrors} onChange={(v) => setValues(v)} />
              <BulkFields account={account} op={op} values={bulk} onChange={(v) => { setBulk(v); setBulkHint(null); }} />
              {bulkHint && <div className="error-box" role="alert" data-testid="bulk-error"><div className="error-message">{t(bulkHint)}</div></div>}
              <div className="row actions">
                <button type="button" className="btn primary" onClick={askPlan} data-testid="bulk-plan">
                  {t("bulk.plan")}
                </button>
                <BudgetLine status={budget} />
              </div>
            </>
          )}
          {op && account && !bulkMode && (
            <>
              <OpForm provider={account.provider} fields={op.fields} values={values} errors={formErrors} onChange={(v) => { setValues(v); setPreview(null); }} />
              {op.rate_limit_note && (
                <div className="meta" data-testid="rate-limit">
                  {t("resend.rate_limit", { note: i18n.exists(`rate_limits.${account.provider}`) ? t(`rate_limits.${account.provider}`) : op.rate_limit_note })}
                </div>
              )}
              <div className="row actions">
                <button type="button" className="btn" onClick={doPreview} data-testid="resend-preview">
                  {t("resend.preview")}
                </button>
                <button type="button" className="btn primary" onClick={askConfirm} data-testid="resend-go">
                  {t("resend.resend")}
                </button>
                <BudgetLine status={budget} />
              </div>
            </>
          )}
          {error && <ErrorBox error={error} testId="resend-error" />}
        </section>

        {preview && (
          <section className="card wide-card" data-testid="resend-preview-panel">
            <div className="card-head">
              <h3 className="card-title">{t("resend.preview_title")}</h3>
              <div className="row">
                <button type="button" className="btn small" onClick={copyCurl} data-testid="copy-curl">
                  {copied ? t("common.copied") : t("resend.copy_curl")}
                </button>
                <button type="button" className="btn small danger-outline" onClick={askCopySecrets} data-testid="copy-curl-secrets">
                  {t("resend.copy_curl_secrets")}
                </button>
              </div>
            </div>
            <p className="field-help">{t("resend.preview_help")}</p>
            {secretsCopied && (
              <div className="warning" role="status" data-testid="copy-secrets-done">
                {secretsCopied.clearSeconds
                  ? t("copy_secrets.copied_clears", { seconds: secretsCopied.clearSeconds })
                  : t("copy_secrets.copied_no_clear")}
              </div>
            )}
            <RequestView method={preview.method} url={preview.url} headers={preview.headers} body={preview.body} testId="preview-request" />
          </section>
        )}

        {result && account && op && <ResultPanel provider={account.provider} op={op} result={result} onSeeHistory={props.onSeeHistory} />}

        <JobsSection jobs={jobs} reload={loadJobs} onSeeHistory={(id) => props.onSeeJob?.(id)} />
      </div>

      {planning && account && op && (
        <PlanDialog account={account} op={op} plan={planning.plan} busy={busy} onConfirm={startJob} onCancel={() => setPlanning(null)} />
      )}

      {secrets && account && op && (
        <CopySecretsDialog
          account={account}
          op={op}
          clearSeconds={secrets.clearSeconds}
          busy={secrets.busy}
          error={secrets.error}
          onConfirm={copySecrets}
          onCancel={() => setSecrets(null)}
        />
      )}

      {confirming && account && op && strong && (
        <ConfirmResend
          account={account}
          op={op}
          scope={describeParams(t, i18n.language, account.provider, op.fields, confirming.params)}
          reasons={strong.reasons}
          busy={busy}
          onConfirm={run}
          onCancel={() => setConfirming(null)}
        />
      )}
    </>
  );
}
