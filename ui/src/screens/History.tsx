// The History screen: every action, newest first, filtered (account, provider, resends only, one provider's
// operation, outcome, dates, search), in words, with each row's details in a drawer and the export. The
// filters and the last export are kept for the session: leaving the screen and coming back finds them as
// they were.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "../i18n";
import { api, asCoreError, type AccountView, type CoreError, type Cursor, type HistoryRowView, type ProviderDescriptor } from "../api";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { HistoryDrawer } from "../components/history/HistoryDrawer";
import { HistoryExportButtons, HistoryExportStatus, type ExportState } from "../components/history/HistoryExport";
import { HistoryFilters } from "../components/history/HistoryFilters";
import { HistoryTable } from "../components/history/HistoryTable";
import { useSessionState } from "../hooks/useSessionState";
import type { ZoneChoice } from "../lib/datetime";
import { EMPTY_FILTERS, anyFilter, toHistoryFilter, type Filters } from "../lib/historyfilter";
import { timeZoneName } from "../lib/time";
import type { ResendIntent } from "./Resend";

export { visibleWindow } from "../components/history/HistoryTable";
export { toHistoryFilter } from "../lib/historyfilter";

export const PAGE_SIZE = 100;

/** The zone History reads and shows times in. */
const ZONE: ZoneChoice = "local";

export function HistoryScreen(props: {
  focus: { id: number; nonce: number } | null;
  /** Show only the calls of one bulk job. */
  job?: { jobId: number; nonce: number } | null;
  /** Show only one account's resends. */
  resendsOf?: { accountId: number; nonce: number } | null;
  onRepeat: (i: Omit<ResendIntent, "nonce">) => void;
  /** The clock the quick date ranges count from (tests give a fixed one). */
  now?: () => number;
}) {
  const { t, i18n } = useTranslation();
  const [accounts, setAccounts] = useState<AccountView[]>([]);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [filters, setFilters] = useSessionState<Filters>("history.filters", EMPTY_FILTERS);
  const [text, setText] = useSessionState("history.text", "");
  const [rows, setRows] = useState<HistoryRowView[] | null>(null);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CoreError | null>(null);
  // The open row is not kept: coming back, the drawer would cover the screen's buttons.
  const [detailId, setDetailId] = useState<number | null>(props.focus?.id ?? null);
  const [exporting, setExporting] = useState<null | { done: number; total: number }>(null);
  const [exported, setExported] = useSessionState<ExportState>("history.exported", null);
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

  // Requests from other screens: a row to open, or one job's calls.
  useEffect(() => {
    if (props.focus) setDetailId(props.focus.id);
  }, [props.focus, setDetailId]);
  useEffect(() => {
    if (props.job) setFilters((f) => ({ ...f, job: String(props.job!.jobId) }));
  }, [props.job, setFilters]);
  useEffect(() => {
    if (!props.resendsOf) return;
    setFilters({ ...EMPTY_FILTERS, account: String(props.resendsOf.accountId), resends: true });
    setText("");
  }, [props.resendsOf, setFilters, setText]);

  // The text filter follows typing after a short pause.
  useEffect(() => {
    const h = window.setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text })), 300);
    return () => window.clearTimeout(h);
  }, [text, setFilters]);

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

  const filtered = anyFilter(filters);
  const nf = new Intl.NumberFormat(i18n.language);

  return (
    <>
      <div className="screen-head">
        <p className="screen-subtitle">{t("screens.history.subtitle")}</p>
        <HistoryExportButtons
          filter={filter}
          total={total}
          zone={ZONE}
          busy={!!exporting}
          onDone={setExported}
          onProgress={setExporting}
          onError={setExportError}
        />
      </div>

      <HistoryFilters
        filters={filters}
        onChange={setFilters}
        text={text}
        onText={setText}
        onClear={() => {
          setFilters(EMPTY_FILTERS);
          setText("");
        }}
        accounts={accounts}
        descriptors={descriptors}
        zone={ZONE}
        now={props.now}
      />

      <HistoryExportStatus progress={exporting} done={exported} error={exportError} />
      {error && <ErrorBox error={error} />}

      {rows && rows.length === 0 && !loading ? (
        filtered ? (
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
          <HistoryTable
            rows={rows ?? []}
            descriptors={descriptors}
            selected={detailId}
            onSelect={setDetailId}
            onNearEnd={() => cursor && !loading && void load(cursor)}
          />
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
