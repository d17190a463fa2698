// The account a work screen acts on, shared with the shell (whose top bar shows its environment).
import { useEffect } from "react";
import type { AccountView } from "../api";

export type ScreenAccountProps = {
  accountId: number | null;
  onAccount: (a: AccountView | null) => void;
  /** Sets the screen's default account only if the current one is still `seenId` (see App). */
  onAccountSync?: (a: AccountView, seenId: number | null) => void;
};

/**
 * The shell's account; until the shell has one (the first render), the screen's default, drawn at once
 * and then made the shell's too. The shell's environment badge is kept in step with the account's.
 */
export function useScreenAccount(
  accounts: AccountView[] | null,
  props: ScreenAccountProps,
  pickDefault: (accounts: AccountView[]) => AccountView | undefined,
): AccountView | undefined {
  const account = accounts?.find((a) => a.id === props.accountId) ?? (props.accountId === null && accounts ? pickDefault(accounts) : undefined);
  useEffect(() => {
    if (!accounts) return;
    const sync = (a: AccountView) => (props.onAccountSync ? props.onAccountSync(a, props.accountId) : props.onAccount(a));
    const chosen = account ?? pickDefault(accounts);
    if (chosen) sync(chosen);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [accounts, account?.id]);
  return account;
}
