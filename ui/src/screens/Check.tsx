// "Check a callback": paste a callback your server logged (headers and body, or the whole HTTP request), pick
// the account, and see whether its provider really signed it, what it says in words, and buttons to look it
// up or resend it. The check runs in the app's core with the account's secret; this screen sends only the
// text and the account id and gets the verdict and the fields back.
import { useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import {
  api, asCoreError, type AccountView, type CallbackAction, type CallbackCheck, type CallbackField, type CoreError,
  type InboxEntry, type Pasted, type ProviderDescriptor,
} from "../api";
import { AccountPicker } from "../components/AccountPicker";
import { NoAccountsYet } from "../components/EmptyState";
import { ErrorBox, fieldOf } from "../components/ErrorBox";
import { RequestView } from "../components/RequestView";
import { useScreenAccount, type ScreenAccountProps } from "../hooks/useScreenAccount";
import { useSessionState } from "../hooks/useSessionState";
import { useWorkspace } from "../hooks/useWorkspace";
import { operationOf, providerName } from "../lib/descriptors";
import { formatAmount } from "../lib/lookup";
import { appZone } from "../lib/datetime";
import { formatLocal, timeZoneName } from "../lib/time";
import { shortcutProps } from "../lib/shortcuts";

/** A delivery of the Sandbox inbox opened here ("Check" on its row): checked by its id, never its text. */
export type CheckIntent = { entry: InboxEntry; nonce: number };

/** What a prefilled look-up or resend opens (the Query or Resend screen). */
export type ActOn = { accountId: number; operation: string; params: Record<string, unknown> };

type Mode = "parts" | "request";

const VERDICT_TONE: Record<string, string> = {
  valid: "outcome-ok",
  mismatch: "outcome-failed",
  missing: "outcome-failed",
  unverifiable: "outcome-unknown",
  not_signed: "sig-not-signed",
};

export function CheckScreen(props: ScreenAccountProps & {
  intent: CheckIntent | null;
  onGoToAccounts: () => void;
  onLookUp: (a: ActOn) => void;
  onResend: (a: ActOn) => void;
}) {
  const { t, i18n } = useTranslation();
  const { accounts, descriptors, error: loadError } = useWorkspace();
  const account = useScreenAccount(accounts, props, (list) => list[0]);
  const [mode, setMode] = useSessionState<Mode>("check.mode", "parts");
  const [headers, setHeaders] = useSessionState("check.headers", "");
  const [body, setBody] = useSessionState("check.body", "");
  const [request, setRequest] = useSessionState("check.request", "");
  const [delivery, setDelivery] = useSessionState<InboxEntry | null>("check.delivery", null);
  const [result, setResult] = useSessionState<CallbackCheck | null>("check.result", null);
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useSessionState<number | null>("check.intent", null);

  const run = async (accountId: number, from: InboxEntry | null) => {
    const pasted: Pasted | null = from ? null : mode === "parts" ? { kind: "parts", headers, body } : { kind: "request", text: request };
    return api.checkCallback(accountId, pasted, from?.id ?? null);
  };

  const check = async (accountId = account?.id, from = delivery) => {
    if (accountId === undefined) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await run(accountId, from));
    } catch (e) {
      setResult(null);
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };

  // "Check" on a Sandbox inbox row: the delivery, checked at once with the first of the sandbox accounts of its
  // provider that signed it (a provider may have several demo accounts).
  const intent = props.intent;
  useEffect(() => {
    if (!intent || applied === intent.nonce || !accounts) return;
    setApplied(intent.nonce);
    setDelivery(intent.entry);
    setResult(null);
    setError(null);
    setBusy(true);
    const candidates = accounts.filter((a) => a.environment === "sandbox" && a.provider === intent.entry.provider).map((a) => a.id);
    void (async () => {
      let shown: CallbackCheck | null = null;
      try {
        for (const id of candidates) {
          const r = await run(id, intent.entry);
          if (shown === null || r.signature.verdict === "valid") shown = r;
          if (r.signature.verdict === "valid") break;
        }
        const a = accounts.find((x) => x.id === shown?.account_id);
        if (a) props.onAccount(a);
        setResult(shown);
      } catch (e) {
        setError(asCoreError(e));
      } finally {
        setBusy(false);
      }
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intent?.nonce, accounts]);

  if (accounts === null) return <p className="screen-subtitle">{t("common.loading")}</p>;
  if (accounts.length === 0) return <NoAccountsYet screen="check" icon="check" onGoToAccounts={props.onGoToAccounts} />;

  const bad = fieldOf(error);
  // A delivery just opened from the inbox is being checked: the last result is not its own.
  const opening = !!intent && applied !== intent.nonce;
  const shownResult = result && !opening && result.account_id === account?.id ? result : null;
  const onEdit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setResult(null);
  };

  return (
    <>
      <p className="screen-subtitle">{t("screens.check.subtitle")}</p>
      <section className="card wide-card" data-testid="check-form">
        <AccountPicker
          accounts={accounts}
          descriptors={descriptors}
          value={account?.id ?? null}
          onChange={(id) => {
            const a = accounts.find((x) => x.id === id) ?? null;
            props.onAccount(a);
            setResult(null);
          }}
        />
        {delivery ? (
          <div className="check-delivery" data-testid="check-delivery">
            <p className="field-help">
              {t("check.from_inbox", { time: `${formatLocal(delivery.received_at_ms, i18n.language)} (${zoneWords(t)})` })}
            </p>
            <details className="check-delivery-details">
              <summary>{t("check.show_delivery")}</summary>
              <RequestView method="POST" url={delivery.url} headers={delivery.headers} body={delivery.body} testId="check-delivery-request" />
            </details>
          </div>
        ) : (
          <>
            <fieldset className="field">
              <legend className="field-label">{t("check.what_pasted")}</legend>
              <div className="segmented" role="radiogroup">
                {(["parts", "request"] as Mode[]).map((m) => (
                  <label key={m} className={`segment${mode === m ? " active" : ""}`} data-testid={`check-mode-${m}`}>
                    <input type="radio" name="check-mode" value={m} checked={mode === m} onChange={() => { setMode(m); setResult(null); setError(null); }} />
                    {t(`check.mode.${m}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            {mode === "parts" ? (
              <div className="check-parts">
                <PastedText
                  field="callback_headers" rows={5} value={headers} onChange={onEdit(setHeaders)} invalid={bad === "callback_headers"}
                  placeholder={t("check.headers_placeholder")} help={t("check.headers_help")}
                />
                <PastedText
                  field="callback_body" rows={8} value={body} onChange={onEdit(setBody)} invalid={bad === "callback_body"}
                  placeholder='{"type": 1, "serial": 90000000001, …}' help={t("check.body_help")}
                />
              </div>
            ) : (
              <PastedText
                field="callback_request" rows={12} value={request} onChange={onEdit(setRequest)} invalid={bad === "callback_request"}
                placeholder={"POST /callback HTTP/1.1\nHost: …\nX-CHECKSUM: …\n\n{…}"} help={t("check.request_help")}
              />
            )}
          </>
        )}
        <div className="form-actions">
          <button type="button" className="btn primary" data-testid="check-run" disabled={busy || !account} onClick={() => void check()} {...shortcutProps(t, "main")}>
            {busy ? t("check.checking") : t("check.run")}
          </button>
          {delivery && (
            <button
              type="button"
              className="btn"
              data-testid="check-paste-instead"
              onClick={() => {
                setDelivery(null);
                setResult(null);
              }}
            >
              {t("check.paste_instead")}
            </button>
          )}
        </div>
        {(error ?? loadError) && <ErrorBox error={(error ?? loadError) as CoreError} />}
      </section>
      {shownResult && account && (
        <CheckResult result={shownResult} account={account} descriptors={descriptors} onLookUp={props.onLookUp} onResend={props.onResend} />
      )}
    </>
  );
}

/** The verdict, the fields in words, and the look-up and resend buttons. */
function CheckResult({ result, account, descriptors, onLookUp, onResend }: {
  result: CallbackCheck;
  account: AccountView;
  descriptors: ProviderDescriptor[];
  onLookUp: (a: ActOn) => void;
  onResend: (a: ActOn) => void;
}) {
  const { t, i18n } = useTranslation();
  const provider = providerName(descriptors, result.provider);
  const { verdict, reason, note } = result.signature;
  // A field named in a reason is said by its label (“Webhook public key”), as errors do.
  const fieldNames = (f: unknown) =>
    typeof f === "string" ? f.split(", ").map((n) => (i18n.exists(`fields.${n}`) ? t(`fields.${n}`) : n)).join(", ") : f;
  const words = (p: { key: string; params: Record<string, unknown> } | null) =>
    p ? t(p.key, { provider, ...p.params, field: fieldNames(p.params.field) }) : "";
  const d = result.description;
  const label = (a: CallbackAction) => {
    const op = operationOf(descriptors, account.provider, a.operation);
    return op ? t(op.label_key) : a.operation;
  };
  const act = (a: CallbackAction, go: (x: ActOn) => void) => go({ accountId: account.id, operation: a.operation, params: a.params });
  return (
    <section className="card wide-card" data-testid="check-result" data-verdict={verdict}>
      <div className={`check-verdict verdict-${verdict}`} role="status" data-testid="check-verdict">
        <span className={`pill ${VERDICT_TONE[verdict]}`}>{t(`check.verdict.${verdict}`)}</span>
        <p className="check-verdict-text">
          {t(`check.explain.${verdict}`, { provider, reason: words(reason) })}
        </p>
        {note && <p className="field-help" data-testid="check-note">{words(note)}</p>}
      </div>
      {d ? (
        <>
          <h2 className="card-title flush">{t("check.fields_title")}</h2>
          <dl className="check-fields" data-testid="check-fields">
            {d.fields.map((f, i) => (
              <FieldRow key={`${f.label_key}-${i}`} field={f} />
            ))}
          </dl>
          {(d.lookup || d.resend) && (
            <div className="form-actions check-actions">
              {d.lookup && (
                <button type="button" className="btn" data-testid="check-lookup" title={label(d.lookup)} onClick={() => act(d.lookup as CallbackAction, onLookUp)}>
                  {t("check.look_up")}
                </button>
              )}
              {d.resend && (
                <button type="button" className="btn" data-testid="check-resend" title={label(d.resend)} onClick={() => act(d.resend as CallbackAction, onResend)}>
                  {t("check.resend")}
                </button>
              )}
            </div>
          )}
        </>
      ) : (
        <p className="field-help" data-testid="check-not-callback">{t("check.not_a_callback", { provider })}</p>
      )}
      <p className="field-help" data-testid="check-read">
        {t("check.read", { bytes: new Intl.NumberFormat(i18n.language).format(result.body_bytes), headers: result.header_names.join(", ") || "—" })}
      </p>
    </section>
  );
}

/** The zone the times are written in (Settings: this computer's or UTC), written beside each time. */
function zoneWords(t: (key: string) => string): string {
  return appZone() === "UTC" ? t("datetime.zone_utc") : timeZoneName();
}

function FieldRow({ field }: { field: CallbackField }) {
  const { t, i18n } = useTranslation();
  const worded = field.value_key && i18n.exists(field.value_key) ? t(field.value_key) : null;
  let shown: string = worded ?? field.value;
  if (field.look === "amount") shown = formatAmount(field.value, i18n.language);
  if (field.look === "time" && /^-?\d+$/.test(field.value)) shown = `${formatLocal(Number(field.value), i18n.language)} (${zoneWords(t)})`;
  return (
    <div className="check-field" data-testid="check-field" data-label={field.label_key}>
      <dt>{t(field.label_key)}</dt>
      <dd className={field.look === "code" || field.look === "amount" ? "mono" : undefined} title={worded ? field.value : undefined}>
        {shown}
      </dd>
    </div>
  );
}

/** One box for pasted text (headers, body or a whole request): its label, help, and invalid state. */
function PastedText(props: {
  field: "callback_headers" | "callback_body" | "callback_request";
  rows: number;
  value: string;
  onChange: (v: string) => void;
  invalid: boolean;
  placeholder: string;
  help: string;
}) {
  const { t } = useTranslation();
  return (
    <label className="field check-text">
      <span className="field-label">{t(`fields.${props.field}`)}</span>
      <textarea
        className="mono"
        rows={props.rows}
        spellCheck={false}
        value={props.value}
        data-testid={`check-${props.field.replace("callback_", "")}`}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        {...(props.invalid ? { "aria-invalid": true as const } : {})}
      />
      <span className="field-help">{props.help}</span>
    </label>
  );
}
