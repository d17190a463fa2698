import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api, asCoreError, type AccountView, type ActionResult, type CoreError, type ExportResult, type ProviderDescriptor, type ResultsView,
} from "../api";
import { JobsSection, useJobs, type JobLive } from "../components/Bulk";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { AccountPicker } from "../components/AccountPicker";
import { OpForm } from "../components/OpForm";
import { OutcomePill } from "../components/OutcomePill";
import { buildParams, copyText, defaultValues, parseIntegerList, toCsv, type FormValues } from "../lib/form";
import { formatLocal } from "../lib/time";
import type { ResendIntent } from "./Resend";

const TABS = [
  { id: "serials", op: "query-callbacks" },
  { id: "range", op: "list-callbacks" },
  { id: "txid", op: "lookup-deposit" },
  { id: "order", op: "lookup-withdrawal" },
] as const;
type TabId = (typeof TABS)[number]["id"];

/** A decoded CYBAVO callback as the backend returns it (original fields plus labels and units). */
export type Callback = {
  type?: number;
  serial?: number;
  order_id?: string;
  currency?: string;
  txid?: string;
  vout_index?: number;
  amount?: string;
  fees?: string;
  broadcast_at?: number;
  chain_at?: number;
  from_address?: string;
  to_address?: string;
  state?: number;
  processing_state?: number;
  type_label?: string;
  state_label?: string;
  processing_state_label?: string;
  amount_units?: string;
  fees_units?: string;
  outcome?: string;
  addon?: Record<string, unknown>;
};

export function callbacksOf(result: unknown): Callback[] {
  const r = (result ?? {}) as { notifications?: Callback[]; notification?: Callback };
  if (Array.isArray(r.notifications)) return r.notifications;
  if (r.notification && typeof r.notification === "object") return [r.notification];
  return [];
}

/** CYBAVO answers at most this many serials per request; more are looked up as a job. */
export const IDS_PER_CALL = 100;
/** Result rows a job's look-up shows in the table (all of them go into the saved file). */
export const ROWS_SHOWN = 1000;

const cbTime = (c: Callback) => (c.chain_at || c.broadcast_at ? (c.chain_at || c.broadcast_at)! * 1000 : null);

export function QueryScreen(props: {
  accountId: number | null;
  onAccount: (a: AccountView | null) => void;
  /** Sets the screen's default account only if the current one is still `seenId` (see App). */
  onAccountSync?: (a: AccountView, seenId: number | null) => void;
  onGoToAccounts: () => void;
  onResend: (i: Omit<ResendIntent, "nonce">) => void;
  onSeeHistory: (id: number) => void;
  /** History filtered to one job. */
  onSeeJob?: (jobId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [tab, setTab] = useState<TabId>("serials");
  const [values, setValues] = useState<Record<TabId, FormValues>>({ serials: {}, range: {}, txid: {}, order: {} });
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  // A look-up of many serials runs as a job; its results are read when it stops.
  const { jobs, reload: reloadJobs } = useJobs();
  const [jobId, setJobId] = useState<number | null>(null);
  const [jobResults, setJobResults] = useState<ResultsView | null>(null);
  const [saved, setSaved] = useState<ExportResult | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<CoreError | null>(null);
  const job: JobLive | undefined = jobId === null ? undefined : jobs.find((j) => j.id === jobId);
  const jobStopped = job !== undefined && job.state !== "running";

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

  useEffect(() => {
    let alive = true;
    Promise.all([api.listAccounts(), api.providerDescriptors()])
      .then(([list, desc]) => {
        if (!alive) return;
        setAccounts(list);
        setDescriptors(desc);
        const rangeOp = desc.find((d) => d.id === "cybavo")?.operations.find((o) => o.name === "list-callbacks");
        if (rangeOp) setValues((v) => ({ ...v, range: defaultValues(rangeOp.fields) }));
      })
      .catch((e) => {
        if (!alive) return;
        setError(asCoreError(e));
        setAccounts([]);
      });
    return () => {
      alive = false;
    };
  }, []);

  const account = accounts?.find((a) => a.id === props.accountId) ?? undefined;
  const syncAccount = (a: AccountView) => (props.onAccountSync ? props.onAccountSync(a, props.accountId) : props.onAccount(a));
  useEffect(() => {
    if (!accounts) return;
    if (!account && accounts.length) syncAccount(accounts.find((a) => a.provider === "cybavo") ?? accounts[0]);
    else if (account) syncAccount(account);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [accounts, account?.id]);

  if (accounts === null) return <p className="screen-subtitle">{t("common.loading")}</p>;
  if (accounts.length === 0) {
    return (
      <>
        <p className="screen-subtitle">{t("screens.query.subtitle")}</p>
        <EmptyState
          icon="search"
          title={t("screens.query.empty_title")}
          body={t("screens.query.empty_body")}
          action={
            <button type="button" className="btn primary" onClick={props.onGoToAccounts}>
              {t("screens.query.empty_action")}
            </button>
          }
        />
      </>
    );
  }

  const cybavo = descriptors.find((d) => d.id === "cybavo");
  const opName = TABS.find((x) => x.id === tab)!.op;
  const op = cybavo?.operations.find((o) => o.name === opName);
  const callbacks: Callback[] = result
    ? callbacksOf(result.result)
    : jobResults
      ? jobResults.rows.filter((r) => r.callback).map((r) => r.callback as Callback)
      : [];
  const serialCount = tab === "serials" ? parseIntegerList(values.serials.ids ?? "").values.length : 0;
  const asJob = serialCount > IDS_PER_CALL;

  const clearResults = () => {
    setResult(null);
    setJobId(null);
    setJobResults(null);
    setSaved(null);
    setSaveError(null);
  };

  const search = async () => {
    if (!op || !account) return;
    const built = buildParams(op.fields, values[tab]);
    setFormErrors(built.errors);
    if (Object.keys(built.errors).length) return;
    setBusy(true);
    setError(null);
    clearResults();
    try {
      if (asJob) {
        // Many serials: a job of 100 per request, paced to the wallet's limit, with progress and cancel.
        setJobId(await api.startJob({ account_id: account.id, operation: op.name, params: built.params, since: null, until: null }));
        reloadJobs();
      } else {
        setResult(await api.runAction({ account_id: account.id, operation: op.name, params: built.params }));
      }
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };

  const showJob = (j: JobLive) => {
    clearResults();
    setError(null);
    setJobId(j.id);
    window.setTimeout(() => document.querySelector("[data-testid=query-results]")?.scrollIntoView?.({ behavior: "smooth", block: "start" }), 100);
  };

  const saveResults = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      if (result) setSaved(await api.saveActionResults(result.history_id));
      else if (jobId !== null) setSaved(await api.saveJobResults(jobId));
    } catch (e) {
      setSaveError(asCoreError(e));
    } finally {
      setSaving(false);
    }
  };

  const columns = [
    "serial", "type", "state", "processing", "currency", "amount", "fees", "time", "order_id", "txid",
  ] as const;
  const cells = (c: Callback): Record<(typeof columns)[number], string> => ({
    serial: String(c.serial ?? ""),
    type: t(`cybavo.type.${c.type_label ?? "unknown"}`),
    state: t(`cybavo.state.${c.state_label ?? "unknown"}`),
    processing: t(`cybavo.processing.${c.processing_state_label ?? "unknown"}`),
    currency: c.currency ?? "",
    amount: c.amount_units ?? c.amount ?? "",
    fees: c.fees_units ?? c.fees ?? "",
    time: formatLocal(cbTime(c), i18n.language),
    order_id: c.order_id ?? "",
    txid: c.txid ? `${c.txid}${c.vout_index !== undefined ? ` #${c.vout_index}` : ""}` : "",
  });
  const header = columns.map((k) => t(`query.col.${k}`));
  const flash = (what: string) => {
    setCopied(what);
    window.setTimeout(() => setCopied(null), 2500);
  };
  const copyRow = async (c: Callback) => {
    const row = cells(c);
    if (await copyText(columns.map((k, i) => `${header[i]}: ${row[k]}`).join("\n"))) flash(`row-${c.serial}`);
  };
  const copyCsv = async () => {
    const rows = callbacks.map((c) => {
      const r = cells(c);
      return columns.map((k) => r[k]);
    });
    if (await copyText(toCsv([header, ...rows]))) flash("csv");
  };
  const resend = (c: Callback) => {
    if (!account || c.serial === undefined) return;
    props.onResend({
      accountId: account.id,
      operation: c.type === 2 ? "resend-withdrawal-callbacks" : "resend-deposit-callbacks",
      params: { notification_id: c.serial },
    });
  };

  return (
    <>
      <p className="screen-subtitle">{t("screens.query.subtitle")}</p>
      <section className="card wide-card" data-testid="query-form">
        <AccountPicker accounts={accounts} value={account?.id ?? null} onChange={(id) => { props.onAccount(accounts.find((a) => a.id === id) ?? null); clearResults(); setError(null); }} />
        {account && account.provider !== "cybavo" ? (
          <div className="info-note" data-testid="query-unsupported">
            {t("query.unsupported", { provider: t(`providers.${account.provider}`) })}
          </div>
        ) : (
          op && account && (
            <>
              <div className="tabs" role="tablist">
                {TABS.map((x) => (
                  <button
                    key={x.id}
                    type="button"
                    role="tab"
                    aria-selected={tab === x.id}
                    className={`tab${tab === x.id ? " active" : ""}`}
                    data-testid={`query-tab-${x.id}`}
                    onClick={() => { setTab(x.id); setFormErrors({}); }}
                  >
                    {t(`query.tab.${x.id}`)}
                  </button>
                ))}
              </div>
              <p className="field-help">{t(op.help_key)}</p>
              <OpForm provider="cybavo" fields={op.fields} values={values[tab]} errors={formErrors} onChange={(v) => setValues({ ...values, [tab]: v })} />
              {asJob && (
                <div className="info-note" data-testid="query-job-note">
                  {t("query.job_note", { n: nf.format(serialCount), calls: nf.format(Math.ceil(serialCount / IDS_PER_CALL)), max: IDS_PER_CALL })}
                </div>
              )}
              <div className="row actions">
                <button type="button" className="btn primary" disabled={busy} onClick={search} data-testid="query-run">
                  {busy ? t("query.searching") : asJob ? t("query.search_job", { n: nf.format(serialCount) }) : t("query.search")}
                </button>
              </div>
            </>
          )
        )}
        {error && <ErrorBox error={error} testId="query-error" />}
      </section>

      {jobId !== null && !jobResults && (
        <section className="card full-card" data-testid="query-results" data-outcome="running">
          <div className="card-head">
            <h3 className="card-title flush" data-testid="query-job-progress">
              {job
                ? t("query.job_running", { done: nf.format(job.next_index), total: nf.format(job.total) })
                : t("query.job_starting")}
            </h3>
            {job && job.state === "running" && job.runner_pid === null && (
              <button type="button" className="btn small danger-outline" onClick={() => void api.cancelJob(job.id).then(reloadJobs, (e) => setError(asCoreError(e)))} data-testid="query-job-cancel">
                {t("bulk.cancel")}
              </button>
            )}
          </div>
          {job && (
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={job.total} aria-valuenow={job.next_index}>
              <div className="progress-fill" style={{ width: `${job.total ? Math.round((job.next_index / job.total) * 100) : 0}%` }} />
            </div>
          )}
          <p className="field-help">{t("query.job_help")}</p>
        </section>
      )}

      {(result || jobResults) && (
        <section className="card full-card" data-testid="query-results" data-outcome={result ? result.outcome : job?.state ?? "done"}>
          <div className="card-head">
            <div className="row">
              {result && <OutcomePill outcome={result.outcome} />}
              <h3 className="card-title flush" data-testid="query-count">
                {result
                  ? result.outcome === "ok"
                    ? t("query.found", { n: nf.format(callbacks.length) })
                    : t(`result.headline.${result.outcome}`)
                  : t("query.found_of", { found: nf.format(jobResults!.ok), n: nf.format(jobResults!.total) })}
              </h3>
            </div>
            <div className="row">
              {callbacks.length > 0 && (
                <button type="button" className="btn small" onClick={copyCsv} data-testid="query-copy-csv">
                  {copied === "csv" ? t("common.copied") : t("query.copy_csv")}
                </button>
              )}
              <button type="button" className="btn small" disabled={saving} onClick={saveResults} data-testid="query-save">
                {saving ? t("query.saving") : t("bulk.save_results")}
              </button>
              <button
                type="button"
                className="btn small"
                onClick={() => (result ? props.onSeeHistory(result.history_id) : jobId !== null && props.onSeeJob?.(jobId))}
                data-testid="query-see-history"
              >
                {t("result.see_history")}
              </button>
            </div>
          </div>
          {jobResults && (
            <div className="job-numbers query-counts" data-testid="query-job-counts">
              {jobResults.not_found > 0 && <span className="outcome-count unknown" data-testid="query-not-found">{t("query.count_not_found", { n: nf.format(jobResults.not_found) })}</span>}
              {jobResults.failed > 0 && <span className="outcome-count failed">{t("query.count_failed", { n: nf.format(jobResults.failed) })}</span>}
              {jobResults.unknown > 0 && <span className="outcome-count unknown">{t("query.count_unknown", { n: nf.format(jobResults.unknown) })}</span>}
              {jobResults.not_sent > 0 && <span className="outcome-count" data-testid="query-not-sent">{t("query.count_not_sent", { n: nf.format(jobResults.not_sent) })}</span>}
            </div>
          )}
          {jobResults && jobResults.total > jobResults.rows.length && (
            <p className="field-help" data-testid="query-showing-first">
              {t("query.showing_first", { shown: nf.format(jobResults.rows.length), total: nf.format(jobResults.total) })}
            </p>
          )}
          {saved && (
            <div className="inline-result ok" data-testid="query-saved" data-path={saved.path}>
              {t("bulk.saved", { rows: nf.format(saved.rows), path: saved.path })}
            </div>
          )}
          {saveError && <ErrorBox error={saveError} compact testId="query-save-error" />}
          {result?.error && <ErrorBox error={result.error} testId="query-result-error" />}
          {callbacks.length > 0 && (
            <div className="table-wrap">
              <table className="table query-table" data-testid="query-table">
                <thead>
                  <tr>
                    {header.map((h) => (
                      <th key={h}>{h}</th>
                    ))}
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {callbacks.map((c, i) => {
                    const r = cells(c);
                    return (
                      <tr key={`${c.serial}-${i}`} data-testid="query-row" data-serial={String(c.serial ?? "")}>
                        <td className="mono">{r.serial}</td>
                        <td>{r.type}</td>
                        <td>
                          <span className={`pill cb-${c.outcome ?? "pending"}`}>{r.state}</span>
                        </td>
                        <td>{r.processing}</td>
                        <td>{r.currency}</td>
                        <td className="num mono">{r.amount}</td>
                        <td className="num mono">{r.fees}</td>
                        <td className="nowrap">{r.time}</td>
                        <td className="mono">{r.order_id || "—"}</td>
                        <td className="mono ellipsis" title={r.txid}>{r.txid || "—"}</td>
                        <td className="nowrap">
                          <button type="button" className="btn small" onClick={() => copyRow(c)} data-testid="query-copy-row">
                            {copied === `row-${c.serial}` ? t("common.copied") : t("query.copy_row")}
                          </button>{" "}
                          <button type="button" className="btn small" onClick={() => resend(c)} data-testid="query-resend" disabled={!c.serial}>
                            {t("query.resend_this")}
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {(result ? result.outcome === "ok" : jobResults!.ok === 0) && callbacks.length === 0 && <p className="field-help">{t("query.none")}</p>}
        </section>
      )}

      <JobsSection jobs={jobs} reload={reloadJobs} onSeeHistory={(id) => props.onSeeJob?.(id)} onShowResults={showJob} />
    </>
  );
}
