import { useState } from "react";
import { useTranslation } from "../i18n";
import type { ActionResult, OperationDescriptor, Tone } from "../api";
import { ErrorBox } from "./ErrorBox";
import { FollowProgress } from "./follow/FollowProgress";
import { OutcomePill } from "./OutcomePill";
import { RequestView } from "./RequestView";
import { formatLocal } from "../lib/time";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** A line of an outcome and how it reads (`done` what happened, `nothing` nothing did, `note` a fact or hint). */
export type OutcomeLine = { text: string; tone: Tone | "check" };

/**
 * How an outcome reads as a whole: `nothing` when the call succeeded but the provider's words say nothing
 * happened (neutral, never green), else the outcome itself.
 */
export function outcomeTone(result: Pick<ActionResult, "outcome" | "summary">): "ok" | "nothing" | "failed" | "unknown" | "pending" {
  if (result.outcome !== "ok") return result.outcome;
  const nothing = result.summary.some((p) => p.tone === "nothing") && !result.summary.some((p) => p.tone === "done");
  return nothing ? "nothing" : "ok";
}

/** An instant as providers write it (ISO 8601 with a time, e.g. `2026-12-06T03:57:13.024Z`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A phrase's params for people: an instant the provider wrote is shown in the app's format and zone. */
export function readableParams(params: Record<string, unknown>, language: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string" && ISO_INSTANT.test(v) && Number.isFinite(Date.parse(v))) out[k] = formatLocal(Date.parse(v), language);
  }
  return out;
}

/** The outcome of an action in words, for the result panel. */
export function useOutcomeWords() {
  const { t, i18n } = useTranslation();
  return (op: OperationDescriptor, result: ActionResult): OutcomeLine[] => {
    // A resend whose outcome is unknown may have happened: say so, and what to check before trying again.
    if (result.outcome === "unknown" && op.kind === "resend")
      return [{ text: t("result.headline.unknown_resend"), tone: "note" }, { text: t("result.unknown_resend_check"), tone: "check" }];
    if (result.outcome !== "ok") return [{ text: t(`result.headline.${result.outcome}`), tone: "note" }];
    const r = obj(result.result);
    const lines: OutcomeLine[] = result.summary.map((p) => ({ text: t(p.key, readableParams(p.params, i18n.language)), tone: p.tone }));
    if (!lines.length) {
      const rows = op.lookup?.rows.map((k) => r[k]).find((v) => Array.isArray(v));
      lines.push({ text: Array.isArray(rows) ? t(op.lookup?.found_key ?? "query.found", { n: String(rows.length) }) : t("result.headline.ok"), tone: "done" });
    }
    return lines;
  };
}

/**
 * Outcome in the provider's words (neutral when nothing happened), the translated error, the next step the
 * user can take in the app, and the provider's raw answer under technical details.
 */
export function ResultPanel(props: {
  op: OperationDescriptor;
  result: ActionResult;
  /** A sandbox account: its callbacks go to the built-in receiver, whose inbox the app shows. */
  sandbox?: boolean;
  /** The account the action ran for (a job the provider started is followed with it). */
  accountId?: number;
  onSeeHistory: (id: number) => void;
  onOpenInbox?: () => void;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const words = useOutcomeWords();
  const [raw, setRaw] = useState(false);
  const r = props.result;
  const lines = words(props.op, r);
  const tone = outcomeTone(r);
  const resend = props.op.kind === "resend";
  // What happened can be seen: in the sandbox's inbox, else in the server's own logs.
  const inbox = resend && props.sandbox && props.onOpenInbox && (tone === "ok" || tone === "unknown");
  return (
    <section className={`card result result-${tone}`} data-testid={props.testId ?? "result-panel"} data-outcome={r.outcome} data-tone={tone}>
      <header className="result-head">
        {tone === "nothing" ? (
          <span className="pill outcome-nothing" data-testid="outcome-pill" data-outcome="ok">{t("result.pill_nothing")}</span>
        ) : (
          <OutcomePill outcome={r.outcome} />
        )}
        <h2 className="result-title" data-testid="result-summary">{lines[0].text}</h2>
      </header>
      {lines.slice(1).map((l, i) => (
        <p className={`result-line result-line-${l.tone}`} key={i} data-testid="result-line" data-tone={l.tone}>{l.text}</p>
      ))}
      {r.error && <ErrorBox error={r.error} testId="result-error" />}
      {resend && tone === "ok" && !inbox && <p className="result-line result-line-note" data-testid="result-next">{t("result.receiver_note")}</p>}
      {r.outcome === "ok" && props.op.follow && props.accountId !== undefined && (
        <FollowProgress accountId={props.accountId} follow={props.op.follow} result={r.result} />
      )}
      <div className="row">
        <span className="spacer" />
        {inbox && (
          <button type="button" className="btn small primary" onClick={props.onOpenInbox} data-testid="result-open-inbox">
            {t("result.open_inbox")}
          </button>
        )}
        {r.response && (
          <button type="button" className="btn small" onClick={() => setRaw(!raw)} data-testid="result-raw-toggle" aria-expanded={raw}>
            {raw ? t("result.hide_raw") : t("result.show_raw")}
          </button>
        )}
        <button type="button" className="btn small" onClick={() => props.onSeeHistory(r.history_id)} data-testid="result-see-history">
          {t("result.see_history")}
        </button>
      </div>
      {raw && r.response && (
        <>
          {r.http_status !== null && <span className="meta" data-testid="result-http-status">{t("result.http_status", { status: String(r.http_status) })}</span>}
          {r.calls > 1 && <span className="meta">{t("result.calls", { n: new Intl.NumberFormat(i18n.language).format(r.calls) })}</span>}
          <RequestView status={r.response.status} headers={r.response.headers} body={r.response.body} testId="result-raw" />
        </>
      )}
    </section>
  );
}
