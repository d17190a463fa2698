import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ActionResult, OperationDescriptor } from "../api";
import { ErrorBox } from "./ErrorBox";
import { OutcomePill } from "./OutcomePill";
import { RequestView } from "./RequestView";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** The outcome of an action in words, for the result panel. */
export function useOutcomeWords() {
  const { t } = useTranslation();
  return (op: OperationDescriptor, result: ActionResult): string[] => {
    // A resend whose outcome is unknown may have happened: say so, and what to check before trying again.
    if (result.outcome === "unknown" && op.kind === "resend") return [t("result.headline.unknown_resend"), t("result.unknown_resend_check")];
    if (result.outcome !== "ok") return [t(`result.headline.${result.outcome}`)];
    const r = obj(result.result);
    const lines: string[] = result.summary.map((p) => t(p.key, p.params));
    if (!lines.length) {
      const rows = op.lookup?.rows.map((k) => r[k]).find((v) => Array.isArray(v));
      lines.push(Array.isArray(rows) ? t(op.lookup?.found_key ?? "query.found", { n: String(rows.length) }) : t("result.headline.ok"));
    }
    if (op.kind === "resend") lines.push(t("result.receiver_note"));
    return lines;
  };
}

/** Outcome, translated error, and the raw provider response on demand. */
export function ResultPanel(props: {
  op: OperationDescriptor;
  result: ActionResult;
  onSeeHistory: (id: number) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const words = useOutcomeWords();
  const [raw, setRaw] = useState(false);
  const r = props.result;
  const lines = words(props.op, r);
  return (
    <section className={`card result result-${r.outcome}`} data-testid={props.testId ?? "result-panel"} data-outcome={r.outcome}>
      <header className="result-head">
        <OutcomePill outcome={r.outcome} />
        <h3 className="result-title" data-testid="result-summary">{lines[0]}</h3>
      </header>
      {lines.slice(1).map((l, i) => (
        <p className="result-line" key={i} data-testid="result-line">{l}</p>
      ))}
      {r.error && <ErrorBox error={r.error} testId="result-error" />}
      <div className="row">
        {r.http_status !== null && <span className="meta">{t("result.http_status", { status: String(r.http_status) })}</span>}
        {r.calls > 1 && <span className="meta">{t("result.calls", { n: String(r.calls) })}</span>}
        <span className="spacer" />
        {r.response && (
          <button type="button" className="btn small" onClick={() => setRaw(!raw)} data-testid="result-raw-toggle">
            {raw ? t("result.hide_raw") : t("result.show_raw")}
          </button>
        )}
        <button type="button" className="btn small" onClick={() => props.onSeeHistory(r.history_id)} data-testid="result-see-history">
          {t("result.see_history")}
        </button>
      </div>
      {raw && r.response && (
        <RequestView status={r.response.status} headers={r.response.headers} body={r.response.body} testId="result-raw" />
      )}
    </section>
  );
}
