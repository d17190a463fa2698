// The keyboard shortcuts, in one table: the screens (Ctrl+1…9 in sidebar order), the search field, the
// screen's main action and the list of shortcuts. A control a shortcut drives carries `data-shortcut` (the
// handler finds it in the screen shown) with its title and aria-keyshortcuts from `shortcutProps`.
import type { TFunction } from "../i18n";

export type ShortcutAction = "search" | "main" | "help";

/** The shortcuts of one action: its keys (as aria-keyshortcuts spells them, the first one shown in
 * tooltips) and what the list calls it. Keys that type a character (/, ?) do not work inside a text
 * field, where they would take the character from it. */
export interface Shortcut {
  action: ShortcutAction;
  keys: string[];
  labelKey: string;
}

export const SHORTCUTS: Shortcut[] = [
  { action: "search", keys: ["Control+F", "/"], labelKey: "shortcuts.search" },
  { action: "main", keys: ["Control+Enter"], labelKey: "shortcuts.main" },
  { action: "help", keys: ["F1", "Shift+?"], labelKey: "shortcuts.help" },
];

/** The keys that go to the n-th screen of the sidebar (1-based), up to 9. */
export function screenKeys(n: number): string | null {
  return n >= 1 && n <= 9 ? `Control+${n}` : null;
}

const isMac = typeof navigator !== "undefined" && /Mac/.test(navigator.platform);

/** How keys are written for people: Ctrl+F (⌘F on macOS). */
export function keysLabel(keys: string): string {
  if (isMac) return keys.replace("Control+", "⌘").replace("Shift+", "⇧").replace("Enter", "↩");
  return keys.replace("Control", "Ctrl").replace("Shift+?", "?").replace("Escape", "Esc");
}

/** The attributes of a control a shortcut drives: found by the handler, announced by screen readers, shown
 * in the tooltip (after the control's own `help`, if it has one). */
export function shortcutProps(t: TFunction, action: ShortcutAction, help?: string) {
  const keys = SHORTCUTS.find((s) => s.action === action)!.keys;
  const tip = t("shortcuts.tooltip", { keys: keysLabel(keys[0]) });
  return {
    "data-shortcut": action,
    "aria-keyshortcuts": keys.join(" "),
    title: help ? `${help} (${tip})` : tip,
  };
}

/** Whether the key goes into what has focus: a text field, a text area, an editable element. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
}

/** The letter or digit of the key pressed: by the character it types, else by its place on the keyboard
 * (a layout whose letters are not latin still has Ctrl+F where a US keyboard has it). */
function baseKey(e: KeyboardEvent): string {
  if (/^[a-z0-9]$/i.test(e.key)) return e.key.toUpperCase();
  const m = /^(?:Key|Digit|Numpad)([A-Z0-9])$/.exec(e.code);
  return m ? m[1] : e.key;
}

/** Whether the keys, pressed in a text field, would type a character there (/, ?). */
export function typesCharacter(keys: string): boolean {
  return !keys.includes("Control+") && keys.split("+").pop()!.length === 1;
}

/** Whether the event is the key combination `keys` (aria-keyshortcuts spelling). */
export function matches(e: KeyboardEvent, keys: string): boolean {
  const parts = keys.split("+");
  const key = parts.pop()!;
  const control = parts.includes("Control");
  const commandKey = isMac ? e.metaKey : e.ctrlKey;
  const otherCommand = isMac ? e.ctrlKey : e.metaKey;
  if (commandKey !== control || otherCommand || e.altKey) return false;
  // A printable character (?, /) is matched by what it types, whatever the layout needs to type it.
  if (key.length === 1 && !/[A-Z0-9]/.test(key)) return !control && e.key === key;
  if (e.shiftKey !== parts.includes("Shift")) return false;
  return key.length === 1 ? baseKey(e) === key : e.key === key;
}

/** What a key press asks for, or null: the n-th screen, or an action. `typing` keys (a character) never
 * fire from inside a text field; none fire while a dialog is open (the page behind it is inert) or while an
 * input method composes a character. */
export function shortcutOf(e: KeyboardEvent): { screen: number } | { action: ShortcutAction } | null {
  if (e.isComposing || e.defaultPrevented) return null;
  if (document.querySelector("dialog[open]")) return null;
  const inField = typing(e.target);
  for (let n = 1; n <= 9; n++) {
    if (matches(e, screenKeys(n)!)) return { screen: n };
  }
  for (const s of SHORTCUTS) {
    for (const keys of s.keys) {
      if (matches(e, keys) && !(typesCharacter(keys) && inField)) return { action: s.action };
    }
  }
  return null;
}
