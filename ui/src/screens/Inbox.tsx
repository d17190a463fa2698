// The Sandbox inbox: what the sandbox's built-in receiver took from each simulated provider, that is what the
// merchant's server would have received, with whether the provider's signature on it is valid.
import { Fragment, useCallback, useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import { shortcutProps } from "../lib/shortcuts";
import { api, asCoreError, type CoreError, type InboxEntry, type SandboxInbox, type SignatureCheck } from "../api";
import { EmptyState } from "../components/EmptyState";
import { ErrorBox } from "../components/ErrorBox";
import { RequestView } from "../components/RequestView";
import { formatLocal } from "../lib/time";

/** How often the open screen asks again (deliveries arrive in the background). */
const REFRESH_MS = 3000;

/** The signature badge: valid, invalid (with the simulator's reason on hover) or not signed. */
export function SignatureBadge({ check }: { check: SignatureCheck }) {
  const { t } = useTranslation();
  const cls = check.state === "valid" ? "outcome-ok" : check.state === "invalid" ? "outcome-failed" : "sig-not-signed";
  return (
    <span
      className={`pill ${cls}`}
      data-testid="inbox-signature"
      data-signature={check.state}
      title={check.state === "invalid" ? check.reason : undefined}
    >
      {t(`inbox.signature.${check.state}`)}
    </span>
  );
}

export function InboxScreen({ onCheck }: { onCheck?: (entry: InboxEntry) => void }) {
  const { t, i18n } = useTranslation();
  const [inbox, setInbox] = useState<SandboxInbox | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState<CoreError | null>(null);

  const load = useCallback(async () => {
    try {
      setInbox(await api.sandboxInbox());
      setError(null);
    } catch (e) {
      setError(asCoreError(e));
    }
  }, []);

  useEffect(() => {
    api
      .providerDescriptors()
      .then((d) => setNames(Object.fromEntries(d.map((p) => [p.id, p.display_name]))))
      .catch(() => undefined);
    void load();
    const h = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(h);
  }, [load]);

  const provider = (e: InboxEntry) => names[e.provider] ?? e.provider;
  const entries = inbox?.entries ?? [];

  return (
    <>
      <div className="screen-head">
        <p className="screen-subtitle">{t("screens.inbox.subtitle")}</p>
        <button type="button" className="btn" data-testid="inbox-refresh" onClick={() => void load()} {...shortcutProps(t, "main")}>
          {t("inbox.refresh")}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {inbox && entries.length === 0 && (
        <EmptyState
          icon="inbox"
          testId="inbox-empty"
          title={t("screens.inbox.empty_title")}
          body={`${t("screens.inbox.empty_body")} ${inbox.running ? "" : t("screens.inbox.not_running")}`.trim()}
        />
      )}
      {entries.length > 0 && (
        <section className="card full-card">
          <div className="card-head">
            <h2 className="card-title flush" data-testid="inbox-count">
              {t("inbox.count", { count: entries.length })}
            </h2>
            <span className="inbox-muted">{t("inbox.newest_first")}</span>
          </div>
          <div className="table-wrap">
            <table className="table inbox-table" data-testid="inbox-table" aria-label={t("screens.inbox.title")}>
              <thead>
                <tr>
                  <th>{t("inbox.col_received")}</th>
                  <th>{t("inbox.col_provider")}</th>
                  <th>{t("inbox.col_signature")}</th>
                  <th>{t("inbox.col_url")}</th>
                  <th>
                    <span className="visually-hidden">{t("inbox.show")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <Fragment key={e.id}>
                    <tr
                      className={`clickable${open === e.id ? " selected" : ""}`}
                      data-testid="inbox-row"
                      data-api={e.api}
                      data-provider={e.provider}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                    >
                      <td className="nowrap">{formatLocal(e.received_at_ms, i18n.language)}</td>
                      <td className="nowrap">
                        {provider(e)} <span className="inbox-muted mono">{e.api}</span>
                      </td>
                      <td>
                        <SignatureBadge check={e.signature} />
                      </td>
                      <td className="ellipsis mono" title={e.url}>
                        {new URL(e.url).pathname}
                      </td>
                      <td className="num nowrap">
                        {onCheck && (
                          <button
                            type="button"
                            className="btn small"
                            data-testid="inbox-check"
                            title={t("inbox.check_title")}
                            onClick={(ev) => {
                              ev.stopPropagation();
                              onCheck(e);
                            }}
                          >
                            {t("inbox.check")}
                          </button>
                        )}{" "}
                        <button
                          type="button"
                          className="btn small"
                          data-testid="inbox-toggle"
                          aria-expanded={open === e.id}
                          onClick={(ev) => {
                            ev.stopPropagation();
                            setOpen(open === e.id ? null : e.id);
                          }}
                        >
                          {open === e.id ? t("inbox.hide") : t("inbox.show")}
                        </button>
                      </td>
                    </tr>
                    {open === e.id && (
                      <tr className="inbox-detail-row">
                        <td colSpan={5}>
                          <div className="inbox-detail" data-testid="inbox-detail">
                            <p className="inbox-signature-line" data-testid="inbox-signature-line">
                              {e.signature.state === "invalid"
                                ? t("inbox.explain.invalid", { provider: provider(e), reason: e.signature.reason })
                                : t(`inbox.explain.${e.signature.state}`, { provider: provider(e) })}
                            </p>
                            <RequestView method="POST" url={e.url} headers={e.headers} body={e.body} testId="inbox-request" />
                          </div>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {inbox && inbox.receivers.length > 0 && (
            <details className="inbox-receivers" data-testid="inbox-receivers">
              <summary>{t("inbox.receivers")}</summary>
              <p className="inbox-muted">{t("inbox.receivers_hint")}</p>
              <ul className="mono">
                {inbox.receivers.map((r) => (
                  <li key={r.api}>
                    {r.api}: {r.url}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      )}
    </>
  );
}
