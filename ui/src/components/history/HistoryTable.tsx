// The history table: what matters first (time, outcome, account, what was done and what it covered, in
// words) so it fits the window without scrolling sideways; the HTTP status, the provider's code and the
// duration are in the row's drawer. Only the rows in view are in the document.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "../../i18n";
import type { HistoryRow, HistoryRowView, ProviderDescriptor } from "../../api";
import { shownLabel } from "../../lib/account";
import { operationOf, providerName } from "../../lib/descriptors";
import { describeScope, scopeFields } from "../../lib/scope";
import { formatLocal } from "../../lib/time";
import { stepName, stepScope } from "../../lib/trail";
import type { WorkspaceStep } from "../../bindings/WorkspaceStep";
import { EnvPill } from "../EnvBadge";
import { OutcomePill } from "../OutcomePill";

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

/** An operation's name in words, whichever provider it belongs to (its command name if it is gone). */
export function opLabel(t: (key: string) => string, descriptors: ProviderDescriptor[], provider: string, operation: string) {
  const op = operationOf(descriptors, provider, operation);
  return op ? t(op.label_key) : operation;
}

/** What a row covered in words, and its full text (for the cell's tooltip and the drawer). */
export function useScopeWords(descriptors: ProviderDescriptor[]) {
  const { t, i18n } = useTranslation();
  return (row: Pick<HistoryRow, "provider" | "operation" | "scope" | "scope_params">) => {
    if (!row.scope_params) return null;
    return describeScope(t, i18n.language, scopeFields(descriptors, row.provider, row.operation), row.scope_params);
  };
}

/** Stands in for rows out of view. */
function SpacerRow(props: { height: number; columns: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={props.columns} style={{ height: props.height }} />
    </tr>
  );
}

export function HistoryTable(props: {
  /** A row of the team's trail also has its kind: an action, or a step of the workspace (an approval…). */
  rows: (HistoryRow & Partial<Pick<HistoryRowView, "member">> & { kind?: string; step?: WorkspaceStep | null })[];
  descriptors: ProviderDescriptor[];
  selected: number | null;
  onSelect: (id: number) => void;
  /** Asked when the user scrolls near the end and more rows can be loaded. */
  onNearEnd: () => void;
}) {
  const { t, i18n } = useTranslation();
  const scopeWords = useScopeWords(props.descriptors);
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
  }, [measure, props.rows]);
  const onScroll = () => {
    measure();
    const el = scrollRef.current;
    if (el && el.scrollTop + el.clientHeight >= el.scrollHeight - LOAD_AHEAD * view.rowHeight) props.onNearEnd();
  };
  const win = visibleWindow(props.rows.length, view.top, view.height, view.rowHeight);
  // In a team workspace each row names the member who did it.
  const team = props.rows.some((r) => r.member);
  const columns = team ? 6 : 5;
  return (
    <div className="table-wrap history-scroll" ref={scrollRef} onScroll={onScroll} data-testid="history-scroll">
      <table className="table history-table" data-testid="history-table" aria-label={t("screens.history.title")}>
        <colgroup>
          <col className="col-time" />
          <col className="col-outcome" />
          {team && <col className="col-member" />}
          <col className="col-account" />
          <col className="col-what" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th>{t("history.col.time")}</th>
            <th>{t("history.col.outcome")}</th>
            {team && <th data-testid="history-member-col">{t("history.col.member")}</th>}
            <th>{t("work.account")}</th>
            <th>{t("history.readable.action")}</th>
            <th>{t("history.readable.scope")}</th>
          </tr>
        </thead>
        <tbody>
          {win.top > 0 && <SpacerRow height={win.top} columns={columns} />}
          {props.rows.slice(win.start, win.end).map((r) => {
            const words = scopeWords(r);
            const full = words ? words.map((w) => `${w.label}${t("common.colon")}${w.full}`).join("\n") : r.scope;
            return (
              <tr
                key={r.id}
                className={`clickable${props.selected === r.id ? " selected" : ""}`}
                onClick={() => props.onSelect(r.id)}
                tabIndex={0}
                onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), props.onSelect(r.id))}
                data-testid="history-row"
                data-id={r.id}
                data-operation={r.operation}
                data-provider={r.provider}
                data-outcome={r.outcome}
              >
                <td className="nowrap" data-testid="history-time">{formatLocal(r.created_at_ms, i18n.language)}</td>
                <td>
                  {r.kind === "approval" ? (
                    <span className="pill outcome-pending history-step" data-testid="history-step" data-step={r.outcome}>
                      {t(`history.team.step.${r.outcome}`)}
                    </span>
                  ) : (
                    <OutcomePill outcome={r.outcome} />
                  )}
                </td>
                {team && (
                  <td className="nowrap" data-testid="history-member">
                    {r.member ?? "—"}
                  </td>
                )}
                <td className="history-account">
                  {/* A change of the workspace itself (a member removed) is on no account. */}
                  {r.kind && !r.account_label ? (
                    <span className="cell-main">—</span>
                  ) : (
                    <>
                      <span className="cell-main">{shownLabel(r.account_label)}</span>
                      <EnvPill environment={r.environment} />
                    </>
                  )}
                </td>
                <td className="history-what">
                  <span className="cell-main">
                    {r.kind && r.kind !== "action" && r.kind !== "approval"
                      ? stepName(t, r.kind, r.step)
                      : opLabel(t, props.descriptors, r.provider, r.operation)}
                  </span>
                  <span className="cell-sub">{providerName(props.descriptors, r.provider)}</span>
                </td>
                <td className="history-scope" title={full} data-testid="history-scope">
                  <div className="scope-clamp">
                    {r.kind && r.kind !== "action" ? (
                      <span>{stepScope(t, r.scope, r.step)}</span>
                    ) : words ? (
                      words.map((w) => (
                        <span className="scope-part" key={w.label}>
                          <span className="scope-label">{w.label}</span>
                          {t("common.colon")}
                          {w.value}
                        </span>
                      ))
                    ) : (
                      <span className="mono">{r.scope}</span>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
          {win.bottom > 0 && <SpacerRow height={win.bottom} columns={columns} />}
        </tbody>
      </table>
    </div>
  );
}
