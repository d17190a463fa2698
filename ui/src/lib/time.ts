// Date and time helpers: times for people in the app language's format and the zone chosen in Settings;
// the local date-time text of `<input type="datetime-local">` (the History filter) and the units providers
// want (Unix seconds or milliseconds).
import type { FieldKind } from "../bindings/FieldKind";
import { matchLanguage } from "../i18n";
import { DATE_LOCALES, appZone, systemZoneName, zoneId, type ZoneChoice } from "./datetime";

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

const formats = new Map<string, Intl.DateTimeFormat>();

/** The date-time format of a language in a zone (made once). `seconds: false` leaves them out. */
function format(language: string, zone: ZoneChoice, seconds: boolean, date = true): Intl.DateTimeFormat {
  const key = `${language}|${zone}|${seconds}|${date}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(DATE_LOCALES[matchLanguage(language)], {
      ...(date ? { year: "numeric", month: "2-digit", day: "2-digit" } : {}),
      hour: "2-digit",
      minute: "2-digit",
      ...(seconds ? { second: "2-digit" } : {}),
      hourCycle: "h23",
      timeZone: zoneId(zone),
    });
    formats.set(key, f);
  }
  return f;
}

/**
 * Epoch milliseconds for people: date and time as the app language writes them (the same format the date
 * fields are typed in: en-GB for English), in the zone chosen in Settings.
 */
export function formatLocal(ms: number | null | undefined, language: string, zone: ZoneChoice = appZone()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return format(language, zone, true).format(new Date(ms));
}

/** A date and time to the minute (when the seconds say nothing, e.g. a time window typed to the minute). */
export function formatMinute(ms: number, language: string, zone: ZoneChoice = appZone()): string {
  const withSeconds = new Date(ms).getUTCSeconds() !== 0;
  return format(language, zone, withSeconds).format(new Date(ms));
}

/** Only the time of day, to the minute (or second when it has some). */
export function formatClock(ms: number, language: string, zone: ZoneChoice = appZone()): string {
  return format(language, zone, new Date(ms).getUTCSeconds() !== 0, false).format(new Date(ms));
}

/** Whether two instants fall on the same calendar day in a zone. */
export function sameDay(a: number, b: number, zone: ZoneChoice = appZone()): boolean {
  const f = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zoneId(zone) });
  return f.format(new Date(a)) === f.format(new Date(b));
}

/** The user's time zone name, e.g. `America/Sao_Paulo`. */
export const timeZoneName = systemZoneName;
