// "Share…" on a shared account's card (admins in a team workspace): seals the account's secrets to another
// member's key, so that member's app can use the account. Nothing secret passes through the window.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type AccountView } from "../../api";
import { ErrorBox } from "../ErrorBox";
import { Modal } from "../Modal";
import { useAttempt } from "../../hooks/useAttempt";
import { useToast } from "../../hooks/useToast";

export function ShareAccount({ account, members }: { account: AccountView; members: string[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [member, setMember] = useState(members[0] ?? "");
  const { busy, error, attempt } = useAttempt();
  const toast = useToast();
  const share = () =>
    attempt(async () => {
      await api.teamShare(account.id, member);
      setOpen(false);
      toast({ testId: "account-shared", message: () => t("team.shared_toast", { label: account.label, member }) });
    });
  return (
    <>
      <button type="button" className="btn" data-testid="account-share" onClick={() => setOpen(true)}>
        {t("team.share")}
      </button>
      {open && (
        <Modal title={t("team.share_title", { label: account.label })} onClose={() => setOpen(false)} testId="share-dialog">
          <p>{t("team.share_body")}</p>
          <label className="field">
            <span className="field-label">{t("team.share_member")}</span>
            <select value={member} onChange={(e) => setMember(e.target.value)} data-testid="share-member">
              {members.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          {error && <ErrorBox error={error} testId="share-error" />}
          <div className="row modal-actions">
            <button type="button" className="btn" onClick={() => setOpen(false)} data-testid="share-cancel">
              {t("common.cancel")}
            </button>
            <button type="button" className="btn primary" disabled={busy || !member} onClick={() => void share()} data-testid="share-confirm">
              {t("team.share_confirm", { member })}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
