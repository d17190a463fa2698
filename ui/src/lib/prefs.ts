// The preferences as saved (language, time zone): read once at start-up, saved whole when one changes, so
// saving one never drops the other. How long history is kept has its own command.
import { api, type Preferences } from "../api";
import { setAppZone } from "./datetime";

let saved: Preferences = { language: null, time_zone: null };

/** What was read at start-up; also applies the saved time zone to the window. */
export function applySavedPreferences(p: Preferences) {
  saved = { language: p.language, time_zone: p.time_zone ?? null };
  setAppZone(p.time_zone ?? "local");
}

/** Saves a change (the others as they are) and applies the time zone. */
export async function savePreferences(change: Partial<Pick<Preferences, "language" | "time_zone">>): Promise<void> {
  const next: Preferences = { language: saved.language, time_zone: saved.time_zone ?? null, ...change };
  await api.setPreferences(next);
  saved = next;
  if (change.time_zone !== undefined) setAppZone(change.time_zone ?? "local");
}
