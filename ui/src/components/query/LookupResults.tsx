// The results of a look-up (one call, or a job once it stopped): how many were found, the table, and
// copying, saving and History.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Lookup } from "../../hooks/useLookup";
import { copyText } from "../../lib/clipboard";
import { toCsv } from "../../lib/csv";
import { ErrorBox } from "../ErrorBox";
import { OutcomePill } from "../OutcomePill";
import { LookupTable, rowsAsText, useCellText } from "./LookupTable";

export function LookupResults(props: {
  lookup: Lookup;
  onResend: (accountId: number, operation: string, params: Record<string, unknown>) => void;
  onSeeHistory: (id: number) => void;
  onSeeJob?: (jobId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const text = useCellText();
  const nf = new Intl.NumberFormat(i18n.language);
  const [copied, setCopied] = useState(false);
  const { shown, jobResults, rows, job } = props.lookup;
  if (!shown || (shown.kind === "job" && !jobResults)) return null;
  const result = shown.kind === "call" ? shown.result : null;
  const shape = shown.op.lookup;
  const copyCsv = async () => {
    if (!shape || !(await copyText(toCsv(rowsAsText(t, text, shape, rows))))) return;
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2500);
  };
  const seeHistory = () => (shown.kind === "call" ? props.onSeeHistory(shown.result.history_id) : props.onSeeJob?.(shown.jobId));
  return (
    <section className="card full-card" data-testid="query-results" data-outcome={result ? result.outcome : job?.state ?? "done"}>
      <div className="card-head">
        <div className="row">
          {result && <OutcomePill outcome={result.outcome} />}
          <h3 className="card-title flush" data-testid="query-count">
            {result
              ? result.outcome === "ok"
                ? t(shape?.found_key ?? "query.found", { n: nf.format(rows.length) })
                : t(`result.headline.${result.outcome}`)
              : t("query.found_of", { found: nf.format(jobResults!.ok), n: nf.format(jobResults!.total) })}
          </h3>
        </div>
        <div className="row">
          {rows.length > 0 && (
            <button type="button" className="btn small" onClick={copyCsv} data-testid="query-copy-csv">
              {copied ? t("common.copied") : t("query.copy_csv")}
            </button>
          )}
          <button type="button" className="btn small" disabled={props.lookup.saving} onClick={props.lookup.saveResults} data-testid="query-save">
            {props.lookup.saving ? t("query.saving") : t("bulk.save_results")}
          </button>
          <button type="button" className="btn small" onClick={seeHistory} data-testid="query-see-history">
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
      {props.lookup.saved && (
        <div className="inline-result ok" data-testid="query-saved" data-path={props.lookup.saved.path}>
          {t("bulk.saved", { rows: nf.format(props.lookup.saved.rows), path: props.lookup.saved.path })}
        </div>
      )}
      {props.lookup.saveError && <ErrorBox error={props.lookup.saveError} compact testId="query-save-error" />}
      {result?.error && <ErrorBox error={result.error} testId="query-result-error" />}
      {shape && rows.length > 0 && (
        <LookupTable
          shape={shape}
          rows={rows}
          onResend={(operation, params) => props.onResend(shown.accountId, operation, params)}
          detail={shown.op.row_detail ? { shape: shown.op.row_detail, accountId: shown.accountId } : undefined}
        />
      )}
      {props.lookup.more.error && <ErrorBox error={props.lookup.more.error} compact testId="query-more-error" />}
      {props.lookup.more.available && (
        <div className="row actions">
          <button type="button" className="btn" disabled={props.lookup.more.busy} onClick={() => void props.lookup.more.load()} data-testid="query-more">
            {props.lookup.more.busy ? t("query.searching") : t("query.load_more")}
          </button>
        </div>
      )}
      {(result ? result.outcome === "ok" : jobResults!.ok === 0) && rows.length === 0 && <p className="field-help">{t(shape?.none_key ?? "query.none")}</p>}
    </section>
  );
}
