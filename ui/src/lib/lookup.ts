// A look-up's results as its descriptor shows them: the rows, each column's text, and resending a row.
import type { TFunction } from "../i18n";
import type { Column } from "../bindings/Column";
import type { CursorPaging } from "../bindings/CursorPaging";
import type { LookupShape } from "../bindings/LookupShape";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import { listCount } from "./params";
import { formatLocal } from "./time";

/** One result row: the provider's record, decoded by the core. */
export type LookupRow = Record<string, unknown>;

const isRow = (v: unknown): v is LookupRow => !!v && typeof v === "object" && !Array.isArray(v);

/** The rows of a look-up's result: the first of the shape's keys holding a list, or one row. */
export function lookupRows(shape: LookupShape, result: unknown): LookupRow[] {
  return rowsIn(shape.rows, result);
}

/** The rows under the first of `keys` holding a list (or one row) in a result. */
export function rowsIn(keys: string[], result: unknown): LookupRow[] {
  if (!isRow(result)) return [];
  for (const k of keys) {
    const v = result[k];
    if (Array.isArray(v)) return v.filter(isRow);
    if (isRow(v)) return [v];
  }
  return [];
}

/** The column's value in a row: the first of its fields present and not empty. */
export function cellValue(col: Column, row: LookupRow): unknown {
  for (const k of col.keys) {
    const v = row[k];
    if (v !== undefined && v !== null && v !== "") return v;
  }
  return null;
}

/**
 * The column's text in a row, in the UI language: a label column's missing value reads as its `unknown`
 * label, any other missing value as "".
 */
export function cellText(t: TFunction, language: string, col: Column, row: LookupRow): string {
  const v = cellValue(col, row);
  if (v === null) return col.format.kind === "label" ? t(`${col.format.prefix}.unknown`) : "";
  switch (col.format.kind) {
    case "label":
      return t(`${col.format.prefix}.${String(v)}`);
    case "unix_seconds":
      return formatLocal(Number(v) * 1000, language);
    case "unix_millis":
      return formatLocal(Number(v), language);
    default:
      return typeof v === "object" ? JSON.stringify(v) : String(v);
  }
}

/**
 * A decimal amount as the UI language writes numbers ("2.500,5" in Portuguese), digit for digit: the text is
 * never turned into a float, so no precision is lost. Anything that is not a plain decimal stays as it is.
 */
export function formatAmount(text: string, language: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const parts = new Intl.NumberFormat(language).formatToParts(12345.6);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const whole = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${m[1]}${whole}${m[3] ? decimal + m[3] : ""}`;
}

/** The row's identifier (e.g. its serial), as text. */
export function rowId(shape: LookupShape, row: LookupRow): string {
  const v = row[shape.id];
  return v === undefined || v === null ? "" : String(v);
}

/** The resend of one row (its operation and params), when the shape has one and the row says which. */
export function rowResend(shape: LookupShape, row: LookupRow): { operation: string; params: Record<string, unknown> } | null {
  const r = shape.resend;
  if (!r) return null;
  const operation = row[r.operation_field];
  const value = row[r.from];
  if (typeof operation !== "string" || value === undefined || value === null || value === "") return null;
  return { operation, params: { [r.param]: value } };
}

/** How many ids a look-up by ids is asked for, and how many calls its provider answers them in. */
export function idsAsked(op: OperationDescriptor, text: string): { count: number; perCall: number | null } {
  const field = op.lookup?.asked ? op.fields.find((f) => f.name === op.lookup!.asked) : undefined;
  if (!field) return { count: 0, perCall: null };
  return { count: listCount(field.kind, text), perCall: op.lookup?.max_ids_per_call ?? null };
}

/** The ids asked for that no row answers, in the order asked (each once). */
export function missingIds(shape: LookupShape, asked: unknown[], rows: LookupRow[]): string[] {
  const found = new Set(rows.map((r) => rowId(shape, r)));
  const out: string[] = [];
  for (const a of asked) {
    const id = String(a);
    if (id && !found.has(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/** What the provider says of its delivery of a row to the merchant's server (when its look-ups say it). */
export type DeliveryState = "delivered" | "failed" | "retrying" | "unknown";

export function deliveryOf(shape: LookupShape, row: LookupRow): DeliveryState | null {
  if (shape.delivery?.kind !== "reported") return null;
  const v = row[shape.delivery.field];
  return v === "delivered" || v === "failed" || v === "retrying" ? v : "unknown";
}

/** Rows resent together: one bulk job per resend operation, with the ids its list takes. */
export type ResendGroup = { op: OperationDescriptor; ids: (string | number)[]; rows: number[] };

/**
 * The selected rows (by index) grouped by the operation that resends each (`LookupShape.resend`), each
 * group's ids as that operation's bulk list takes them; `left` are rows no bulk job can resend (no resend,
 * or an operation without an id list).
 */
export function resendGroups(
  shape: LookupShape,
  rows: LookupRow[],
  selected: number[],
  operation: (name: string) => OperationDescriptor | undefined,
): { groups: ResendGroup[]; left: number[] } {
  const groups: ResendGroup[] = [];
  const left: number[] = [];
  for (const i of selected) {
    const row = rows[i];
    const r = row ? rowResend(shape, row) : null;
    const op = r ? operation(r.operation) : undefined;
    const list = op?.bulk?.ids;
    if (!r || !op || !list) {
      left.push(i);
      continue;
    }
    const value = r.params[shape.resend!.param];
    const asNumber = typeof value === "string" && /^\d+$/.test(value) && Number.isSafeInteger(Number(value));
    const id = list.kind === "integer_list" && asNumber ? Number(value) : (value as string | number);
    let g = groups.find((x) => x.op.name === op.name);
    if (!g) groups.push((g = { op, ids: [], rows: [] }));
    if (!g.ids.some((x) => String(x) === String(id))) g.ids.push(id);
    g.rows.push(i);
  }
  return { groups, left };
}

/** The cursor of a paged look-up's next page, from its result; `null` on the last page. */
export function nextCursor(paging: CursorPaging | null, result: unknown): string | null {
  if (!paging || !isRow(result)) return null;
  const v = result[paging.next];
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
}
