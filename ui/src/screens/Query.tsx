import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, asCoreError, type AccountView, type ActionResult, type CoreError, type ProviderDescriptor } from "../api";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { AccountPicker } from "../components/AccountPicker";
import { OpForm } from "../components/OpForm";
import { OutcomePill } from "../components/OutcomePill";
import { buildParams, copyText, defaultValues, toCsv, type FormValues } from "../lib/form";
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

const cbTime = (c: Callback) => (c.chain_at || c.broadcast_at ? (c.chain_at || c.broadcast_at)! * 1000 : null);

export function QueryScreen(props: {
  accountId: number | null;
  onAccount: (a: AccountView | null) => void;
  onGoToAccounts: () => void;
  onResend: (i: Omit<ResendIntent, "nonce">) => void;
  onSeeHistory: (id: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [tab, setTab] = useState<TabId>("serials");
  const [values, setValues] = useState<Record<TabId, FormValues>>({ serials: {}, range: {}, txid: {}, order: {} });
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

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
  useEffect(() => {
    if (!accounts) return;
    if (!account && accounts.length) props.onAccount(accounts.find((a) => a.provider === "cybavo") ?? accounts[0]);
    else if (account) props.onAccount(account);
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
  const callbacks = result ? callbacksOf(result.result) : [];

  const search = async () => {
    if (!op || !account) return;
    const built = buildParams(op.fields, values[tab]);
    setFormErrors(built.errors);
    if (Object.keys(built.errors).length) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.runAction({ account_id: account.id, operation: op.name, params: built.params }));
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
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
        <AccountPicker accounts={accounts} value={account?.id ?? null} onChange={(id) => { props.onAccount(accounts.find((a) => a.id === id) ?? null); setResult(null); setError(null); }} />
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
              <div className="row actions">
                <button type="button" className="btn primary" disabled={busy} onClick={search} data-testid="query-run">
                  {busy ? t("query.searching") : t("query.search")}
                </button>
              </div>
            </>
          )
        )}
        {error && <ErrorBox error={error} testId="query-error" />}
      </section>

      {result && (
        <section className="card full-card" data-testid="query-results" data-outcome={result.outcome}>
          <div className="card-head">
            <div className="row">
              <OutcomePill outcome={result.outcome} />
              <h3 className="card-title flush" data-testid="query-count">
                {result.outcome === "ok" ? t("query.found", { n: String(callbacks.length) }) : t(`result.headline.${result.outcome}`)}
              </h3>
            </div>
            <div className="row">
              {callbacks.length > 0 && (
                <button type="button" className="btn small" onClick={copyCsv} data-testid="query-copy-csv">
                  {copied === "csv" ? t("common.copied") : t("query.copy_csv")}
                </button>
              )}
              <button type="button" className="btn small" onClick={() => props.onSeeHistory(result.history_id)} data-testid="query-see-history">
                {t("result.see_history")}
              </button>
            </div>
          </div>
          {result.error && <ErrorBox error={result.error} testId="query-result-error" />}
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
          {result.outcome === "ok" && callbacks.length === 0 && <p className="field-help">{t("query.none")}</p>}
        </section>
      )}
    </>
  );
}
