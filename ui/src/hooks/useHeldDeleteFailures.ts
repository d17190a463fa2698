// A held account delete that did not happen when its undo time ended (a shared account while the team
// database cannot be reached, say): the user is told which account and why, in a confirmation that stays
// until dismissed, wherever they are in the window. The account is shown again at once: the shell also says
// `accounts-changed`, and the screens showing accounts read them again.
import { useEffect } from "react";
import { i18n } from "../i18n";
import { api, type NotDeleted } from "../api";
import { showToast } from "./useToast";

export function useHeldDeleteFailures() {
  useEffect(() => {
    const { t } = i18n;
    let unlisten: (() => void) | undefined;
    let alive = true;
    const tell = (n: NotDeleted) =>
      showToast({
        testId: `account-not-deleted-${n.account_id}`,
        lasting: true,
        message: () =>
          t(n.shared ? "toast.account_not_deleted_team" : "toast.account_not_deleted", {
            label: n.label,
            reason: t(`errors.${n.error.code}`, n.error.params),
          }),
      });
    api
      .onAccountNotDeleted(tell)
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);
}
