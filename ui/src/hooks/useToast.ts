// Brief confirmations after a save or a delete: one list for the whole app, shown by the one `Toasts`
// region (components/Toasts.tsx). Any component calls `useToast()`; nothing needs to wrap the screens.
import { useSyncExternalStore } from "react";

/** How long a confirmation without undo stays (it waits while the pointer or the focus is on it). */
export const TOAST_MS = 6000;
/** At most this many confirmations at once; the oldest goes first. */
export const TOASTS_SHOWN = 3;

export type ToastInput = {
  /** The text, worked out again whenever the window's language changes while it is shown. */
  message: () => string;
  /** Names the confirmation in tests; a new one with the same name replaces the one shown. */
  testId: string;
  /** "Undo": called once when the user clicks it; the confirmation then goes. */
  undo?: () => void | Promise<void>;
  /** Until when (Unix ms) the undo is possible: the confirmation stays exactly that long. */
  undoUntilMs?: number;
  /** Stays until dismissed: something the user asked for did not happen, and they must read why. */
  lasting?: boolean;
};

export type Toast = ToastInput & { id: number };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: Toast[]) {
  toasts = next;
  listeners.forEach((l) => l());
}

/** Shows a confirmation; answers its id. */
export function showToast(input: ToastInput): number {
  const toast = { ...input, id: nextId++ };
  publish([...toasts.filter((t) => t.testId !== input.testId), toast].slice(-TOASTS_SHOWN));
  return toast.id;
}

export function dismissToast(id: number) {
  if (toasts.some((t) => t.id === id)) publish(toasts.filter((t) => t.id !== id));
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** The confirmations shown now (for the `Toasts` region). */
export function useToastList(): Toast[] {
  return useSyncExternalStore(subscribe, () => toasts);
}

/** Shows a brief confirmation (see `ToastInput`). */
export function useToast(): (input: ToastInput) => number {
  return showToast;
}

/** Forgets every confirmation (between unit tests). */
export function clearToasts() {
  publish([]);
}
