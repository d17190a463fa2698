// One history row in full: when, which account, what it covered in words, how it ended (with the HTTP
// status, the provider's code and the duration), the request sent and the answer, and "Repeat" for a resend.
import { useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type AccountView, type CoreError, type HistoryDetail, type ProviderDescriptor } from "../../api";
import { accountTitle } from "../../lib/account";
import { operationOf, providerName } from "../../lib/descriptors";
import { paramsFromRecorded } from "../../lib/params";
import { formatLocal } from "../../lib/time";
import type { ResendIntent } from "../../hooks/useResendForm";
import { EnvPill } from "../EnvBadge";
import { ErrorBox } from "../ErrorBox";
import { OutcomePill } from "../OutcomePill";
import { RequestView } from "../RequestView";
import { opLabel, useScopeWords } from "./HistoryTable";

export function HistoryDrawer(props: {
  id: number;
  descriptors: ProviderDescriptor[];
  accounts: AccountView[];
  onClose: () => void;
  onRepeat: (i: Omit<ResendIntent, "nonce">) => void;
}) {
  const { t, i18n } = useTranslation();
  const [d, setD] = useState<HistoryDetail | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  useEffect(() => {
    let alive = true;
    setD(null);
    api.historyGet(props.id).then((x) => alive && setD(x)).catch((e) => alive && setError(asCoreError(e)));
    return () => {
      alive = false;
    };
  }, [props.id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props]);

  const scopeWords = useScopeWords(props.descriptors);
  const account = d ? props.accounts.find((a) => a.id === d.account_id) : undefined;
  const op = d ? operationOf(props.descriptors, d.provider, d.operation, account) : undefined;
  const canRepeat = !!(d && op && op.kind === "resend" && account && d.outcome !== "pending");
  const repeat = () => {
    if (!d || !op || !account) return;
    props.onRepeat({ accountId: account.id, operation: op.name, params: paramsFromRecorded(op.fields, d.request, op.path), confirm: true });
  };

  return (
    <aside className="drawer" data-testid="history-drawer" aria-label={t("history.detail_title")}>
      <div className="drawer-head">
        <h2 className="form-title">{t("history.detail_title")}</h2>
        <button type="button" className="btn small" onClick={props.onClose} data-testid="drawer-close">{t("common.close")}</button>
      </div>
      {error && <ErrorBox error={error} />}
      {d && (
        <div className="drawer-body" data-testid="drawer-body" data-id={d.id}>
          <div className="row">
            <OutcomePill outcome={d.outcome} />
            <strong>{opLabel(t, props.descriptors, d.provider, d.operation)}</strong>
          </div>
          <dl className="facts compact">
            <dt>{t("history.col.time")}</dt>
            <dd>{formatLocal(d.created_at_ms, i18n.language)}</dd>
            <dt>{t("history.finished")}</dt>
            <dd>{formatLocal(d.finished_at_ms, i18n.language)}</dd>
            <dt>{t("work.account")}</dt>
            <dd>{accountTitle({ label: d.account_label }, providerName(props.descriptors, d.provider))}</dd>
            <dt>{t("env.label")}</dt>
            <dd><EnvPill environment={d.environment} /></dd>
            <dt>{t("history.readable.scope")}</dt>
            <dd data-testid="drawer-scope">
              {(() => {
                const words = scopeWords(d);
                if (!words) return <span className="mono">{d.scope || "—"}</span>;
                if (!words.length) return "—";
                return words.map((w) => (
                  <div key={w.label}>
                    <span className="scope-label">{w.label}:</span> {w.full}
                  </div>
                ));
              })()}
            </dd>
            <dt>{t("history.col.http")}</dt>
            <dd className="mono">{d.http_status ?? "—"}</dd>
            <dt>{t("history.col.code")}</dt>
            <dd className="mono">{d.provider_code ?? "—"}</dd>
            <dt>{t("history.col.duration")}</dt>
            <dd>{d.duration_ms === null ? "—" : t("history.ms", { ms: String(d.duration_ms) })}</dd>
            <dt>{t("history.entry_id")}</dt>
            <dd className="mono">#{d.id}</dd>
          </dl>
          {d.outcome === "unknown" && op?.kind === "resend" && (
            <p className="warning" data-testid="drawer-unknown-resend">{t("result.unknown_resend_check")}</p>
          )}
          {d.error && <ErrorBox error={{ code: d.error.code as CoreError["code"], params: d.error.params, detail: d.error.detail }} testId="drawer-error" inHistory />}
          <h3 className="card-title">{t("history.request")}</h3>
          <RequestView method={d.request.method} url={d.request.url} headers={d.request.headers} body={d.request.body} testId="drawer-request" />
          <h3 className="card-title">{t("history.response")}</h3>
          {d.response ? (
            <RequestView status={d.response.status} headers={d.response.headers} body={d.response.body} testId="drawer-response" />
          ) : (
            <p className="field-help">{t("history.no_response")}</p>
          )}
          <div className="row actions">
            {canRepeat && (
              <button type="button" className="btn primary" onClick={repeat} data-testid="history-repeat">
                {t("history.repeat")}
              </button>
            )}
            {op && op.kind === "resend" && !account && <span className="meta">{t("history.account_gone")}</span>}
          </div>
        </div>
      )}
    </aside>
  );
}
