// Turning descriptor-driven form values into operation params, and deciding how strongly to confirm.
import type { AccountView } from "../bindings/AccountView";
import type { FormField } from "../bindings/FormField";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import type { RedactedRequest } from "../bindings/RedactedRequest";
import { localToUnit, unitToLocal } from "./time";

export type FormValues = Record<string, string>;

/** Whole numbers in pasted text, separated by spaces, commas, semicolons or new lines. */
export function parseIntegerList(text: string): { values: string[]; invalid: string[] } {
  const parts = text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  const values: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    if (!/^\d+$/.test(p)) invalid.push(p);
    else {
      const v = p.replace(/^0+(?=\d)/, "");
      if (!seen.has(v)) {
        seen.add(v);
        values.push(v);
      }
    }
  }
  return { values, invalid };
}

export function parseTextList(text: string): string[] {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

const asNumber = (digits: string): number | string => {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : digits;
};

export type ParamsResult = { params: Record<string, unknown>; errors: Record<string, string> };

/** Builds the params object in form order; `errors` maps a field to a `reasons.*` key. */
export function buildParams(fields: FormField[], values: FormValues): ParamsResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = (values[f.name] ?? "").trim();
    if (raw === "") {
      if (f.required) errors[f.name] = "required";
      continue;
    }
    switch (f.kind) {
      case "integer":
        if (/^-?\d+$/.test(raw)) params[f.name] = asNumber(raw);
        else errors[f.name] = "not_integer";
        break;
      case "unix_seconds":
      case "unix_millis": {
        const v = localToUnit(raw, f.kind);
        if (v === null) errors[f.name] = "not_date";
        else params[f.name] = v;
        break;
      }
      case "integer_list": {
        const { values: list, invalid } = parseIntegerList(raw);
        if (invalid.length) errors[f.name] = "not_integer";
        else if (list.length === 0 && f.required) errors[f.name] = "required";
        else params[f.name] = list.map(asNumber);
        break;
      }
      case "text_list": {
        const list = parseTextList(raw);
        if (f.max !== null && list.length > Number(f.max)) errors[f.name] = "too_many";
        else if (list.length) params[f.name] = list;
        break;
      }
      default:
        params[f.name] = raw;
    }
  }
  return { params, errors };
}

/** Form values from params (the reverse of `buildParams`), for prefilling. */
export function valuesFromParams(fields: FormField[], params: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = params[f.name];
    if (v === undefined || v === null) continue;
    if ((f.kind === "unix_seconds" || f.kind === "unix_millis") && (typeof v === "number" || /^\d+$/.test(String(v))))
      out[f.name] = unitToLocal(Number(v), f.kind);
    else if (Array.isArray(v)) out[f.name] = v.map(String).join("\n");
    else out[f.name] = String(v);
  }
  return out;
}

/** Initial form values: each field's default (choices), empty otherwise. */
export function defaultValues(fields: FormField[]): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (f.default !== null && f.default !== undefined) out[f.name] = String(f.default);
    else if (f.kind === "choice" && f.required && f.choices.length) out[f.name] = f.choices[0];
  }
  return out;
}

export type StrongReason = "production" | "broad_value" | "old_window" | "one_off_url";

const DAY_MS = 24 * 3600 * 1000;

/**
 * Why a resend needs the stronger confirmation: any production account; a field holding its descriptor
 * `broad` value (CYBAVO notification_id 0 = all, CCPayment "All Result"); a Ceffu resend reaching more
 * than 24 hours back; an Avista resend sent to a one-off `url` (Avista delivers the transaction's full
 * webhook payload to that address instead of the configured webhook).
 */
export function strongReasons(
  account: Pick<AccountView, "environment" | "provider">,
  op: Pick<OperationDescriptor, "fields">,
  params: Record<string, unknown>,
  nowMs: number,
): { reasons: StrongReason[]; broadFields: string[] } {
  const reasons: StrongReason[] = [];
  const broadFields: string[] = [];
  if (account.environment === "production") reasons.push("production");
  for (const f of op.fields) {
    if (f.broad === null || f.broad === undefined) continue;
    const v = params[f.name] ?? (f.default !== null && f.default !== undefined ? f.default : undefined);
    if (v !== undefined && String(v) === String(f.broad)) broadFields.push(f.name);
  }
  if (broadFields.length) reasons.push("broad_value");
  const from = params.resendFromDateTime;
  if (account.provider === "ceffu" && from !== undefined && nowMs - Number(from) > DAY_MS) reasons.push("old_window");
  const url = params.url;
  if (account.provider === "avista" && op.fields.some((f) => f.name === "url") && typeof url === "string" && url.trim() !== "")
    reasons.push("one_off_url");
  return { reasons, broadFields };
}

/** A shell-quoted cURL command for a (masked) request. */
export function toCurl(r: RedactedRequest): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [`curl -X ${r.method} ${q(r.url)}`];
  for (const [k, v] of r.headers) lines.push(`  -H ${q(`${k}: ${v}`)}`);
  if (r.body) lines.push(`  --data-raw ${q(r.body)}`);
  return lines.join(" \\\n");
}

/**
 * RFC 4180 CSV text, safe to open in a spreadsheet: like the history export (`write_csv_record` in
 * src/history.rs), a text cell starting with = + - @ tab or CR is quoted and prefixed with ' so it is
 * not run as a formula. Numbers (values the app produces) are written as they are.
 */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? "" : String(v);
    const defuse = typeof v === "string" && /^[=+\-@\t\r]/.test(s);
    if (defuse) return `"'${s.replace(/"/g, '""')}"`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Copies text to the clipboard (Clipboard API, or a hidden textarea where it is not allowed). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through */
  }
  try {
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    document.body.removeChild(ta);
    return ok;
  } catch {
    return false;
  }
}

/** Params of a recorded resend, read back from its (redacted) request, for "Repeat". */
export function paramsFromRecorded(
  provider: string,
  fields: FormField[],
  request: { url: string; body: string },
): Record<string, unknown> {
  let body: Record<string, unknown> = {};
  try {
    const parsed = request.body ? JSON.parse(request.body) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  let query: URLSearchParams | null = null;
  try {
    query = new URL(request.url).searchParams;
  } catch {
    query = null;
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (body[f.name] !== undefined) out[f.name] = body[f.name];
    else if (query?.has(f.name)) out[f.name] = query.get(f.name);
  }
  if (provider === "avista" && out.transaction_identifier === undefined) {
    const path = request.url.split("?")[0];
    const last = path.substring(path.lastIndexOf("/") + 1);
    if (last) out.transaction_identifier = decodeURIComponent(last);
  }
  return out;
}
