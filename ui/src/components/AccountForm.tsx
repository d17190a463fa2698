import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "../i18n";
import { shortcutProps } from "../lib/shortcuts";
import { api, isCoreError, type AccountInput, type AccountView, type CoreError, type ProviderDescriptor } from "../api";
import type { AccountBasis } from "../bindings/AccountBasis";
import type { AccountField } from "../bindings/AccountField";
import type { Environment } from "../bindings/Environment";
import { matchesOnlyWhen, productionUrl } from "../lib/descriptors";
import { ErrorBox, fieldOf } from "./ErrorBox";
import { namedIdsToSave, readNamedIds, type NamedId } from "../lib/namedids";
import { NamedIdsInput } from "./NamedIdsInput";
import { shownLabel } from "../lib/account";
import { useToast } from "../hooks/useToast";

const ENVIRONMENTS: Environment[] = ["production", "sandbox", "custom"];
const SANDBOX_MARKER = "sandbox:";

/** The server a stored or typed base URL points at (scheme, host, port), as the core compares them. */
function hostOf(url: string): string {
  if (url === SANDBOX_MARKER) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return `unreadable:${url}`;
  }
}

/** The account as the form shows it when opened: saved over only while the account is still so. */
function basisOf(a: AccountView): AccountBasis {
  return { label: a.label, environment: a.environment, base_url: a.base_url, fields: a.fields, notes: a.notes };
}

/** Add or edit a merchant account. Drawn from the provider's descriptor; secret inputs are write-only. */
export function AccountForm(props: {
  descriptors: ProviderDescriptor[];
  account?: AccountView;
  onCancel: () => void;
  onSaved: () => void;
  /** The account was changed elsewhere since this form opened: open it again as it is now. */
  onReopen?: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const editing = props.account;
  const [provider, setProvider] = useState<string>(editing?.provider ?? props.descriptors[0]?.id ?? "");
  const [label, setLabel] = useState(editing?.label ?? "");
  const [environment, setEnvironment] = useState<Environment>(editing?.environment ?? "production");
  const [baseUrl, setBaseUrl] = useState(editing && editing.environment !== "sandbox" ? editing.base_url : "");
  const [fields, setFields] = useState<Record<string, string>>(
    Object.fromEntries(Object.entries(editing?.fields ?? {}).filter(([, v]) => !Array.isArray(v)).map(([k, v]) => [k, String(v ?? "")])),
  );
  // `named_ids` fields: rows of a name and an id.
  const [idLists, setIdLists] = useState<Record<string, NamedId[]>>(
    Object.fromEntries(Object.entries(editing?.fields ?? {}).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, readNamedIds(v)])),
  );
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [replacing, setReplacing] = useState<Record<string, boolean>>({});
  const [notes, setNotes] = useState(editing?.notes ?? "");
  const [error, setError] = useState<CoreError | null>(null);
  const [saving, setSaving] = useState(false);
  // The account changed elsewhere since the form opened: saving again would be refused again, so the form's
  // main action becomes opening it anew, and the focus goes there (the Save button it replaces is gone).
  const changedElsewhere = error?.code === "accounts.changed_elsewhere" && !!props.onReopen;
  const reopenButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (changedElsewhere) reopenButton.current?.focus();
  }, [changedElsewhere]);

  const descriptor = props.descriptors.find((d) => d.id === provider);
  const accountFields = useMemo(() => (descriptor?.account_fields ?? []).filter((f) => f.name !== "base_url"), [descriptor]);
  const baseUrlField = descriptor?.account_fields.find((f) => f.name === "base_url");
  // The address's label names both its choice of known addresses and its field (a <label> names only the first).
  const baseUrlLabel = useId();
  const defaultUrl = productionUrl(descriptor, fields);
  // The documented addresses of this environment (production APIs per version or brand; a provider's own
  // test environment for a custom address). Choosing one also sets the field its preset is for.
  const presets = (descriptor?.base_urls ?? []).filter((p) => environment !== "sandbox" && p.production === (environment === "production"));
  const shownUrl = baseUrl.trim() || (environment === "production" ? defaultUrl : "");
  const presetShown = presets.find((p) => p.url === shownUrl);
  const [otherAddress, setOtherAddress] = useState(false);
  const choosePreset = (url: string) => {
    setOtherAddress(url === "");
    if (url === "") return;
    const p = presets.find((x) => x.url === url);
    setBaseUrl(url);
    if (p?.only_when && p.only_when.values.length === 1) setFields({ ...fields, [p.only_when.field]: p.only_when.values[0] });
  };
  // A choice that makes the chosen documented address another version's or brand's lets the default apply.
  const setChoice = (name: string, value: string) => {
    const next = { ...fields, [name]: value };
    setFields(next);
    const p = descriptor?.base_urls.find((x) => x.url === baseUrl.trim());
    if (p && descriptor && !matchesOnlyWhen(descriptor, next, p.only_when)) setBaseUrl("");
  };
  const isRequired = (f: AccountField) => f.required && !(descriptor && f.optional_when && matchesOnlyWhen(descriptor, fields, f.optional_when));
  const errorField = fieldOf(error);
  const isSet = (name: string) => editing?.secrets.find((s) => s.name === name)?.set ?? false;
  // Saved secrets that can no longer be read (their master key is gone from the keyring): each must be
  // entered again before the account can be saved (the core refuses otherwise).
  const lost = accountFields.filter((f) => f.secret && (editing?.secrets.find((s) => s.name === f.name)?.needs_reentry ?? false));
  // Saved secrets stay with the server they were entered for: when the address (scheme, host, port) or
  // the environment changes, every saved secret must be entered again (the core refuses otherwise).
  const effectiveBase = environment === "sandbox" ? SANDBOX_MARKER : baseUrl.trim() || (environment === "production" ? defaultUrl : "");
  const newHost = !!editing && (environment !== editing.environment || hostOf(effectiveBase) !== hostOf(editing.base_url));
  const reenter = newHost ? accountFields.filter((f) => f.secret && isSet(f.name)) : [];
  const mustReenter = (name: string) => reenter.some((f) => f.name === name) || lost.some((f) => f.name === name);

  const save = async () => {
    const lostMissing = lost.filter((f) => (secrets[f.name] ?? "").trim() === "").map((f) => f.name);
    if (lostMissing.length) {
      setError({ code: "vault.master_key_lost", params: { field: lostMissing[0], fields: lostMissing }, detail: null });
      return;
    }
    const missing = reenter.filter((f) => (secrets[f.name] ?? "").trim() === "").map((f) => f.name);
    if (missing.length) {
      setError({ code: "accounts.secrets_required_for_new_host", params: { field: missing[0], fields: missing }, detail: null });
      return;
    }
    setSaving(true);
    setError(null);
    const input: AccountInput = {
      provider,
      label,
      environment,
      base_url: environment === "sandbox" ? undefined : baseUrl.trim() || undefined,
      fields: Object.fromEntries([
        ...accountFields.filter((f) => !f.secret && f.kind !== "named_ids" && fields[f.name] !== undefined && fields[f.name] !== "").map((f) => [
          f.name,
          f.kind === "integer" && /^\d+$/.test(fields[f.name]) ? Number(fields[f.name]) : fields[f.name],
        ]),
        ...accountFields
          .filter((f) => f.kind === "named_ids")
          .map((f) => [f.name, namedIdsToSave(idLists[f.name] ?? [])])
          .filter(([, v]) => v !== undefined),
      ]),
      secrets: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v.trim() !== "")),
      notes,
    };
    try {
      const saved = editing ? await api.updateAccount(editing.id, input, basisOf(editing)) : await api.createAccount(input);
      // Secrets leave the form's memory as soon as they are saved.
      setSecrets({});
      const stored = saved?.label ?? label;
      toast(
        editing
          ? { testId: "account-saved", message: () => t("toast.account_saved", { label: shownLabel(stored) }) }
          : { testId: "account-added", message: () => t("toast.account_added", { label: shownLabel(stored) }) },
      );
      props.onSaved();
    } catch (e) {
      setError(isCoreError(e) ? e : { code: "internal", params: {}, detail: String(e) });
    } finally {
      setSaving(false);
    }
  };

  const fieldError = (name: string) => (errorField === name ? <ErrorBox error={error!} compact testId={`field-error-${name}`} /> : null);

  return (
    <form
      className="card form"
      data-testid="account-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 className="form-title">{editing ? t("accounts.edit_title", { label: editing.label }) : t("accounts.add_title")}</h2>

      <label className="field">
        <span className="field-label">{t("accounts.provider")}</span>
        <select value={provider} disabled={!!editing} data-testid="form-provider" onChange={(e) => setProvider(e.target.value)}>
          {props.descriptors.map((d) => (
            <option key={d.id} value={d.id}>
              {d.display_name}
            </option>
          ))}
        </select>
      </label>

      <label className="field">
        <span className="field-label">{t("accounts.label")}</span>
        <input value={label} data-testid="form-label" onChange={(e) => setLabel(e.target.value)} placeholder={t("accounts.label_placeholder")} />
        <span className="field-help">{t("accounts.label_help")}</span>
        {fieldError("label")}
      </label>

      <fieldset className="field">
        <legend className="field-label">{t("env.label")}</legend>
        <div className="segmented">
          {ENVIRONMENTS.map((env) => (
            <label key={env} className={`segment${environment === env ? " active" : ""} seg-${env}`} data-testid={`form-env-${env}`}>
              <input type="radio" name="environment" value={env} checked={environment === env} onChange={() => setEnvironment(env)} />
              {t(`env.${env}`)}
            </label>
          ))}
        </div>
        <span className="field-help">{t(`accounts.env_help.${environment}`)}</span>
      </fieldset>

      {environment !== "sandbox" && (
        <label className="field">
          <span className="field-label" id={baseUrlLabel}>{t("accounts.base_url")}</span>
          {presets.length > 0 && (
            <select value={otherAddress ? "" : (presetShown?.url ?? "")} data-testid="form-base_url-preset" aria-labelledby={baseUrlLabel} onChange={(e) => choosePreset(e.target.value)}>
              {presets.map((p) => (
                <option key={p.url} value={p.url}>
                  {t(p.label_key)} — {p.url}
                </option>
              ))}
              <option value="">{t("accounts.base_url_custom")}</option>
            </select>
          )}
          <input value={baseUrl} data-testid="form-base_url" aria-labelledby={baseUrlLabel} onChange={(e) => setBaseUrl(e.target.value)} placeholder={defaultUrl || "https://"} />
          <span className="field-help">
            {environment === "production" && defaultUrl
              ? t("accounts.base_url_default", { url: defaultUrl })
              : baseUrlField && t(baseUrlField.help_key)}
          </span>
          {fieldError("base_url")}
        </label>
      )}

      {lost.length > 0 && (
        <div className="warning" data-testid="reentry-warning">
          {t("accounts.reentry_warning", { fields: lost.map((f) => t(f.label_key)).join(", ") })}
        </div>
      )}

      {reenter.length > 0 && (
        <div className="warning" data-testid="new-host-warning">
          {t("accounts.new_host_warning", { fields: reenter.map((f) => t(f.label_key)).join(", ") })}
        </div>
      )}

      {accountFields.map((f) =>
        f.secret ? (
          <SecretInput
            key={`${provider}-${f.name}`}
            field={f}
            saved={isSet(f.name) && !mustReenter(f.name)}
            required={mustReenter(f.name)}
            replacing={!!replacing[f.name]}
            value={secrets[f.name] ?? ""}
            onReplace={() => setReplacing({ ...replacing, [f.name]: true })}
            onChange={(v) => setSecrets({ ...secrets, [f.name]: v })}
            warning={editing && f.replace_warning_key && replacing[f.name] ? t(f.replace_warning_key) : undefined}
            error={fieldError(f.name)}
          />
        ) : f.kind === "named_ids" ? (
          <fieldset className="field" key={`${provider}-${f.name}`}>
            <legend className="field-label">
              {t(f.label_key)}
              {!isRequired(f) && <span className="optional"> {t("common.optional")}</span>}
            </legend>
            <NamedIdsInput name={f.name} rows={idLists[f.name] ?? []} onChange={(rows) => setIdLists({ ...idLists, [f.name]: rows })} />
            <span className="field-help" data-testid={`help-${f.name}`}>{t(f.help_key)}</span>
            {fieldError(f.name)}
          </fieldset>
        ) : (
          <label className="field" key={`${provider}-${f.name}`}>
            <span className="field-label">
              {t(f.label_key)}
              {!isRequired(f) && <span className="optional"> {t("common.optional")}</span>}
            </span>
            {f.kind === "choice" ? (
              <select value={fields[f.name] ?? f.default ?? ""} data-testid={`form-${f.name}`} onChange={(e) => setChoice(f.name, e.target.value)}>
                {f.choices.map((c) => (
                  <option key={c} value={c}>
                    {f.choices_key ? t(`${f.choices_key}.${c}`) : c}
                  </option>
                ))}
              </select>
            ) : (
              <input
                value={fields[f.name] ?? ""}
                inputMode={f.kind === "integer" ? "numeric" : undefined}
                data-testid={`form-${f.name}`}
                onChange={(e) => setFields({ ...fields, [f.name]: e.target.value })}
              />
            )}
            <span className="field-help">{t(f.help_key)}</span>
            {fieldError(f.name)}
          </label>
        ),
      )}

      <label className="field">
        <span className="field-label">
          {t("accounts.notes")} <span className="optional">{t("common.optional")}</span>
        </span>
        <textarea rows={2} value={notes} data-testid="form-notes" onChange={(e) => setNotes(e.target.value)} />
        {fieldError("notes")}
      </label>

      {error && !errorField && <ErrorBox error={error} />}

      <div className="row">
        {changedElsewhere ? (
          <button type="button" ref={reopenButton} className="btn primary" data-testid="form-reopen" onClick={props.onReopen} {...shortcutProps(t, "main")}>
            {t("accounts.reopen")}
          </button>
        ) : (
          <button type="submit" className="btn primary" disabled={saving} data-testid="form-save" {...shortcutProps(t, "main")}>
            {saving ? t("common.saving") : t("common.save")}
          </button>
        )}
        <button type="button" className="btn" onClick={props.onCancel} data-testid="form-cancel">
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function SecretInput(props: {
  field: AccountField;
  saved: boolean;
  /** Must be entered in this save (a saved secret whose account moves to another host). */
  required?: boolean;
  replacing: boolean;
  value: string;
  onReplace: () => void;
  onChange: (v: string) => void;
  warning?: string;
  error: React.ReactNode;
}) {
  const { t } = useTranslation();
  const f = props.field;
  // The field's name labels its input (a secret's input is not inside a <label>: the saved state has none).
  const labelId = useId();
  const helpId = useId();
  const multiline = f.kind === "private_key" || f.kind === "certificate";
  const showInput = !props.saved || props.replacing;
  const readFile = async (file: File | undefined) => {
    if (file) props.onChange(await file.text());
  };
  return (
    <div className="field" data-testid={`secret-${f.name}`}>
      <span className="field-label" id={labelId}>
        {t(f.label_key)}
        {!f.required && !props.required && <span className="optional"> {t("common.optional")}</span>}
      </span>
      {!showInput ? (
        <div className="secret-saved">
          <span className="saved-pill" data-testid={`secret-saved-${f.name}`}>
            {t("accounts.secret_saved")}
          </span>
          <button type="button" className="btn small" data-testid={`secret-replace-${f.name}`} onClick={props.onReplace} aria-describedby={labelId}>
            {t("accounts.replace")}
          </button>
        </div>
      ) : multiline ? (
        <>
          <textarea
            rows={4}
            className="mono"
            spellCheck={false}
            autoComplete="off"
            value={props.value}
            required={props.required}
            data-testid={`form-${f.name}`}
            aria-labelledby={labelId}
            aria-describedby={helpId}
            placeholder={t(f.kind === "certificate" ? "accounts.paste_certificate" : "accounts.paste_key")}
            onChange={(e) => props.onChange(e.target.value)}
          />
          <label className="file-pick">
            <input type="file" accept=".pem,.key,.crt,.cer,.txt" onChange={(e) => void readFile(e.target.files?.[0])} />
            {t("accounts.choose_file")}
          </label>
        </>
      ) : (
        <input type="password" autoComplete="new-password" spellCheck={false} value={props.value} required={props.required} data-testid={`form-${f.name}`} aria-labelledby={labelId} aria-describedby={helpId} onChange={(e) => props.onChange(e.target.value)} />
      )}
      <span className="field-help" id={helpId}>{t(f.help_key)}</span>
      {props.warning && (
        <div className="warning" data-testid={`warning-${f.name}`}>
          {props.warning}
        </div>
      )}
      {props.error}
    </div>
  );
}
