// Facts about dates that the date-time fields and the rest of the app share, without the date library:
// which locale writes dates for each app language, which time zone a choice means, and the zone the app
// reads and writes times in (a setting, shown next to every time). Small enough to stay in the script the
// window starts with; the fields themselves load later (DateTimeField.lazy.tsx).
import type { TFunction, Language } from "../i18n";

/** Where times are read and written: the system's time zone, or UTC. A setting; shown next to every time. */
export type ZoneChoice = "local" | "UTC";

/**
 * The locale whose date format each app language uses. English is written day/month/year with a 24-hour
 * clock (en-GB), like Portuguese, so that 04/12 means the same day in English and Portuguese;
 * Chinese is year/month/day.
 */
export const DATE_LOCALES: Record<Language, string> = { en: "en-GB", "zh-CN": "zh-CN", "pt-BR": "pt-BR" };

/** The system's time zone name, e.g. `America/Sao_Paulo`. */
export function systemZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The IANA name of the zone a choice means, e.g. `America/Sao_Paulo` or `UTC`. */
export function zoneId(choice: ZoneChoice): string {
  return choice === "UTC" ? "UTC" : systemZoneName();
}

/** A zone's offset from UTC at an instant, written `+HH:MM` or `−HH:MM` (e.g. `−03:00`). */
export function offsetText(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${offsetMs < 0 ? "\u2212" : "+"}${hh}:${mm}`;
}

/** The zone in words, as shown next to a time: "UTC", or "Local time (UTC−03:00)" at that instant. */
export function zoneLabel(t: TFunction, choice: ZoneChoice, atMs: number = Date.now()): string {
  if (choice === "UTC") return t("datetime.zone_utc");
  return t("datetime.zone_local", { offset: offsetText(-new Date(atMs).getTimezoneOffset() * 60_000) });
}

// ---- the zone the app uses (Settings), one for the whole window ----

let current: ZoneChoice = "local";
const listeners = new Set<() => void>();

/** The zone times are typed and shown in. */
export function appZone(): ZoneChoice {
  return current;
}

/** Sets it (at start-up from the saved preferences, and from Settings); screens showing times follow. */
export function setAppZone(zone: ZoneChoice) {
  if (zone === current) return;
  current = zone;
  listeners.forEach((l) => l());
}

/** Calls `listener` whenever the zone changes; returns the unsubscribe function. */
export function onAppZoneChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
