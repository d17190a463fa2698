// A look-up's rows in the columns its descriptor names: the columns that matter first (`Column.primary`),
// whether the provider delivered each row to the merchant's server (when its look-ups say), and "Resend
// this callback" in view without scrolling sideways; the other columns and "Copy" are in the row's
// details. Rows that can be resent have a checkbox, so several go out together as one job. A row may open
// its own detail table, read by another look-up (the operation's `row_detail`).
import { Fragment, useState } from "react";
import { useTranslation } from "../../i18n";
import type { Column, LookupShape } from "../../api";
import { copyText } from "../../lib/clipboard";
import type { RowDetail as RowDetailShape } from "../../bindings/RowDetail";
import { cellText, deliveryOf, formatAmount, rowId, rowResend, type LookupRow } from "../../lib/lookup";
import { RowDetailRow, useRowDetail } from "./RowDetail";

/** The rows as text, header first (for "Copy as CSV"): every column, and the delivery when it is said. */
export function rowsAsText(t: (k: string) => string, texts: (col: Column, row: LookupRow) => string, shape: LookupShape, rows: LookupRow[]) {
  const delivered = shape.delivery?.kind === "reported";
  return [
    [...shape.columns.map((c) => t(c.label_key)), ...(delivered ? [t("query.delivery.title")] : [])],
    ...rows.map((r) => [...shape.columns.map((c) => texts(c, r)), ...(delivered ? [t(`query.delivery.${deliveryOf(shape, r)}`)] : [])]),
  ];
}

export function useCellText() {
  const { t, i18n } = useTranslation();
  return (col: Column, row: LookupRow) => cellText(t, i18n.language, col, row);
}

export function LookupTable(props: {
  shape: LookupShape;
  rows: LookupRow[];
  onResend: (operation: string, params: Record<string, unknown>) => void;
  /** Indices of the selected rows. */
  selected: number[];
  onSelect: (selected: number[]) => void;
  /** Each row's detail, read when the row is opened (the operation's `row_detail`), for this account. */
  detail?: { shape: RowDetailShape; accountId: number };
}) {
  const { t } = useTranslation();
  const text = useCellText();
  const [copied, setCopied] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const { shape, rows, selected } = props;
  const primary = shape.columns.filter((c) => c.primary);
  const delivered = shape.delivery?.kind === "reported";
  const selectable = rows.map((r, i) => (rowResend(shape, r) ? i : -1)).filter((i) => i >= 0);
  const allSelected = selectable.length > 0 && selectable.every((i) => selected.includes(i));
  const toggle = (i: number) => props.onSelect(selected.includes(i) ? selected.filter((x) => x !== i) : [...selected, i].sort((a, b) => a - b));
  const copyRow = async (row: LookupRow) => {
    const lines = shape.columns.map((c) => `${t(c.label_key)}${t("common.colon")}${text(c, row)}`);
    if (await copyText(lines.join("\n"))) {
      setCopied(rowId(shape, row));
      window.setTimeout(() => setCopied(null), 2500);
    }
  };
  const span = primary.length + (delivered ? 1 : 0) + (shape.resend ? 3 : 2);
  return (
    <div className="table-wrap">
      <table className="table query-table" data-testid="query-table" aria-label={t("screens.query.title")}>
        <thead>
          <tr>
            {shape.resend && (
              <th className="select-col">
                <input
                  type="checkbox"
                  checked={allSelected}
                  disabled={selectable.length === 0}
                  onChange={() => props.onSelect(allSelected ? [] : selectable)}
                  aria-label={t("query.select_all")}
                  data-testid="query-select-all"
                />
              </th>
            )}
            <th className="details-col" />
            {primary.map((c) => (
              <th key={c.label_key}>{t(c.label_key)}</th>
            ))}
            {delivered && <th>{t("query.delivery.title")}</th>}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <Row
              key={`${rowId(shape, row)}-${i}`}
              shape={shape}
              row={row}
              text={text}
              span={span}
              selected={selected.includes(i)}
              onToggle={() => toggle(i)}
              open={open === i}
              onOpen={() => setOpen(open === i ? null : i)}
              copied={copied === rowId(shape, row)}
              onCopy={() => void copyRow(row)}
              onResend={props.onResend}
              detail={props.detail}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One result row: its selection, its primary columns and buttons; the other columns when opened, and its
 * detail table (read by another look-up) when asked. */
function Row(props: {
  shape: LookupShape;
  row: LookupRow;
  text: (col: Column, row: LookupRow) => string;
  span: number;
  selected: boolean;
  onToggle: () => void;
  open: boolean;
  onOpen: () => void;
  copied: boolean;
  onCopy: () => void;
  onResend: (operation: string, params: Record<string, unknown>) => void;
  detail?: { shape: RowDetailShape; accountId: number };
}) {
  const { t, i18n } = useTranslation();
  const { shape, row, text, detail } = props;
  const state = useRowDetail(detail?.accountId ?? null, detail?.shape ?? null, row);
  const id = rowId(shape, row);
  const resend = rowResend(shape, row);
  const delivery = deliveryOf(shape, row);
  const primary = shape.columns.filter((c) => c.primary);
  const more = shape.columns.filter((c) => !c.primary);
  return (
    <>
      <tr data-testid="query-row" data-row-id={id} data-delivery={delivery ?? undefined} className={props.selected ? "selected" : undefined}>
        {shape.resend && (
          <td className="select-col">
            <input
              type="checkbox"
              checked={props.selected}
              disabled={!resend}
              onChange={props.onToggle}
              aria-label={t("query.select_row", { id })}
              data-testid="query-select"
            />
          </td>
        )}
        <td className="details-col">
          <button
            type="button"
            className="btn small icon-btn"
            aria-expanded={props.open}
            aria-label={props.open ? t("query.hide_details") : t("query.details")}
            title={props.open ? t("query.hide_details") : t("query.details")}
            onClick={props.onOpen}
            data-testid="query-details"
          >
            {props.open ? "▾" : "▸"}
          </button>
        </td>
        {primary.map((c) => (
          <Cell key={c.label_key} col={c} row={row} text={text(c, row)} language={i18n.language} />
        ))}
        {shape.delivery?.kind === "reported" && (
          <td data-testid="query-delivery">
            <span className={`pill delivery-${delivery}`}>{t(`query.delivery.${delivery}`)}</span>
          </td>
        )}
        <td className="row-actions">
          {detail && (
            <button
              type="button"
              className="btn small"
              onClick={() => void state.toggle()}
              disabled={!state.available}
              aria-expanded={state.open}
              data-testid="query-detail"
            >
              {t(detail.shape.label_key)}
            </button>
          )}
          {shape.resend && (
            <button
              type="button"
              className="btn small"
              onClick={() => resend && props.onResend(resend.operation, resend.params)}
              data-testid="query-resend"
              disabled={!resend}
              title={t("query.resend_this")}
            >
              {t("query.resend_short")}
            </button>
          )}
        </td>
      </tr>
      {props.open && (
        <tr className="row-details" data-testid="query-row-details">
          <td colSpan={props.span}>
            <dl className="facts compact">
              {more.map((c) => (
                <Fragment key={c.label_key}>
                  <dt>{t(c.label_key)}</dt>
                  <dd className={c.look.kind === "code" || c.look.kind === "amount" ? "mono" : undefined}>
                    {(c.look.kind === "amount" ? formatAmount(text(c, row), i18n.language) : text(c, row)) || "—"}
                  </dd>
                </Fragment>
              ))}
            </dl>
            <button type="button" className="btn small" onClick={props.onCopy} data-testid="query-copy-row">
              {props.copied ? t("common.copied") : t("query.copy_row")}
            </button>
          </td>
        </tr>
      )}
      {detail && state.open && <RowDetailRow detail={detail.shape} state={state} span={props.span} />}
    </>
  );
}

/** One cell, looking as its column says. */
function Cell(props: { col: Column; row: LookupRow; text: string; language: string }) {
  const { look } = props.col;
  const shown = props.text || "—";
  switch (look.kind) {
    case "code":
      return <td className="mono ellipsis" title={props.text}>{shown}</td>;
    case "amount":
      return <td className="num mono">{formatAmount(props.text, props.language)}</td>;
    case "status":
      return (
        <td>
          <span className={`pill cb-${String(props.row[look.tone] ?? "pending")}`}>{shown}</span>
        </td>
      );
    default:
      // A time the row does not have is a dash, as elsewhere; other empty cells stay empty.
      return props.col.format.kind === "unix_seconds" || props.col.format.kind === "unix_millis" ? (
        <td className="time-cell">{shown}</td>
      ) : (
        <td>{props.text}</td>
      );
  }
}
