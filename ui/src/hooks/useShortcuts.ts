// Listens for the keyboard shortcuts of lib/shortcuts.ts on the whole window and carries them out on the
// screen shown: its n-th sidebar entry, its search field, its main action, the list of shortcuts.
import { useEffect, useRef } from "react";
import { shortcutOf, type ShortcutAction } from "../lib/shortcuts";

/** The control of `action` in the screen shown (enabled), if any. */
export function shortcutTarget(action: ShortcutAction): HTMLElement | null {
  const all = document.querySelectorAll<HTMLElement>(`main [data-shortcut="${action}"]`);
  return [...all].find((el) => !(el as HTMLButtonElement).disabled) ?? null;
}

/** Focuses the search field once it is drawn (a screen just opened draws it after loading): the marked
 * field, or the first field of a marked form (Query's look-up). */
export function focusSearchSoon(tries = 60) {
  const box = shortcutTarget("search");
  const fields = "input:not([type=hidden]), textarea, select";
  const field = box && (box.matches(fields) ? box : box.querySelector<HTMLElement>(fields));
  if (field) {
    field.focus();
    if (field instanceof HTMLInputElement) field.select();
  } else if (tries > 0) {
    requestAnimationFrame(() => focusSearchSoon(tries - 1));
  }
}

export function useShortcuts(handlers: {
  /** Go to the n-th screen of the sidebar (1-based). */
  screen: (n: number) => void;
  /** The screen shown has no search field: open one that has. */
  searchElsewhere: () => void;
  help: () => void;
}) {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const asked = shortcutOf(e);
      if (!asked) return;
      if ("screen" in asked) {
        e.preventDefault();
        latest.current.screen(asked.screen);
        return;
      }
      if (asked.action === "search") {
        e.preventDefault();
        if (shortcutTarget("search")) focusSearchSoon(0);
        else {
          latest.current.searchElsewhere();
          focusSearchSoon();
        }
      } else if (asked.action === "main") {
        const target = shortcutTarget("main");
        if (!target) return;
        e.preventDefault();
        target.click();
      } else {
        e.preventDefault();
        latest.current.help();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
