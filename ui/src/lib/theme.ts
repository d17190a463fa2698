// The window's colour theme: the shell decides it (the choice in Settings, else the desktop's setting, which
// WebKitGTK does not report to the page) and says so through `current_theme` and the `theme-changed`
// event; the page only sets `data-theme` on <html>, which selects the palette in styles.css.
import { api, type Appearance } from "../api";

/** Draws the window in `theme`. */
export function applyTheme(theme: Appearance) {
  document.documentElement.dataset.theme = theme;
}

/** Asks the shell for the theme now and applies it. */
export async function refreshTheme(): Promise<void> {
  applyTheme(await api.currentTheme());
}

/** Applies every later change (the desktop's setting changed, or the choice in Settings). */
export function followTheme(): void {
  void api.onThemeChanged(applyTheme).catch(() => undefined);
}
