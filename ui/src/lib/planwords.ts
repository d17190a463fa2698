// What a bulk job will resend, in words, for its plan and confirmation: the time window with its zone, the
// values and ids it covers, and the operation's other fields — never Unix numbers.
import type { TFunction } from "../i18n";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import type { PlanRequest } from "../bindings/PlanRequest";
import { bulkFormFields, eachField } from "./bulk";
import { zoneLabel, type ZoneChoice } from "./datetime";
import { describeFields } from "./describe";
import { formatClock, formatMinute, sameDay } from "./time";

/** One line of the plan: what it is about and what it says. */
export type PlanLine = { id: string; label: string; text: string };

/**
 * A window in words: "12/04/2026 14:00 – 16:00" on one day, both dates otherwise; without an end, "from …
 * until now".
 */
export function windowText(t: TFunction, language: string, fromMs: number, toMs: number | null, zone: ZoneChoice): string {
  const from = formatMinute(fromMs, language, zone);
  if (toMs === null) return t("bulk.window_since_text", { from });
  const to = sameDay(fromMs, toMs - 1, zone) ? formatClock(toMs, language, zone) : formatMinute(toMs, language, zone);
  return t("bulk.window_text", { from, to });
}

/** Up to five values, then how many more. */
function someOf(values: string[], language: string): string {
  if (values.length <= 5) return values.join(", ");
  return `${values.slice(0, 5).join(", ")} (+${new Intl.NumberFormat(language).format(values.length - 5)})`;
}

/** The lines of a plan request: window and zone, the values and ids, the other fields; or the calls given. */
export function describePlan(t: TFunction, language: string, op: OperationDescriptor, req: PlanRequest, zone: ZoneChoice): PlanLine[] {
  const lines: PlanLine[] = [];
  if (req.calls) {
    lines.push({ id: "given", label: t("bulk.plan_given_label"), text: t("bulk.plan_given", { count: req.calls.length }) });
    return lines;
  }
  const bulk = op.bulk;
  if (req.since !== null) {
    const to = bulk?.window?.has_end === false ? null : req.until === null ? Date.now() : req.until * 1000;
    lines.push({ id: "window", label: t("bulk.window"), text: windowText(t, language, req.since * 1000, to, zone) });
    lines.push({ id: "zone", label: t("bulk.plan_zone"), text: zoneLabel(t, zone, req.since * 1000) });
  }
  const each = bulk?.each;
  const of = eachField(op);
  const chosen = each ? req.params[each.field] : undefined;
  if (each && of && Array.isArray(chosen)) {
    const all = of.choices.length > 0 && of.choices.every((c) => chosen.includes(c));
    const names = chosen.map((v) => t(`${of.choices_key}.${String(v)}`));
    lines.push({ id: "each", label: t(each.label_key), text: all ? t("bulk.plan_each_all", { list: names.join(", ") }) : names.join(", ") });
  }
  const ids = bulk?.ids;
  if (ids) {
    const list = req.params[ids.field];
    const text = Array.isArray(list)
      ? `${t("bulk.plan_ids_count", { count: list.length, n: new Intl.NumberFormat(language).format(list.length) })}: ${someOf(list.map(String), language)}`
      : ids.all_label_key
        ? t(ids.all_label_key)
        : "";
    if (text) lines.push({ id: "ids", label: t(ids.label_key), text });
  }
  describeFields(t, language, bulkFormFields(op), req.params).forEach((l, i) => lines.push({ id: `field-${i}`, ...l }));
  return lines;
}
