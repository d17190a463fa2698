// A look-up row's detail (the operation's `row_detail`): opened under the row on demand, read by its own
// look-up (recorded in History like any), shown in the detail's columns.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type ActionResult, type CoreError } from "../../api";
import type { RowDetail as RowDetailShape } from "../../bindings/RowDetail";
import { cellText, rowsIn, type LookupRow } from "../../lib/lookup";
import { ErrorBox } from "../ErrorBox";

/** The detail's state for one row: closed, loading, or its answer. */
export function useRowDetail(accountId: number | null, detail: RowDetailShape | null, row: LookupRow) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const value = detail ? row[detail.from] : undefined;
  const toggle = async () => {
    if (!detail || accountId === null) return;
    if (open) return setOpen(false);
    setOpen(true);
    if (result || value === undefined || value === null) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await api.runAction({ account_id: accountId, operation: detail.operation, params: { [detail.param]: value } }));
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };
  return { open, busy, result, error, toggle, available: value !== undefined && value !== null && value !== "" };
}

export type RowDetailState = ReturnType<typeof useRowDetail>;

/** The detail's table (or why there is none), spanning the row's columns. */
export function RowDetailRow(props: { detail: RowDetailShape; state: RowDetailState; span: number }) {
  const { t, i18n } = useTranslation();
  const { detail, state } = props;
  const rows = state.result?.outcome === "ok" ? rowsIn(detail.rows, state.result.result) : [];
  return (
    <tr className="row-detail" data-testid="row-detail">
      <td colSpan={props.span}>
        {state.busy && <p className="field-help">{t("query.detail_loading")}</p>}
        {state.error && <ErrorBox error={state.error} compact testId="row-detail-error" />}
        {state.result?.error && <ErrorBox error={state.result.error} compact testId="row-detail-error" />}
        {state.result?.outcome === "ok" && rows.length === 0 && <p className="field-help" data-testid="row-detail-empty">{t(detail.empty_key)}</p>}
        {rows.length > 0 && (
          <table className="table" data-testid="row-detail-table" aria-label={t("query.details")}>
            <thead>
              <tr>
                {detail.columns.map((c) => (
                  <th key={c.label_key}>{t(c.label_key)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid="row-detail-row">
                  {detail.columns.map((c) => (
                    <td key={c.label_key}>{cellText(t, i18n.language, c, r) || "—"}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </td>
    </tr>
  );
}
