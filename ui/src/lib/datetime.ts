// Facts about dates that the date-time fields and the rest of the app share, without the date library:
// which locale writes dates for each app language, and which time zone a choice means. Small enough to
// stay in the script the window starts with; the fields themselves load later (DateTimeField.lazy.tsx).
import type { Language } from "../i18n";
import { timeZoneName } from "./time";

/** Where times are read and written: the system's time zone, or UTC. A setting; shown next to every time. */
export type ZoneChoice = "local" | "UTC";

/**
 * The locale whose date format each app language uses. English is written day/month/year with a 24-hour
 * clock (en-GB), like Portuguese, so that 04/12 means the same day in English and Portuguese;
 * Chinese is year/month/day.
 */
export const DATE_LOCALES: Record<Language, string> = { en: "en-GB", "zh-CN": "zh-CN", "pt-BR": "pt-BR" };

/** The IANA name of the zone a choice means, e.g. `America/Sao_Paulo` or `UTC`. */
export function zoneId(choice: ZoneChoice): string {
  return choice === "UTC" ? "UTC" : timeZoneName();
}

/** A zone's offset from UTC at an instant, written `+HH:MM` or `−HH:MM` (e.g. `−03:00`). */
export function offsetText(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${offsetMs < 0 ? "\u2212" : "+"}${hh}:${mm}`;
}
