// The preferences as saved (language, time zone, theme, notifications): read once at start-up, saved whole when one changes, so
// saving one never drops the other. How long history is kept has its own command.
import { api, type Preferences, type ThemeChoice } from "../api";
import { setAppZone } from "./datetime";
import { refreshTheme } from "./theme";

let saved: Preferences = { language: null, time_zone: null, theme: null, notifications: null };

/** What was read at start-up; also applies the saved time zone to the window. */
export function applySavedPreferences(p: Preferences) {
  saved = { language: p.language, time_zone: p.time_zone ?? null, theme: p.theme ?? null, notifications: p.notifications ?? null };
  setAppZone(p.time_zone ?? "local");
}

/** Saves a change (the others as they are) and applies the time zone and the theme. */
export async function savePreferences(change: Partial<Pick<Preferences, "language" | "time_zone" | "theme" | "notifications">>): Promise<void> {
  const next: Preferences = {
    language: saved.language,
    time_zone: saved.time_zone ?? null,
    theme: saved.theme ?? null,
    notifications: saved.notifications ?? null,
    ...change,
  };
  await api.setPreferences(next);
  saved = next;
  if (change.time_zone !== undefined) setAppZone(change.time_zone ?? "local");
  if (change.theme !== undefined) await refreshTheme();
}

/** Whether jobs notify the desktop (on until turned off in Settings). */
export function savedNotifications(): boolean {
  return saved.notifications ?? true;
}

/** The theme chosen in Settings (`system` until one is picked). */
export function savedTheme(): ThemeChoice {
  return saved.theme ?? "system";
}
