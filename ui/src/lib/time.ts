// Date and time helpers. Forms show the user's local time; providers want unix seconds or milliseconds.
import type { FieldKind } from "../bindings/FieldKind";

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A local `YYYY-MM-DDTHH:MM[:SS[.mmm]]` (what `<input type="datetime-local">` holds; with `step=1` some
 * engines add the milliseconds) as epoch milliseconds, to the second.
 */
export function parseLocalDateTime(text: string): number | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  const date = new Date(y, mo - 1, d, h, mi, s, 0);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return date.getTime();
}

/** Epoch milliseconds as a local `YYYY-MM-DDTHH:MM:SS` for a datetime-local input. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A local date-time text in the unit a field wants: `unix_seconds` → seconds, `unix_millis` → ms. */
export function localToUnit(text: string, kind: FieldKind): number | null {
  const ms = parseLocalDateTime(text);
  if (ms === null) return null;
  return kind === "unix_millis" ? ms : Math.floor(ms / 1000);
}

/** The reverse of `localToUnit`. */
export function unitToLocal(value: number, kind: FieldKind): string {
  return toLocalInput(kind === "unix_millis" ? value : value * 1000);
}

/** Epoch milliseconds for people: date and time in the user's time zone and language. */
export function formatLocal(ms: number | null | undefined, language: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return new Intl.DateTimeFormat(language, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }).format(new Date(ms));
}

/** The user's time zone name, e.g. `America/Sao_Paulo`. */
export function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
