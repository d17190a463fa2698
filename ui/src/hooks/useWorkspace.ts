// The accounts and the providers' descriptors a work screen draws from.
import { useCallback, useEffect, useState } from "react";
import { api, asCoreError, type AccountView, type CoreError, type ProviderDescriptor } from "../api";
import { loadFirstScreen, takeFirstScreen } from "../preload";
import { useAccountsChanged } from "./useAccountsChanged";

export type Workspace = {
  /** `null` while loading; `[]` when there are none or they could not be read (`error`). */
  accounts: AccountView[] | null;
  descriptors: ProviderDescriptor[];
  error: CoreError | null;
  setError: (e: CoreError | null) => void;
  /** Reads the accounts again (after adding some). */
  reloadAccounts: () => Promise<void>;
};

/**
 * Loads both when the screen mounts. The first screen shown (`preloaded`) takes what was asked for while
 * the page started (see preload.ts), so its first render already draws the form.
 */
export function useWorkspace(options: { preloaded?: boolean } = {}): Workspace {
  const [preloaded] = useState(() => (options.preloaded ? takeFirstScreen() : null));
  const [accounts, setAccounts] = useState<AccountView[] | null>(preloaded?.accounts ?? null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>(preloaded?.descriptors ?? []);
  const [error, setError] = useState<CoreError | null>(null);

  useEffect(() => {
    if (preloaded) return;
    let alive = true;
    loadFirstScreen()
      .then((loaded) => {
        if (!alive) return;
        setAccounts(loaded.accounts);
        setDescriptors(loaded.descriptors);
      })
      .catch((e) => {
        if (!alive) return;
        setError(asCoreError(e));
        setAccounts([]);
      });
    return () => {
      alive = false;
    };
  }, [preloaded]);

  const reloadAccounts = useCallback(async () => setAccounts(await api.listAccounts()), []);

  // In a team workspace an account shared with this member arrives while the screen is open.
  useAccountsChanged(() => void reloadAccounts().catch(() => undefined));
  return { accounts, descriptors, error, setError, reloadAccounts };
}
