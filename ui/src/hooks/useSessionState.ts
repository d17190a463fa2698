// State that outlives its screen for the rest of the session: leaving a screen and coming back finds the
// form as it was (values, mode, results). Kept in memory only, never written anywhere; a key per screen
// and piece, e.g. `resend.values`.
import { useCallback, useState, type Dispatch, type SetStateAction } from "react";

const store = new Map<string, unknown>();

/** Like `useState`, but the value is kept under `key` when the component unmounts. */
export function useSessionState<T>(key: string, initial: T | (() => T)): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => {
    if (store.has(key)) return store.get(key) as T;
    const v = typeof initial === "function" ? (initial as () => T)() : initial;
    store.set(key, v);
    return v;
  });
  const set = useCallback<Dispatch<SetStateAction<T>>>(
    (next) =>
      setValue((prev) => {
        const v = typeof next === "function" ? (next as (p: T) => T)(prev) : next;
        store.set(key, v);
        return v;
      }),
    [key],
  );
  return [value, set];
}

/** For tests: forget everything kept. */
export function clearSessionState() {
  store.clear();
}
