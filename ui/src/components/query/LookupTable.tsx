// A look-up's rows in the columns its descriptor names, each with "Copy" and, when the shape says how,
// "Resend this callback".
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Column, LookupShape } from "../../api";
import { copyText } from "../../lib/clipboard";
import type { RowDetail as RowDetailShape } from "../../bindings/RowDetail";
import { cellText, rowId, rowResend, type LookupRow } from "../../lib/lookup";
import { RowDetailRow, useRowDetail } from "./RowDetail";

/** The rows as text, header first (for "Copy as CSV"). */
export function rowsAsText(t: (k: string) => string, texts: (col: Column, row: LookupRow) => string, shape: LookupShape, rows: LookupRow[]) {
  return [shape.columns.map((c) => t(c.label_key)), ...rows.map((r) => shape.columns.map((c) => texts(c, r)))];
}

export function useCellText() {
  const { t, i18n } = useTranslation();
  return (col: Column, row: LookupRow) => cellText(t, i18n.language, col, row);
}

export function LookupTable(props: {
  shape: LookupShape;
  rows: LookupRow[];
  onResend: (operation: string, params: Record<string, unknown>) => void;
  /** Each row's detail, read when the row is opened (the operation's `row_detail`), for this account. */
  detail?: { shape: RowDetailShape; accountId: number };
}) {
  const { t } = useTranslation();
  const text = useCellText();
  const [copied, setCopied] = useState<string | null>(null);
  const { shape } = props;
  const copyRow = async (row: LookupRow) => {
    const lines = shape.columns.map((c) => `${t(c.label_key)}: ${text(c, row)}`);
    if (await copyText(lines.join("\n"))) {
      setCopied(rowId(shape, row));
      window.setTimeout(() => setCopied(null), 2500);
    }
  };
  return (
    <div className="table-wrap">
      <table className="table query-table" data-testid="query-table">
        <thead>
          <tr>
            {shape.columns.map((c) => (
              <th key={c.label_key}>{t(c.label_key)}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => (
            <Row
              key={`${rowId(shape, row)}-${i}`}
              shape={shape}
              row={row}
              text={text}
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

/** One result row with its buttons, and its detail under it when opened. */
function Row(props: {
  shape: LookupShape;
  row: LookupRow;
  text: (col: Column, row: LookupRow) => string;
  copied: boolean;
  onCopy: () => void;
  onResend: (operation: string, params: Record<string, unknown>) => void;
  detail?: { shape: RowDetailShape; accountId: number };
}) {
  const { t } = useTranslation();
  const { shape, row, detail } = props;
  const state = useRowDetail(detail?.accountId ?? null, detail?.shape ?? null, row);
  const id = rowId(shape, row);
  const resend = rowResend(shape, row);
  return (
    <>
      <tr data-testid="query-row" data-row-id={id}>
        {shape.columns.map((c) => (
          <Cell key={c.label_key} col={c} row={row} text={props.text(c, row)} />
        ))}
        <td className="nowrap">
          <button type="button" className="btn small" onClick={props.onCopy} data-testid="query-copy-row">
            {props.copied ? t("common.copied") : t("query.copy_row")}
          </button>
          {detail && (
            <>
              {" "}
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
            </>
          )}
          {shape.resend && (
            <>
              {" "}
              <button
                type="button"
                className="btn small"
                onClick={() => resend && props.onResend(resend.operation, resend.params)}
                data-testid="query-resend"
                disabled={!resend}
              >
                {t("query.resend_this")}
              </button>
            </>
          )}
        </td>
      </tr>
      {detail && state.open && <RowDetailRow detail={detail.shape} state={state} span={shape.columns.length + 1} />}
    </>
  );
}

/** One cell, looking as its column says. */
function Cell(props: { col: Column; row: LookupRow; text: string }) {
  const { look } = props.col;
  const shown = props.text || "—";
  switch (look.kind) {
    case "code":
      return <td className="mono ellipsis" title={props.text}>{shown}</td>;
    case "amount":
      return <td className="num mono">{props.text}</td>;
    case "status":
      return (
        <td>
          <span className={`pill cb-${String(props.row[look.tone] ?? "pending")}`}>{shown}</span>
        </td>
      );
    default:
      // A time the row does not have is a dash, as elsewhere; other empty cells stay empty.
      return <td>{props.col.format.kind === "unix_seconds" || props.col.format.kind === "unix_millis" ? shown : props.text}</td>;
  }
}
