// Form values ⇄ operation params, field by field as the operation's descriptor says.
import type { FormField } from "../bindings/FormField";
import { localToUnit } from "./time";

/** What an operation form holds: each field's text as typed. */
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

/** The choices a `choice_list` value holds (its text: the chosen values, separated by commas). */
export function chosen(f: FormField, value: string): string[] {
  const picked = new Set(value.split(/[\s,;]+/).filter(Boolean));
  return f.choices.filter((c) => picked.has(c));
}

/** How many distinct entries a pasted list of this kind holds. */
export function listCount(kind: FormField["kind"], text: string): number {
  return kind === "integer_list" ? parseIntegerList(text).values.length : new Set(parseTextList(text)).size;
}

/** Digits as a JSON number when it is exact, else as the digits themselves. */
export const asNumber = (digits: string): number | string => {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : digits;
};

/** The value of a date field typed but not finished: it has no time yet, and the form says so. */
export const UNFINISHED_DATE = "unfinished";

/** Unix milliseconds in the unit a field sends. */
const msToUnit = (ms: number, kind: "unix_seconds" | "unix_millis") => (kind === "unix_millis" ? ms : Math.floor(ms / 1000));

export type ParamsResult = { params: Record<string, unknown>; errors: Record<string, string> };

/** Whether the field must be filled: it is required, and none of the fields that stand in for it is filled. */
export function isRequired(f: FormField, values: FormValues): boolean {
  return f.required && !f.optional_with.some((o) => (values[o] ?? "").trim() !== "");
}

/** The reason of the first shape the field refuses that `value` has (the core refuses the same). */
export function refusedBy(f: FormField, value: string): string | null {
  return f.refuse.find((r) => new RegExp(r.pattern).test(value.trim()))?.reason ?? null;
}

/**
 * Builds the params object in form order; `errors` maps a field to a `form_errors.*` key, or to the reason
 * of a shape the field refuses (`reasons.*`).
 */
export function buildParams(fields: FormField[], values: FormValues): ParamsResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = (values[f.name] ?? "").trim();
    if (raw === "") {
      if (isRequired(f, values)) errors[f.name] = "required";
      continue;
    }
    switch (f.kind) {
      case "integer":
        if (/^-?\d+$/.test(raw)) params[f.name] = asNumber(raw);
        else errors[f.name] = "not_integer";
        break;
      case "unix_seconds":
      case "unix_millis": {
        // Unix milliseconds from the date field (or a local date-time text).
        const v = raw === UNFINISHED_DATE ? null : /^\d+$/.test(raw) ? msToUnit(Number(raw), f.kind) : localToUnit(raw, f.kind);
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
      case "choice_list": {
        const list = chosen(f, raw);
        if (list.length) params[f.name] = list;
        else if (f.required) errors[f.name] = "required";
        break;
      }
      case "text_list": {
        const list = parseTextList(raw);
        const refused = list.map((v) => refusedBy(f, v)).find((r) => r !== null);
        if (f.max !== null && list.length > Number(f.max)) errors[f.name] = "too_many";
        else if (refused) errors[f.name] = refused;
        else if (list.length) params[f.name] = list;
        break;
      }
      default: {
        const refused = refusedBy(f, raw);
        if (refused) errors[f.name] = refused;
        else params[f.name] = raw;
      }
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
      out[f.name] = String(f.kind === "unix_millis" ? Number(v) : Number(v) * 1000);
    else if (Array.isArray(v)) out[f.name] = v.map(String).join(f.kind === "choice_list" ? "," : "\n");
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

/** The params a URL path carries where its end matches `template` (`/items/{id}/resend`), decoded. */
export function paramsFromPath(template: string, url: string): Record<string, string> {
  const path = url.split(/[?#]/)[0].replace(/^[a-z]+:\/\/[^/]*/i, "");
  const want = template.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  if (have.length < want.length) return {};
  const tail = have.slice(have.length - want.length);
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const m = /^\{(.+)\}$/.exec(want[i]);
    if (!m) {
      if (want[i] !== tail[i]) return {};
      continue;
    }
    try {
      out[m[1]] = decodeURIComponent(tail[i]);
    } catch {
      out[m[1]] = tail[i];
    }
  }
  return out;
}

/**
 * Params of a recorded resend, read back from its (redacted) request, for "Repeat": each field from the
 * JSON body or the query string, then from the URL path as the operation's `path` template says;
 * without one, the one required field none of them carries travels in the URL path as its last segment
 * (e.g. a transaction identifier in `/resend-webhook/{identifier}`).
 */
export function paramsFromRecorded(fields: FormField[], request: { url: string; body: string }, pathTemplate: string | null = null): Record<string, unknown> {
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
    else if (query?.has(f.name)) out[f.name] = f.kind === "choice_list" ? query.getAll(f.name) : query.get(f.name);
  }
  if (pathTemplate) {
    const fromPath = paramsFromPath(pathTemplate, request.url);
    for (const f of fields) if (out[f.name] === undefined && fromPath[f.name] !== undefined) out[f.name] = fromPath[f.name];
    return out;
  }
  const inPath = fields.filter((f) => f.required && out[f.name] === undefined);
  if (inPath.length === 1) {
    const path = request.url.split("?")[0];
    const last = path.substring(path.lastIndexOf("/") + 1);
    if (last) {
      try {
        out[inPath[0].name] = decodeURIComponent(last);
      } catch {
        out[inPath[0].name] = last;
      }
    }
  }
  return out;
}
