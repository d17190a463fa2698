import { useTranslation } from "react-i18next";
import type { FormField } from "../api";
import { isRequired, parseIntegerList, parseTextList, type FormValues } from "../lib/params";
import { idKindOf } from "../lib/idfile";
import { LoadIds } from "./LoadIds";
import { localToUnit, parseLocalDateTime, timeZoneName, toLocalInput } from "../lib/time";

/** The inputs of one operation, drawn from its descriptor. */
export function OpForm(props: {
  fields: FormField[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (values: FormValues) => void;
}) {
  const { t, i18n } = useTranslation();
  const set = (name: string, v: string) => props.onChange({ ...props.values, [name]: v });
  return (
    <div className="op-form">
      {props.fields.map((f) => {
        const value = props.values[f.name] ?? "";
        const err = props.errors[f.name];
        return (
          <div className="field wide" key={f.name} data-testid={`field-${f.name}`}>
            <label className="field-label" htmlFor={`op-${f.name}`}>
              {t(f.label_key)}
              {!isRequired(f, props.values) && <span className="optional"> {t("common.optional")}</span>}
            </label>
            <FieldInput field={f} value={value} onChange={(v) => set(f.name, v)} />
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

function FieldInput({ field: f, value, onChange }: { field: FormField; value: string; onChange: (v: string) => void }) {
  const { t, i18n } = useTranslation();
  const id = `op-${f.name}`;
  const testId = `op-${f.name}`;
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
    case "unix_seconds":
    case "unix_millis": {
      const unit = localToUnit(value, f.kind);
      const preset = (hoursAgo: number) => onChange(toLocalInput(Date.now() - hoursAgo * 3600_000));
      return (
        <>
          <div className="row">
            <input
              id={id}
              type="datetime-local"
              step={1}
              value={value}
              data-testid={testId}
              onChange={(e) => onChange(e.target.value)}
              placeholder="YYYY-MM-DD HH:MM"
            />
            <button type="button" className="btn small" onClick={() => preset(1)} data-testid={`${testId}-1h`}>
              {t("work.preset_1h")}
            </button>
            <button type="button" className="btn small" onClick={() => preset(24)}>
              {t("work.preset_24h")}
            </button>
            <button type="button" className="btn small" onClick={() => preset(0)}>
              {t("work.preset_now")}
            </button>
          </div>
          <span className="field-hint" data-testid={`${testId}-unit`}>
            {value && parseLocalDateTime(value) === null
              ? t("form_errors.not_date")
              : t(f.kind === "unix_millis" ? "work.time_sent_ms" : "work.time_sent_s", {
                  zone: timeZoneName(),
                  value: unit === null ? "—" : String(unit),
                })}
          </span>
        </>
      );
    }
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
