// A look-up's results as its descriptor shows them: the rows, each column's text, and resending a row.
import type { TFunction } from "i18next";
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

/** The cursor of a paged look-up's next page, from its result; `null` on the last page. */
export function nextCursor(paging: CursorPaging | null, result: unknown): string | null {
  if (!paging || !isRow(result)) return null;
  const v = result[paging.next];
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
}
