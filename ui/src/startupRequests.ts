// What the first screen waits for, asked for as the page's script begins to run. `main.tsx` imports this
// module first, so its requests leave before the rest of the script (the renderer, the shell, the first
// screen) has been run, and the app answers them meanwhile (docs/performance.md).
import { ensureCatalog, initI18n, initialLanguage, LANGUAGES, type Language } from "./i18n";
import { api } from "./api";
import { preloadFirstScreen } from "./preload";
import { applySavedPreferences } from "./lib/prefs";
import { followTheme, refreshTheme } from "./lib/theme";

// The catalog of the language the window most likely starts in (the system's, unless Settings says otherwise)
// is fetched now, alongside the saved preferences and the first screen's data below.
void ensureCatalog(initialLanguage()).catch(() => undefined);

// The language chosen in Settings (else the system's), so the first screen is drawn in it rather than in
// the system's language first, and the time zone times are shown in. This is the only place the saved
// preferences are applied at start-up.
const language = api
  .getPreferences()
  .then((p) => {
    applySavedPreferences(p);
    return (LANGUAGES as readonly string[]).includes(p.language ?? "") ? (p.language as Language) : undefined;
  })
  .catch(() => undefined);

// Bounded: a slow answer never holds the window back; the screen then loads as usual.
const firstScreen = Promise.race([preloadFirstScreen(), new Promise<void>((r) => setTimeout(r, 300))]);

// The theme before the first paint, so a dark desktop never sees the light window first (bounded too).
followTheme();
const theme = Promise.race([refreshTheme().catch(() => undefined), new Promise<void>((r) => setTimeout(r, 300))]);

/** Settles once the first screen can be drawn: its catalog, the saved preferences, its data and the theme. */
export const firstScreenReady: Promise<unknown> = Promise.all([language.then(initI18n), firstScreen, theme]);
