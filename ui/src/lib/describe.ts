// What a resend will do, in words, for its confirmation.
import type { TFunction } from "../i18n";
import type { FormField } from "../bindings/FormField";
import { appZone, zoneLabel } from "./datetime";
import { formatLocal } from "./time";

/** One line per given param, in words: "Serial number: 123", "From: 16/05/2024 10:00:00". */
export function describeParams(t: TFunction, language: string, fields: FormField[], params: Record<string, unknown>): string[] {
  return describeFields(t, language, fields, params).map((l) => `${l.label}: ${l.text}`);
}

/** Each given param's label and value in words. */
export function describeFields(t: TFunction, language: string, fields: FormField[], params: Record<string, unknown>): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const f of fields) {
    const v = params[f.name];
    if (v === undefined || v === null) continue;
    let text: string;
    if (f.broad_label_key && f.broad !== null && f.broad !== undefined && String(v) === String(f.broad)) text = t(f.broad_label_key);
    else if (f.kind === "unix_seconds" || f.kind === "unix_millis") {
      // The time with the zone it is written in, as everywhere a time is shown.
      const ms = f.kind === "unix_seconds" ? Number(v) * 1000 : Number(v);
      text = `${formatLocal(ms, language)} (${zoneLabel(t, appZone(), ms)})`;
    }
    else if (f.kind === "choice") text = t(`${f.choices_key}.${String(v)}`);
    else if (Array.isArray(v)) text = v.length > 5 ? `${v.slice(0, 5).join(", ")} (+${v.length - 5})` : v.join(", ");
    else text = String(v);
    out.push({ label: t(f.label_key), text });
  }
  return out;
}
