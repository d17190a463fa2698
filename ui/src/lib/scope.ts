// What a recorded action covered, in words: its scope's params (read back by the core, HistoryRow.scope_params)
// described through the operation's fields — labels, choice labels, a field's "all" value by its meaning,
// times in the app's format, a list's first item and how many more.
import type { TFunction } from "../i18n";
import type { FormField } from "../bindings/FormField";
import type { ProviderDescriptor } from "../bindings/ProviderDescriptor";
import type { ScopeParam } from "../bindings/ScopeParam";
import { descriptorOf } from "./descriptors";
import { formatLocal } from "./time";

/** One param in words. */
export type ScopePart = { label: string; value: string; full: string };

/** The fields of every operation of that name of the provider (one per API version may exist), by name. */
export function scopeFields(descriptors: ProviderDescriptor[], provider: string, operation: string): FormField[] {
  const out: FormField[] = [];
  for (const o of descriptorOf(descriptors, provider)?.operations ?? []) {
    if (o.name !== operation) continue;
    for (const f of o.fields) if (!out.some((x) => x.name === f.name)) out.push(f);
  }
  return out;
}

/** An identifier shortened for a table cell: its beginning and end around an ellipsis (full in `full`). */
export function shortId(text: string, max = 14): string {
  return text.length <= max ? text : `${text.slice(0, 6)}…${text.slice(-4)}`;
}

/** The params in words, in the order recorded; a param of a field the operation no longer has is left out. */
export function describeScope(t: TFunction, language: string, fields: FormField[], params: ScopeParam[]): ScopePart[] {
  const nf = new Intl.NumberFormat(language);
  const out: ScopePart[] = [];
  for (const p of params) {
    const f = fields.find((x) => x.name === p.name);
    if (!f) continue;
    const raw = typeof p.value === "string" ? p.value : JSON.stringify(p.value);
    let value: string;
    let id = false;
    if (p.broad && f.broad_label_key) value = t(f.broad_label_key);
    else if (f.kind === "unix_seconds" && typeof p.value === "number") value = formatLocal(p.value * 1000, language);
    else if (f.kind === "unix_millis" && typeof p.value === "number") value = formatLocal(p.value, language);
    else if (f.kind === "choice") value = t(`${f.choices_key}.${raw}`);
    else {
      value = raw;
      id = true;
    }
    const full = p.more > 0 ? t("history.readable.more", { value, n: nf.format(p.more), count: p.more }) : value;
    const short = id ? shortId(value) : value;
    out.push({
      label: t(f.label_key),
      value: p.more > 0 ? t("history.readable.more", { value: short, n: nf.format(p.more), count: p.more }) : short,
      full,
    });
  }
  return out;
}
