// The results of a look-up (one call, or a job once it stopped): how many were asked and found, which ids
// were not found (named, not only in the saved file), what the provider says of its deliveries, the table
// with its selection, guidance when nothing matched, and copying, saving and History.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type AccountView, type CoreError, type ProviderDescriptor } from "../../api";
import type { Lookup } from "../../hooks/useLookup";
import { useSessionState } from "../../hooks/useSessionState";
import { copyText } from "../../lib/clipboard";
import { toCsv } from "../../lib/csv";
import { lookupOps, providerName } from "../../lib/descriptors";
import { missingIds } from "../../lib/lookup";
import { ErrorBox } from "../ErrorBox";
import { OutcomePill } from "../OutcomePill";
import { LookupTable, rowsAsText, useCellText } from "./LookupTable";
import { ResendSelected } from "./ResendSelected";

/** How many ids not found are named on screen (all of them are in the saved file). */
const MISSING_SHOWN = 200;

export function LookupResults(props: {
  lookup: Lookup;
  account: AccountView | undefined;
  descriptors: ProviderDescriptor[];
  onResend: (accountId: number, operation: string, params: Record<string, unknown>) => void;
  onSeeHistory: (id: number) => void;
  onSeeJob?: (jobId: number) => void;
  /** History with this account's resends. */
  onSeeResends?: (accountId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const text = useCellText();
  const nf = new Intl.NumberFormat(i18n.language);
  const [copied, setCopied] = useState<"csv" | "missing" | null>(null);
  const [selection, setSelection] = useSessionState<{ key: string; rows: number[] }>("query.selection", { key: "", rows: [] });
  const [started, setStarted] = useState<number | null>(null);
  const { shown, jobResults, rows, job } = props.lookup;
  if (!shown || (shown.kind === "job" && !jobResults)) return null;
  const result = shown.kind === "call" ? shown.result : null;
  const shape = shown.op.lookup;
  // The selection belongs to one set of results.
  const key = shown.kind === "call" ? `call:${shown.result.history_id}` : `job:${shown.jobId}`;
  const selected = selection.key === key ? selection.rows : [];
  const select = (rows: number[]) => setSelection({ key, rows });
  const copy = async (what: "csv" | "missing", content: string) => {
    if (!(await copyText(content))) return;
    setCopied(what);
    window.setTimeout(() => setCopied(null), 2500);
  };
  const seeHistory = () => (shown.kind === "call" ? props.onSeeHistory(shown.result.history_id) : props.onSeeJob?.(shown.jobId));
  const provider = props.account ? providerName(props.descriptors, props.account.provider) : "";

  // Ids asked for and not found: from the call's own ids, or the job's rows (the first ones it lists).
  const missing = shape && result?.outcome === "ok" ? missingIds(shape, shown.kind === "call" ? shown.asked : [], rows) : [];
  const missingAll = jobResults ? jobResults.rows.filter((r) => r.outcome === "not_found").map((r) => r.id) : missing;
  const missingTotal = jobResults ? jobResults.not_found : missing.length;
  const asked = shown.kind === "call" ? shown.asked.length : 0;
  const nothing = (result ? result.outcome === "ok" : jobResults!.ok === 0) && rows.length === 0;

  return (
    <section className="card full-card" data-testid="query-results" data-outcome={result ? result.outcome : job?.state ?? "done"}>
      <div className="card-head">
        <div className="row">
          {result && <OutcomePill outcome={result.outcome} />}
          <h2 className="card-title flush" data-testid="query-count">
            {result
              ? result.outcome !== "ok"
                ? t(`result.headline.${result.outcome}`)
                : asked > 0 && missing.length > 0
                  ? t("query.found_asked", { n: nf.format(asked), found: nf.format(asked - missing.length) })
                  : t(shape?.found_key ?? "query.found", { n: nf.format(rows.length) })
              : t("query.found_of", { found: nf.format(jobResults!.ok), n: nf.format(jobResults!.total) })}
          </h2>
        </div>
        <div className="row">
          {shape && rows.length > 0 && (
            <button type="button" className="btn small" onClick={() => copy("csv", toCsv(rowsAsText(t, text, shape, rows)))} data-testid="query-copy-csv">
              {copied === "csv" ? t("common.copied") : t("query.copy_csv")}
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
      {missingTotal > 0 && (
        <div className="missing-ids" data-testid="query-missing">
          <div className="row">
            <strong>{t("query.missing", { count: missingTotal, n: nf.format(missingTotal) })}</strong>
            <button type="button" className="btn small" onClick={() => copy("missing", missingAll.join("\n"))} data-testid="query-copy-missing">
              {copied === "missing" ? t("common.copied") : t("query.copy_missing")}
            </button>
          </div>
          <p className="mono missing-list" data-testid="query-missing-ids">
            {missingAll.slice(0, MISSING_SHOWN).join(", ")}
            {missingTotal > Math.min(missingAll.length, MISSING_SHOWN) && (
              <span className="field-help"> {t("query.missing_more", { n: nf.format(missingTotal - Math.min(missingAll.length, MISSING_SHOWN)) })}</span>
            )}
          </p>
          <p className="field-help">{t("query.missing_help", { provider })}</p>
        </div>
      )}
      {jobResults && jobResults.total > jobResults.rows.length && (
        <p className="field-help" data-testid="query-showing-first">
          {t("query.showing_first", { shown: nf.format(jobResults.rows.length), total: nf.format(jobResults.total) })}
        </p>
      )}
      {props.lookup.saved && (
        <SavedNote path={props.lookup.saved.path} rows={props.lookup.saved.rows} />
      )}
      {props.lookup.saveError && <ErrorBox error={props.lookup.saveError} compact testId="query-save-error" />}
      {result?.error && <ErrorBox error={result.error} testId="query-result-error" />}
      {shape?.delivery?.kind === "not_reported" && rows.length > 0 && (
        <p className="info-note" data-testid="query-delivery-note">{t(shape.delivery.note_key)}</p>
      )}
      {started !== null && (
        <div className="inline-result ok" data-testid="query-resend-started">{t("query.resend_started", { count: started, n: nf.format(started) })}</div>
      )}
      {shape && rows.length > 0 && (
        <>
          <ResendSelected
            shape={shape}
            rows={rows}
            selected={selected}
            onSelect={select}
            account={props.account?.id === shown.accountId ? props.account : undefined}
            descriptors={props.descriptors}
            onStarted={(n) => {
              setStarted(n);
              props.lookup.reloadJobs();
              window.setTimeout(() => document.querySelector("[data-testid=jobs-panel]")?.scrollIntoView?.({ behavior: "smooth", block: "nearest" }), 100);
            }}
          />
          <LookupTable
            shape={shape}
            rows={rows}
            selected={selected}
            onSelect={select}
            onResend={(operation, params) => props.onResend(shown.accountId, operation, params)}
            detail={shown.op.row_detail ? { shape: shown.op.row_detail, accountId: shown.accountId } : undefined}
          />
        </>
      )}
      {props.lookup.more.error && <ErrorBox error={props.lookup.more.error} compact testId="query-more-error" />}
      {props.lookup.more.available && (
        <div className="row actions">
          <button type="button" className="btn" disabled={props.lookup.more.busy} onClick={() => void props.lookup.more.load()} data-testid="query-more">
            {props.lookup.more.busy ? t("query.searching") : t("query.load_more")}
          </button>
        </div>
      )}
      {(nothing || missingTotal > 0) && (
        <NoMatch lookup={props.lookup} account={props.account} descriptors={props.descriptors} nothing={nothing} onSeeResends={props.onSeeResends} />
      )}
    </section>
  );
}

/** Where the results were saved, and "Show in folder". */
function SavedNote(props: { path: string; rows: number }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const [error, setError] = useState<CoreError | null>(null);
  const reveal = async () => {
    setError(null);
    try {
      await api.showInFolder(props.path);
    } catch (e) {
      setError(asCoreError(e));
    }
  };
  return (
    <>
      <div className="inline-result ok export-done" data-testid="query-saved" data-path={props.path}>
        <span>{t("bulk.saved", { rows: nf.format(props.rows), path: props.path })}</span>
        <button type="button" className="btn small" onClick={reveal} data-testid="query-show-folder">{t("common.show_in_folder")}</button>
      </div>
      {error && <ErrorBox error={error} compact testId="query-reveal-error" />}
    </>
  );
}

/**
 * What to do when nothing (or not everything) matched: what the id looks like (the look-up's own help),
 * the other ways to look it up, and how to tell whether a resend happened.
 */
function NoMatch(props: {
  lookup: Lookup;
  account: AccountView | undefined;
  descriptors: ProviderDescriptor[];
  nothing: boolean;
  onSeeResends?: (accountId: number) => void;
}) {
  const { t } = useTranslation();
  const { shown } = props.lookup;
  if (!shown || !props.account) return null;
  const op = shown.op;
  const askedField = op.lookup?.asked ? op.fields.find((f) => f.name === op.lookup!.asked) : undefined;
  const others = lookupOps(props.descriptors.find((d) => d.id === props.account!.provider), props.account).filter((o) => o.name !== op.name);
  const accountId = props.account.id;
  return (
    <div className="no-match" data-testid="query-no-match">
      {props.nothing && <p className="no-match-title">{t(op.lookup?.none_key ?? "query.none")}</p>}
      {props.nothing && <p className="field-help" data-testid="query-no-match-help">{t(askedField?.help_key ?? op.help_key)}</p>}
      {others.length > 0 && (
        <div className="row no-match-tabs">
          <span className="field-help">{t("query.none_try_tabs")}</span>
          {others.map((o) => (
            <button
              key={o.name}
              type="button"
              className="btn small"
              onClick={() => {
                props.lookup.selectOp(o.name);
                document.querySelector("[data-testid=query-form]")?.scrollIntoView?.({ behavior: "smooth", block: "start" });
              }}
              data-testid={`query-try-${o.name}`}
            >
              {t(o.lookup?.label_key ?? o.label_key)}
            </button>
          ))}
        </div>
      )}
      {props.nothing && (
        <div className="row">
          <span className="field-help">{t("query.none_resend_check")}</span>
          {props.onSeeResends && (
            <button type="button" className="btn small" onClick={() => props.onSeeResends!(accountId)} data-testid="query-see-resends">
              {t("query.see_resends")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
