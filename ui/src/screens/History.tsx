import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api, asCoreError, type AccountView, type CoreError, type Cursor, type HistoryDetail, type HistoryFilter, type HistoryRow,
  type ProviderDescriptor,
} from "../api";
import type { Outcome } from "../bindings/Outcome";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { EnvPill } from "../components/EnvBadge";
import { OutcomePill } from "../components/OutcomePill";
import { RequestView } from "../components/RequestView";
import { paramsFromRecorded } from "../lib/params";
import { accountTitle } from "../lib/account";
import { operationOf, providerName } from "../lib/descriptors";
import { formatLocal, parseLocalDateTime, timeZoneName } from "../lib/time";
import type { ResendIntent } from "./Resend";

export const PAGE_SIZE = 100;
const OUTCOMES: Outcome[] = ["pending", "ok", "failed", "unknown"];

type Filters = { account: string; provider: string; operation: string; outcome: string; from: string; to: string; text: string; job: string };
const EMPTY: Filters = { account: "", provider: "", operation: "", outcome: "", from: "", to: "", text: "", job: "" };

export function toHistoryFilter(f: Filters): HistoryFilter {
  const from = f.from ? parseLocalDateTime(f.from) : null;
  const to = f.to ? parseLocalDateTime(f.to) : null;
  return {
    account_id: f.account ? Number(f.account) : null,
    job_id: f.job ? Number(f.job) : null,
    provider: f.provider || null,
    operation: f.operation || null,
    outcome: (f.outcome || null) as Outcome | null,
    from_ms: from,
    to_ms: to,
    text: f.text.trim() || null,
  };
}

/** Estimated height of a table row in pixels, until one is measured. */
const ROW_HEIGHT = 37;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 20;
/** Scrolling within this many rows of the end loads the next page. */
const LOAD_AHEAD = 10;

/**
 * Which rows of `count` to render for a scroll container at `top` with `height` pixels of rows in view:
 * `start`..`end`, and the heights of the spacers standing in for the rows before and after. Without a
 * measured viewport (height 0: not laid out yet) every row is rendered.
 */
export function visibleWindow(count: number, top: number, height: number, rowHeight: number) {
  if (height <= 0 || rowHeight <= 0) return { start: 0, end: count, top: 0, bottom: 0 };
  const first = Math.floor(Math.max(0, top) / rowHeight);
  const start = Math.max(0, Math.min(count, first - OVERSCAN));
  const end = Math.min(count, first + Math.ceil(height / rowHeight) + OVERSCAN);
  return { start, end: Math.max(start, end), top: start * rowHeight, bottom: Math.max(0, count - Math.max(start, end)) * rowHeight };
}

/** Stands in for rows out of view. */
function SpacerRow(props: { height: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={10} style={{ height: props.height }} />
    </tr>
  );
}

/** An operation's name in words, whichever provider it belongs to (its command name if it is gone). */
function opLabel(t: (key: string) => string, descriptors: ProviderDescriptor[], provider: string, operation: string) {
  const op = operationOf(descriptors, provider, operation);
  return op ? t(op.label_key) : operation;
}

export function HistoryScreen(props: {
  focus: { id: number; nonce: number } | null;
  /** Show only the calls of one bulk job. */
  job?: { jobId: number; nonce: number } | null;
  onRepeat: (i: Omit<ResendIntent, "nonce">) => void }) {
  const { t, i18n } = useTranslation();
  const [accounts, setAccounts] = useState<AccountView[]>([]);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [filters, setFilters] = useState<Filters>(props.job ? { ...EMPTY, job: String(props.job.jobId) } : EMPTY);
  const [text, setText] = useState("");
  const [rows, setRows] = useState<HistoryRow[] | null>(null);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CoreError | null>(null);
  const [detailId, setDetailId] = useState<number | null>(props.focus?.id ?? null);
  const [exporting, setExporting] = useState<null | { done: number; total: number }>(null);
  const [exported, setExported] = useState<null | { path: string; rows: number }>(null);
  const [exportError, setExportError] = useState<CoreError | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    Promise.all([api.listAccounts(), api.providerDescriptors()])
      .then(([a, d]) => {
        setAccounts(a);
        setDescriptors(d);
      })
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    if (props.focus) setDetailId(props.focus.id);
  }, [props.focus]);

  useEffect(() => {
    if (props.job) setFilters((f) => ({ ...f, job: String(props.job!.jobId) }));
  }, [props.job]);

  // The text filter follows typing after a short pause.
  useEffect(() => {
    const h = window.setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text })), 300);
    return () => window.clearTimeout(h);
  }, [text]);

  const filter = useMemo(() => toHistoryFilter(filters), [filters]);

  const load = useCallback(
    async (from: Cursor | null) => {
      const gen = from ? generation.current : ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api.historyPage(filter, from, PAGE_SIZE);
        if (gen !== generation.current) return;
        setRows((prev) => (from && prev ? [...prev, ...page.rows] : page.rows));
        setCursor(page.next_cursor);
        if (!from) api.historyCount(filter).then((n) => gen === generation.current && setTotal(n)).catch(() => setTotal(null));
      } catch (e) {
        if (gen === generation.current) setError(asCoreError(e));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [filter],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const exportCsv = async () => {
    setExported(null);
    setExportError(null);
    setExporting({ done: 0, total: total ?? 0 });
    let unlisten: (() => void) | null = null;
    try {
      unlisten = await api.onExportProgress((done, tot) => setExporting({ done, total: tot }));
    } catch {
      unlisten = null;
    }
    try {
      setExported(await api.historyExportCsv(filter));
    } catch (e) {
      setExportError(asCoreError(e));
    } finally {
      unlisten?.();
      setExporting(null);
    }
  };

  // Only the rows in view (and a margin) are in the document; spacer rows stand in for the others, so a
  // long history scrolls smoothly. Scrolling near the end loads the next page.
  const scrollRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 0, rowHeight: ROW_HEIGHT });
  const measure = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const row = el.querySelector<HTMLElement>("tbody tr:not(.spacer)");
    const rowHeight = row && row.offsetHeight > 0 ? row.offsetHeight : ROW_HEIGHT;
    setView((v) =>
      v.top === el.scrollTop && v.height === el.clientHeight && v.rowHeight === rowHeight
        ? v
        : { top: el.scrollTop, height: el.clientHeight, rowHeight },
    );
  }, []);
  useEffect(() => {
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, [measure, rows]);
  const onScroll = () => {
    measure();
    const el = scrollRef.current;
    if (el && cursor && !loading && el.scrollTop + el.clientHeight >= el.scrollHeight - LOAD_AHEAD * view.rowHeight) {
      void load(cursor);
    }
  };
  const win = visibleWindow(rows?.length ?? 0, view.top, view.height, view.rowHeight);

  const set = (k: keyof Filters, v: string) => setFilters({ ...filters, [k]: v });
  const operations = useMemo(() => {
    const seen = new Map<string, string>();
    for (const d of descriptors)
      for (const o of d.operations)
        if (o.kind !== "auth" && (!filters.provider || filters.provider === d.id) && !seen.has(o.name)) seen.set(o.name, d.id);
    return [...seen.entries()];
  }, [descriptors, filters.provider]);
  const anyFilter = Object.values(filters).some(Boolean);
  const nf = new Intl.NumberFormat(i18n.language);

  return (
    <>
      <div className="screen-head">
        <p className="screen-subtitle">{t("screens.history.subtitle")}</p>
        <button type="button" className="btn primary" onClick={exportCsv} disabled={!!exporting} data-testid="history-export">
          {t("history.export")}
        </button>
      </div>

      <section className="card full-card filters" data-testid="history-filters">
        <label className="field">
          <span className="field-label">{t("work.account")}</span>
          <select value={filters.account} onChange={(e) => set("account", e.target.value)} data-testid="filter-account">
            <option value="">{t("history.all")}</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>{a.label}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t("history.col.provider")}</span>
          <select value={filters.provider} onChange={(e) => setFilters({ ...filters, provider: e.target.value, operation: "" })} data-testid="filter-provider">
            <option value="">{t("history.all")}</option>
            {descriptors.map((d) => (
              <option key={d.id} value={d.id}>{d.display_name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t("work.operation")}</span>
          <select value={filters.operation} onChange={(e) => set("operation", e.target.value)} data-testid="filter-operation">
            <option value="">{t("history.all")}</option>
            {operations.map(([name, provider]) => (
              <option key={name} value={name}>{opLabel(t, descriptors, provider, name)}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t("history.col.outcome")}</span>
          <select value={filters.outcome} onChange={(e) => set("outcome", e.target.value)} data-testid="filter-outcome">
            <option value="">{t("history.all")}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>{t(`outcome.${o}`)}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t("history.from")}</span>
          <input type="datetime-local" value={filters.from} onChange={(e) => set("from", e.target.value)} data-testid="filter-from" />
        </label>
        <label className="field">
          <span className="field-label">{t("history.to")}</span>
          <input type="datetime-local" value={filters.to} onChange={(e) => set("to", e.target.value)} data-testid="filter-to" />
        </label>
        <label className="field grow">
          <span className="field-label">{t("history.search")}</span>
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t("history.search_placeholder")} data-testid="filter-text" />
        </label>
        {filters.job && (
          <span className="job-filter" data-testid="filter-job">
            {t("history.job_filter", { id: filters.job })}
            <button type="button" className="btn small" onClick={() => setFilters({ ...filters, job: "" })} data-testid="filter-job-clear">
              {t("history.job_filter_clear")}
            </button>
          </span>
        )}
        {anyFilter && (
          <button type="button" className="btn small clear-filters" onClick={() => { setFilters(EMPTY); setText(""); }} data-testid="filter-clear">
            {t("history.clear")}
          </button>
        )}
      </section>

      {exporting && (
        <div className="inline-result neutral" data-testid="export-progress">
          {t("history.exporting", { done: nf.format(exporting.done), total: nf.format(exporting.total) })}
          <progress max={Math.max(exporting.total, 1)} value={exporting.done} />
        </div>
      )}
      {exported && (
        <div className="inline-result ok" data-testid="export-done" data-path={exported.path}>
          {t("history.exported", { rows: nf.format(exported.rows), path: exported.path })}
        </div>
      )}
      {exportError && <ErrorBox error={exportError} testId="export-error" />}
      {error && <ErrorBox error={error} />}

      {rows && rows.length === 0 && !loading ? (
        anyFilter ? (
          <EmptyState icon="search" title={t("history.no_match_title")} body={t("history.no_match_body")} testId="history-no-match" />
        ) : (
          <EmptyState icon="history" title={t("screens.history.empty_title")} body={t("screens.history.empty_body")} />
        )
      ) : (
        <section className="card full-card table-card">
          <div className="card-head">
            <span className="meta" data-testid="history-count">
              {rows ? t("history.showing", { shown: nf.format(rows.length), total: total === null ? "…" : nf.format(total) }) : t("common.loading")}
            </span>
            <span className="meta">{t("history.times_in", { zone: timeZoneName() })}</span>
          </div>
          <div className="table-wrap history-scroll" ref={scrollRef} onScroll={onScroll} data-testid="history-scroll">
            <table className="table history-table" data-testid="history-table">
              <thead>
                <tr>
                  <th>{t("history.col.time")}</th>
                  <th>{t("work.account")}</th>
                  <th>{t("history.col.provider")}</th>
                  <th>{t("env.label")}</th>
                  <th>{t("work.operation")}</th>
                  <th>{t("history.col.scope")}</th>
                  <th>{t("history.col.outcome")}</th>
                  <th>{t("history.col.http")}</th>
                  <th>{t("history.col.code")}</th>
                  <th className="num">{t("history.col.duration")}</th>
                </tr>
              </thead>
              <tbody>
                {win.top > 0 && <SpacerRow height={win.top} />}
                {(rows ?? []).slice(win.start, win.end).map((r) => (
                  <tr key={r.id} className={`clickable${detailId === r.id ? " selected" : ""}`} onClick={() => setDetailId(r.id)} data-testid="history-row" data-id={r.id} data-operation={r.operation} data-provider={r.provider} data-outcome={r.outcome}>
                    <td className="nowrap">{formatLocal(r.created_at_ms, i18n.language)}</td>
                    <td>{r.account_label}</td>
                    <td className="nowrap">{providerName(descriptors, r.provider)}</td>
                    <td><EnvPill environment={r.environment} /></td>
                    <td>{opLabel(t, descriptors, r.provider, r.operation)}</td>
                    <td className="mono scope" title={r.scope}>{r.scope}</td>
                    <td><OutcomePill outcome={r.outcome} /></td>
                    <td className="mono">{r.http_status ?? "—"}</td>
                    <td className="mono">{r.provider_code ?? "—"}</td>
                    <td className="num">{r.duration_ms === null ? "—" : t("history.ms", { ms: nf.format(r.duration_ms) })}</td>
                  </tr>
                ))}
                {win.bottom > 0 && <SpacerRow height={win.bottom} />}
              </tbody>
            </table>
          </div>
          {cursor && (
            <div className="load-more">
              <button type="button" className="btn" onClick={() => load(cursor)} disabled={loading} data-testid="history-more">
                {loading ? t("common.loading") : t("history.load_more", { n: String(PAGE_SIZE) })}
              </button>
            </div>
          )}
        </section>
      )}

      {detailId !== null && (
        <HistoryDrawer id={detailId} descriptors={descriptors} accounts={accounts} onClose={() => setDetailId(null)} onRepeat={props.onRepeat} />
      )}
    </>
  );
}

function HistoryDrawer(props: {
  id: number;
  descriptors: ProviderDescriptor[];
  accounts: AccountView[];
  onClose: () => void;
  onRepeat: (i: Omit<ResendIntent, "nonce">) => void;
}) {
  const { t, i18n } = useTranslation();
  const [d, setD] = useState<HistoryDetail | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  useEffect(() => {
    let alive = true;
    setD(null);
    api.historyGet(props.id).then((x) => alive && setD(x)).catch((e) => alive && setError(asCoreError(e)));
    return () => {
      alive = false;
    };
  }, [props.id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props]);

  const account = d ? props.accounts.find((a) => a.id === d.account_id) : undefined;
  const op = d ? operationOf(props.descriptors, d.provider, d.operation, account) : undefined;
  const canRepeat = !!(d && op && op.kind === "resend" && account && d.outcome !== "pending");
  const repeat = () => {
    if (!d || !op || !account) return;
    props.onRepeat({ accountId: account.id, operation: op.name, params: paramsFromRecorded(op.fields, d.request, op.path), confirm: true });
  };

  return (
    <aside className="drawer" data-testid="history-drawer" aria-label={t("history.detail_title")}>
      <div className="drawer-head">
        <h2 className="form-title">{t("history.detail_title")}</h2>
        <button type="button" className="btn small" onClick={props.onClose} data-testid="drawer-close">{t("common.close")}</button>
      </div>
      {error && <ErrorBox error={error} />}
      {d && (
        <div className="drawer-body" data-testid="drawer-body" data-id={d.id}>
          <div className="row">
            <OutcomePill outcome={d.outcome} />
            <strong>{opLabel(t, props.descriptors, d.provider, d.operation)}</strong>
          </div>
          <dl className="facts compact">
            <dt>{t("history.col.time")}</dt>
            <dd>{formatLocal(d.created_at_ms, i18n.language)}</dd>
            <dt>{t("history.finished")}</dt>
            <dd>{formatLocal(d.finished_at_ms, i18n.language)}</dd>
            <dt>{t("work.account")}</dt>
            <dd>{accountTitle({ label: d.account_label }, providerName(props.descriptors, d.provider))}</dd>
            <dt>{t("env.label")}</dt>
            <dd><EnvPill environment={d.environment} /></dd>
            <dt>{t("history.col.scope")}</dt>
            <dd className="mono">{d.scope || "—"}</dd>
            <dt>{t("history.col.http")}</dt>
            <dd className="mono">{d.http_status ?? "—"}</dd>
            <dt>{t("history.col.code")}</dt>
            <dd className="mono">{d.provider_code ?? "—"}</dd>
            <dt>{t("history.col.duration")}</dt>
            <dd>{d.duration_ms === null ? "—" : t("history.ms", { ms: String(d.duration_ms) })}</dd>
            <dt>{t("history.entry_id")}</dt>
            <dd className="mono">#{d.id}</dd>
          </dl>
          {d.outcome === "unknown" && op?.kind === "resend" && (
            <p className="warning" data-testid="drawer-unknown-resend">{t("result.unknown_resend_check")}</p>
          )}
          {d.error && <ErrorBox error={{ code: d.error.code as CoreError["code"], params: d.error.params, detail: d.error.detail }} testId="drawer-error" />}
          <h3 className="card-title">{t("history.request")}</h3>
          <RequestView method={d.request.method} url={d.request.url} headers={d.request.headers} body={d.request.body} testId="drawer-request" />
          <h3 className="card-title">{t("history.response")}</h3>
          {d.response ? (
            <RequestView status={d.response.status} headers={d.response.headers} body={d.response.body} testId="drawer-response" />
          ) : (
            <p className="field-help">{t("history.no_response")}</p>
          )}
          <div className="row actions">
            {canRepeat && (
              <button type="button" className="btn primary" onClick={repeat} data-testid="history-repeat">
                {t("history.repeat")}
              </button>
            )}
            {op && op.kind === "resend" && !account && <span className="meta">{t("history.account_gone")}</span>}
          </div>
        </div>
      )}
    </aside>
  );
}
