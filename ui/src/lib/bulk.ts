// A bulk job's plan request from the bulk form, as the operation's bulk shape says: a time window, a
// list of ids (or everything, when the provider has a call for that), and one call per value chosen.
import type { BulkShape } from "../bindings/BulkShape";
import type { FormField } from "../bindings/FormField";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import type { PlanRequest } from "../bindings/PlanRequest";
import { asNumber, parseIntegerList, parseTextList } from "./params";
import { parseLocalDateTime } from "./time";

/** What the bulk form holds. */
export type BulkValues = {
  /** The window's start: hours back from the moment of planning, or (`null`) the local date-time `sinceText`. */
  sinceHours: number | null;
  sinceText: string;
  /** The values chosen for `each`. */
  each: string[];
  /** Everything the provider's "all" call covers, instead of the pasted list (when the shape has one). */
  all: boolean;
  /** The pasted ids. */
  list: string;
};

/** The quick choices for a window's start, in hours back. */
export const SINCE_HOURS = [1, 5, 24, 72];

/** The single-call field whose choices `each` goes over. */
export function eachField(op: OperationDescriptor): FormField | undefined {
  const of = op.bulk?.each?.of_field;
  return of === undefined ? undefined : op.fields.find((f) => f.name === of);
}

/** A fresh bulk form: the last 24 hours, every value of `each`, and "all" when the provider has it. */
export function emptyBulk(op: OperationDescriptor | undefined): BulkValues {
  return {
    sinceHours: 24,
    sinceText: "",
    each: op ? [...(eachField(op)?.choices ?? [])] : [],
    all: !!op?.bulk?.ids?.all_label_key,
    list: "",
  };
}

/** The fields of the single-call form a bulk job still asks for (the others the bulk form fills). */
export function bulkFormFields(op: OperationDescriptor): FormField[] {
  const owns = op.bulk?.owns ?? [];
  return op.fields.filter((f) => !owns.includes(f.name));
}

/** The plan request of the bulk form, or the translation key of what is wrong with it. */
export function bulkRequest(
  accountId: number,
  op: OperationDescriptor & { bulk: BulkShape },
  values: BulkValues,
  params: Record<string, unknown>,
  nowMs: number,
): { request: PlanRequest } | { error: string } {
  const { window, ids, each } = op.bulk;
  const p: Record<string, unknown> = { ...params };
  let since: number | null = null;
  let until: number | null = null;
  if (window) {
    until = Math.floor(nowMs / 1000);
    if (values.sinceHours !== null) since = until - values.sinceHours * 3600;
    else {
      const ms = parseLocalDateTime(values.sinceText);
      if (ms === null) return { error: "bulk.error_since" };
      since = Math.floor(ms / 1000);
      if (since >= until) return { error: "bulk.error_since_future" };
    }
  }
  if (each) {
    if (!values.each.length) return { error: each.empty_key };
    p[each.field] = values.each;
  }
  if (ids && !(ids.all_label_key && values.all)) {
    if (ids.kind === "integer_list") {
      const { values: list, invalid } = parseIntegerList(values.list);
      if (invalid.length || !list.length) return { error: ids.empty_key };
      p[ids.field] = list.map(asNumber);
    } else {
      const list = parseTextList(values.list);
      if (!list.length) return { error: ids.empty_key };
      p[ids.field] = list;
    }
  }
  return { request: { account_id: accountId, operation: op.name, params: p, since, until } };
}
