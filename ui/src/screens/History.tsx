// The History screen: every action, newest first, filtered (account, provider, resends only, one provider's
// operation, outcome, dates, search), in words, with each row's details in a drawer and the export. The
// filters and the last export are kept for the session: leaving the screen and coming back finds them as
// they were. In a team workspace it also shows the whole team's actions (the team's trail, read from the
// team database a page at a time with the same filters and a member); offline, the local history still works.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "../i18n";
import { api, asCoreError, type AccountView, type CoreError, type Cursor, type HistoryRowView, type ProviderDescriptor } from "../api";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { HistoryDrawer } from "../components/history/HistoryDrawer";
import { HistoryExportButtons, HistoryExportStatus, type ExportState } from "../components/history/HistoryExport";
import { HistoryFilters } from "../components/history/HistoryFilters";
import { HistoryTable } from "../components/history/HistoryTable";
import { HistoryScope, type Scope } from "../components/history/HistoryScope";
import { TrailDetails } from "../components/history/TrailDetails";
import { useTeamScope } from "../hooks/useTeamScope";
import { trailToRow, type TeamHistoryRow } from "../lib/trail";
import { useSessionState } from "../hooks/useSessionState";
import type { ZoneChoice } from "../lib/datetime";
import { EMPTY_FILTERS, anyFilter, toHistoryFilter, type Filters } from "../lib/historyfilter";
import { timeZoneName } from "../lib/time";
import type { ResendIntent } from "./Resend";

export { visibleWindow } from "../components/history/HistoryTable";
export { toHistoryFilter } from "../lib/historyfilter";

export const PAGE_SIZE = 100;

/** Where the next page starts: the local history's cursor, or the team trail's row id. */
type Next = { kind: "mine"; cursor: Cursor } | { kind: "team"; before: number } | null;

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
  const [rows, setRows] = useState<(HistoryRowView | TeamHistoryRow)[] | null>(null);
  // Where the next page starts: the local history's cursor, or the team trail's row id.
  const [cursor, setCursor] = useState<Next>(null);
  const team = useTeamScope();
  const [scopeChoice, setScopeChoice] = useSessionState<Scope>("history.scope", "mine");
  const [member, setMember] = useSessionState("history.member", "");
  const scope: Scope = team.inWorkspace ? scopeChoice : "mine";
  const [trailRow, setTrailRow] = useState<TeamHistoryRow | null>(null);
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
    async (from: Next) => {
      const gen = from ? generation.current : ++generation.current;
      setLoading(true);
      setError(null);
      if (!from) setTotal(null);
      try {
        if (scope === "team") {
          // The team's trail has no count: it is read a page at a time, newest first.
          const page = await api.teamTrailPage(filter, member || null, from?.kind === "team" ? from.before : null, PAGE_SIZE);
          if (gen !== generation.current) return;
          const more = page.rows.map(trailToRow);
          setRows((prev) => (from && prev ? [...prev, ...more] : more));
          setCursor(page.next_before_id === null ? null : { kind: "team", before: page.next_before_id });
          return;
        }
        const page = await api.historyPage(filter, from?.kind === "mine" ? from.cursor : null, PAGE_SIZE);
        if (gen !== generation.current) return;
        setRows((prev) => (from && prev ? [...prev, ...page.rows] : page.rows));
        setCursor(page.next_cursor ? { kind: "mine", cursor: page.next_cursor } : null);
        if (!from) api.historyCount(filter).then((n) => gen === generation.current && setTotal(n)).catch(() => setTotal(null));
      } catch (e) {
        if (gen === generation.current) {
          setError(asCoreError(e));
          if (!from) setRows(null);
        }
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [filter, scope, member],
  );

  // The team's trail holds shared accounts only, and a bulk job is this computer's: switching to the whole
  // team drops a filter on either.
  const chooseScope = (next: Scope) => {
    if (next === "team") {
      const own = filters.account !== "" && !accounts.some((a) => String(a.id) === filters.account && a.team_account_id !== null);
      if (own || filters.job) setFilters((f) => ({ ...f, account: own ? "" : f.account, job: "" }));
    }
    setScopeChoice(next);
  };

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
          team={scope === "team" ? { member: member || null } : null}
          total={scope === "team" ? null : total}
          zone={ZONE}
          busy={!!exporting}
          onDone={setExported}
          onProgress={setExporting}
          onError={setExportError}
        />
      </div>

      {team.inWorkspace && (
        <HistoryScope scope={scope} onScope={chooseScope} member={member} onMember={setMember} members={team.members} />
      )}

      <HistoryFilters
        filters={filters}
        onChange={setFilters}
        text={text}
        onText={setText}
        onClear={() => {
          setFilters(EMPTY_FILTERS);
          setText("");
        }}
        accounts={scope === "team" ? accounts.filter((a) => a.team_account_id !== null) : accounts}
        descriptors={descriptors}
        zone={ZONE}
        now={props.now}
      />

      <HistoryExportStatus progress={exporting} done={exported} error={exportError} />
      {error && scope === "team" ? (
        <section className="card full-card history-team-offline" data-testid="history-team-offline" data-code={error.code}>
          <h2 className="card-title">{t("history.scope.team_unreachable_title")}</h2>
          <ErrorBox error={error} compact />
          <p>{t("history.scope.team_unreachable_body")}</p>
          <div className="row">
            <button type="button" className="btn primary" onClick={() => chooseScope("mine")} data-testid="history-show-mine">
              {t("history.scope.show_mine")}
            </button>
            <button type="button" className="btn" onClick={() => void load(null)} disabled={loading} data-testid="history-team-retry">
              {t("team.retry")}
            </button>
          </div>
        </section>
      ) : (
        error && <ErrorBox error={error} />
      )}

      {error && scope === "team" ? null : rows && rows.length === 0 && !loading ? (
        filtered ? (
          <EmptyState icon="search" title={t("history.no_match_title")} body={t("history.no_match_body")} testId="history-no-match" />
        ) : (
          <EmptyState icon="history" title={t("screens.history.empty_title")} body={t("screens.history.empty_body")} />
        )
      ) : (
        <section className="card full-card table-card">
          <div className="card-head">
            <span className="meta" data-testid="history-count">
              {!rows
                ? t("common.loading")
                : scope === "team"
                  ? t(cursor ? "history.scope.showing_team_more" : "history.scope.showing_team", { shown: nf.format(rows.length) })
                  : t("history.showing", { shown: nf.format(rows.length), total: total === null ? "…" : nf.format(total) })}
            </span>
            <span className="meta">{t("history.times_in", { zone: timeZoneName() })}</span>
          </div>
          <HistoryTable
            rows={rows ?? []}
            descriptors={descriptors}
            selected={scope === "team" ? (trailRow?.id ?? null) : detailId}
            onSelect={(id) => (scope === "team" ? setTrailRow((rows ?? []).find((r): r is TeamHistoryRow => r.id === id && "kind" in r) ?? null) : setDetailId(id))}
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

      {scope === "team" && trailRow && <TrailDetails row={trailRow} descriptors={descriptors} onClose={() => setTrailRow(null)} />}
      {scope === "mine" && detailId !== null && (
        <HistoryDrawer id={detailId} descriptors={descriptors} accounts={accounts} onClose={() => setDetailId(null)} onRepeat={props.onRepeat} />
      )}
    </>
  );
}
