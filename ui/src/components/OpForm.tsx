import { useTranslation } from "../i18n";
import type { AccountView, FormField } from "../api";
import { chosen, isRequired, parseIntegerList, parseTextList, type FormValues } from "../lib/params";
import { idKindOf } from "../lib/idfile";
import { LoadIds } from "./LoadIds";
import { useRef } from "react";
import { useZone } from "../hooks/useZone";
import { UNFINISHED_DATE } from "../lib/params";
import { LazyDateTimeField } from "./DateTimeField.lazy";
import { storedIds } from "../lib/namedids";
import { StoredIdInput } from "./StoredIdInput";

/** The inputs of one operation, drawn from its descriptor. */
export function OpForm(props: {
  fields: FormField[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (values: FormValues) => void;
  /** Prefix of the inputs' ids and test ids (another form on the same screen uses its own). */
  prefix?: string;
  /** The sandbox's built-in receiver for this account (a sandbox account): URL fields can pick it. */
  receiverUrl?: string | null;
  /** The account the operation runs on: fields taking their value from it offer its stored ids. */
  account?: Pick<AccountView, "fields"> | null;
}) {
  const { t, i18n } = useTranslation();
  const prefix = props.prefix ?? "op";
  // Applied to the values as last drawn: a date field reports from its effects, after the change it follows.
  const latest = useRef(props.values);
  latest.current = props.values;
  const set = (name: string, v: string) => {
    latest.current = { ...latest.current, [name]: v };
    props.onChange(latest.current);
  };
  return (
    <div className="op-form">
      {props.fields.map((f) => {
        const value = props.values[f.name] ?? "";
        const err = props.errors[f.name];
        return (
          <div className="field wide" key={f.name} data-testid={`field-${f.name}`}>
            <label className="field-label" htmlFor={`${prefix}-${f.name}`}>
              {t(f.label_key)}
              {!isRequired(f, props.values) && <span className="optional"> {t("common.optional")}</span>}
            </label>
            {f.from_account && props.account ? (
              <StoredIdInput
                key={`${prefix}-${f.name}-${JSON.stringify(props.account.fields[f.from_account] ?? null)}`}
                id={`${prefix}-${f.name}`}
                testId={`${prefix}-${f.name}`}
                ids={storedIds(props.account, f.from_account)}
                value={value}
                onChange={(v) => set(f.name, v)}
              />
            ) : (
              <FieldInput field={f} value={value} prefix={prefix} onChange={(v) => set(f.name, v)} />
            )}
            {f.kind === "url" && props.receiverUrl && (
              <div className="row">
                <button type="button" className="btn small" onClick={() => set(f.name, props.receiverUrl!)} data-testid={`${prefix}-${f.name}-receiver`}>
                  {t("work.use_receiver")}
                </button>
              </div>
            )}
            <span className="field-help">{t(f.help_key)}</span>
            {err && (
              <span className="field-error" data-testid={`form-error-${f.name}`}>
                {t(i18n.exists(`form_errors.${err}`) ? `form_errors.${err}` : `reasons.${err}`, { max: f.max === null ? "" : String(f.max) })}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}

function FieldInput({ field: f, value, prefix, onChange }: { field: FormField; value: string; prefix: string; onChange: (v: string) => void }) {
  const { t, i18n } = useTranslation();
  const zone = useZone();
  // The value as last drawn, for reports that come from the field's effects after a change.
  const valueRef = useRef(value);
  valueRef.current = value;
  const id = `${prefix}-${f.name}`;
  const testId = `${prefix}-${f.name}`;
  switch (f.kind) {
    case "choice":
      return (
        <select id={id} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
          {!f.required && f.default === null && <option value="">{t("work.not_set")}</option>}
          {f.choices.map((c) => (
            <option key={c} value={c}>
              {t(`${f.choices_key}.${c}`)}
            </option>
          ))}
        </select>
      );
    case "choice_list": {
      const picked = chosen(f, value);
      const toggle = (c: string) => onChange(f.choices.filter((x) => (x === c ? !picked.includes(c) : picked.includes(x))).join(","));
      return (
        <div className="choice-list" id={id} data-testid={testId} role="group">
          {f.choices.map((c) => (
            <label key={c} className="check">
              <input type="checkbox" checked={picked.includes(c)} data-testid={`${testId}-${c}`} onChange={() => toggle(c)} />
              <span>{t(`${f.choices_key}.${c}`)}</span>
            </label>
          ))}
        </div>
      );
    }
    case "unix_seconds":
    case "unix_millis":
      // Typed in the app language's format and the zone chosen in Settings (shown beside it); the value kept
      // is Unix milliseconds, turned into the provider's unit only when the request is built.
      return (
        <LazyDateTimeField
          label={t(f.label_key)}
          hideLabel
          value={/^\d+$/.test(value) ? Number(value) : null}
          onChange={(ms) => onChange(ms === null ? "" : String(ms))}
          onIncompleteChange={(incomplete) => (incomplete ? onChange(UNFINISHED_DATE) : valueRef.current === UNFINISHED_DATE && onChange(""))}
          zone={zone}
          granularity="second"
          presets={["hour_ago", "day_ago", "now"]}
          testId={testId}
        />
      );
    case "integer_list":
    case "text_list": {
      const n = f.kind === "integer_list" ? parseIntegerList(value).values.length : parseTextList(value).length;
      return (
        <>
          <textarea id={id} rows={4} className="mono" value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)} placeholder={t("work.list_placeholder")} />
          <LoadIds kind={idKindOf(f.kind)} onLoaded={(ids) => onChange(ids.join("\n"))} testId={`${testId}-file`}>
            <span className="field-hint" data-testid={`${testId}-count`}>{t("work.list_count", { n: new Intl.NumberFormat(i18n.language).format(n) })}</span>
          </LoadIds>
        </>
      );
    }
    case "integer":
      if (f.broad !== null && f.broad !== undefined) {
        const all = value === String(f.broad);
        return (
          <div className="broad-choice">
            <label className={`radio-card${!all ? " active" : ""}`}>
              <input type="radio" name={id} checked={!all} data-testid={`${testId}-one`} onChange={() => onChange("")} />
              <span>{t("work.broad_one")}</span>
            </label>
            {!all && (
              <input id={id} inputMode="numeric" value={value} data-testid={testId} onChange={(e) => onChange(e.target.value.trim())} placeholder={t("work.serial_placeholder")} />
            )}
            <label className={`radio-card${all ? " active warn" : ""}`}>
              <input type="radio" name={id} checked={all} data-testid={`${testId}-all`} onChange={() => onChange(String(f.broad))} />
              <span>{f.broad_label_key ? t(f.broad_label_key) : String(f.broad)}</span>
            </label>
          </div>
        );
      }
      return <input id={id} inputMode="numeric" value={value} data-testid={testId} onChange={(e) => onChange(e.target.value.trim())} />;
    default:
      return <input id={id} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)} placeholder={f.kind === "url" ? "https://" : undefined} />;
  }
}
