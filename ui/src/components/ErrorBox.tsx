import { useTranslation } from "../i18n";
import type { CoreError } from "../api";
import { formatDuration } from "../lib/duration";
import { shownLabel } from "../lib/account";

/**
 * The form field an error is about, if any (`input.invalid` / `input.missing` carry `params.field`, and
 * `accounts.secrets_required_for_new_host` / `vault.master_key_lost` the first secret to enter again).
 */
export function fieldOf(error: CoreError | null): string | null {
  if (!error) return null;
  const fieldCodes = ["input.invalid", "input.missing", "accounts.secrets_required_for_new_host", "vault.master_key_lost"];
  if (!fieldCodes.includes(error.code)) return null;
  const f = error.params.field;
  return typeof f === "string" ? f : null;
}

/**
 * What an error's measured params say, in words: how far this computer's clock is from the provider's
 * (`skew_seconds`, positive when it is ahead), how long the provider asks to wait (`retry_after_seconds`),
 * and the window within which the provider accepts a request's time (`window_seconds`).
 */
export function errorFacts(t: (key: string, params?: Record<string, unknown>) => string, params: Record<string, unknown>): string[] {
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const out: string[] = [];
  const skew = n(params.skew_seconds);
  if (skew !== null && skew !== 0) out.push(t(skew > 0 ? "error_facts.clock_ahead" : "error_facts.clock_behind", { n: Math.abs(skew) }));
  const window = n(params.window_seconds);
  if (window !== null) out.push(t("error_facts.window", { n: window }));
  const wait = n(params.retry_after_seconds);
  if (wait !== null) out.push(t("error_facts.retry_after", { n: wait }));
  return out;
}

/**
 * A translated error: the message in the user's language with its fix, and the raw detail underneath. Shown
 * in History (`inHistory`), a message that would send the user to History says it without that step
 * (`history.errors.<code>`), where there is one.
 */
export function ErrorBox({ error, compact, testId, inHistory }: { error: CoreError; compact?: boolean; testId?: string; inHistory?: boolean }) {
  const { t, i18n } = useTranslation();
  const params: Record<string, unknown> = { ...error.params };
  const fieldName = (f: unknown) => (typeof f === "string" && i18n.exists(`fields.${f}`) ? t(`fields.${f}`) : String(f));
  if (typeof params.field === "string") params.field = fieldName(params.field);
  // An account's label as the app shows it everywhere (a sandbox account's in the reader's language).
  if (typeof params.label === "string") params.label = shownLabel(params.label);
  if (Array.isArray(params.fields)) params.fields = params.fields.map(fieldName).join(", ");
  // A length of time in words ("1 h"), never a number of seconds.
  if (typeof params.max_seconds === "number") params.max_duration = formatDuration(t, params.max_seconds);
  const reasonKey = typeof error.params.reason === "string" ? `reasons.${error.params.reason}` : null;
  const reason = reasonKey && i18n.exists(reasonKey) ? t(reasonKey, error.params) : "";
  return (
    <div className={`error-box${compact ? " compact" : ""}`} role="alert" data-testid={testId ?? "error-box"} data-code={error.code}>
      <div className="error-message">
        {t(inHistory && i18n.exists(`history.errors.${error.code}`) ? `history.errors.${error.code}` : `errors.${error.code}`, params)}
        {reason && <span className="error-reason"> {reason}</span>}
        {errorFacts(t, error.params).map((f) => (
          <span className="error-fact" key={f} data-testid="error-fact"> {f}</span>
        ))}
      </div>
      {error.detail && <div className="error-detail">{t("errors.detail", { detail: error.detail })}</div>}
    </div>
  );
}
