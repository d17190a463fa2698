// In a team workspace the app keeps this installation's copies of the shared accounts up to date: `onChange`
// runs when one was shared with this member or changed, so a screen showing accounts reads them again.
import { useEffect, useRef } from "react";
import { api } from "../api";

export function useAccountsChanged(onChange: () => void) {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let alive = true;
    api
      .onAccountsChanged(() => latest.current())
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);
}
