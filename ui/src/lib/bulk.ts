// A bulk job's plan request from the bulk form, as the operation's bulk shape says: a time window, a
// list of ids (or everything, when the provider has a call for that), and one call per value chosen.
import type { BulkShape } from "../bindings/BulkShape";
import type { FormField } from "../bindings/FormField";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import type { PlanRequest } from "../bindings/PlanRequest";
import { asNumber, parseIntegerList, parseTextList } from "./params";

/** What the bulk form holds. */
export type BulkValues = {
  /** The window's start and end (Unix milliseconds), as typed or picked; `null` until given. */
  from: number | null;
  to: number | null;
  /** A date of the window is typed but not finished (it has no value yet). */
  windowIncomplete: boolean;
  /** The values chosen for `each`. */
  each: string[];
  /** Everything the provider's "all" call covers, instead of the pasted list (when the shape has one). */
  all: boolean;
  /** The pasted ids. */
  list: string;
};

/** The single-call field whose choices `each` goes over. */
export function eachField(op: OperationDescriptor): FormField | undefined {
  const of = op.bulk?.each?.of_field;
  return of === undefined ? undefined : op.fields.find((f) => f.name === of);
}

/** A fresh bulk form: no window yet (nothing is assumed), every value of `each`, and "all" when the provider has it. */
export function emptyBulk(op: OperationDescriptor | undefined): BulkValues {
  return {
    from: null,
    to: null,
    windowIncomplete: false,
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
    if (values.windowIncomplete) return { error: "bulk.error_window_unfinished" };
    if (values.from === null) return { error: window.has_end ? "bulk.error_window_start" : "bulk.error_since" };
    // An end in the future, or none, is now: what has not happened cannot be resent.
    const now = Math.floor(nowMs / 1000);
    since = Math.floor(values.from / 1000);
    until = window.has_end && values.to !== null ? Math.min(Math.floor(values.to / 1000), now) : now;
    if (window.has_end && values.to !== null && values.to <= values.from) return { error: "bulk.error_window_order" };
    if (since >= until) return { error: "bulk.error_since_future" };
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
  return { request: { account_id: accountId, operation: op.name, params: p, since, until, calls: null } };
}
