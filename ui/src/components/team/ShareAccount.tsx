// "Share…" on a shared account's card (admins in a team workspace): seals the account's secrets to another
// member's key, so that member's app can use the account; lists who holds a share and takes one back (their
// copies are deleted; the credentials they could have copied are named, to rotate at the provider). Nothing
// secret passes through the window.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type AccountShare, type AccountView, type ProviderDescriptor, type RemoveResult } from "../../api";
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
  const [shares, setShares] = useState<AccountShare[]>([]);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  const [takingBack, setTakingBack] = useState<AccountShare | null>(null);
  const [takenBack, setTakenBack] = useState<RemoveResult | null>(null);
  const loadShares = useCallback(
    () =>
      attempt(async () => {
        setShares(await api.teamShares(account.id));
      }),
    [account.id, attempt],
  );
  useEffect(() => {
    if (!open) return;
    void loadShares();
    void api.providerDescriptors().then(setDescriptors).catch(() => undefined);
  }, [open, loadShares]);
  const close = () => {
    setOpen(false);
    setTakingBack(null);
    setTakenBack(null);
  };
  const secretLabels = (names: string[]) =>
    names
      .map((name) => {
        const field = descriptors.find((d) => d.id === account.provider)?.account_fields.find((f) => f.name === name);
        return field ? t(field.label_key) : name;
      })
      .join(", ");
  const share = () =>
    attempt(async () => {
      await api.teamShare(account.id, member);
      close();
      toast({ testId: "account-shared", message: () => t("team.shared_toast", { label: account.label, member }) });
    });
  const takeBack = (from: AccountShare) =>
    attempt(async () => {
      setTakenBack(await api.teamUnshare(account.id, from.member));
      setTakingBack(null);
      setShares(await api.teamShares(account.id));
    });
  // Only other members' shares can be taken back here (the admin's own copy is what they share from).
  const others = shares.filter((s) => members.includes(s.member));
  return (
    <>
      <button type="button" className="btn" data-testid="account-share" onClick={() => setOpen(true)}>
        {t("team.share")}
      </button>
      {open && (
        <Modal title={t("team.share_title", { label: account.label })} onClose={close} testId="share-dialog">
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
          <h3 className="field-label">{t("team.shares_title")}</h3>
          {others.length === 0 ? (
            <p className="field-help" data-testid="shares-none">
              {t("team.shares_none")}
            </p>
          ) : (
            <ul className="team-shares" data-testid="shares">
              {others.map((s) => (
                <li key={s.member} data-testid="share-holder" data-member={s.member}>
                  <strong>{s.member}</strong> · {secretLabels(s.secrets)}{" "}
                  <button
                    type="button"
                    className="btn small danger-outline"
                    disabled={busy}
                    onClick={() => {
                      setTakenBack(null);
                      setTakingBack(s);
                    }}
                    data-testid="share-take-back"
                  >
                    {t("team.take_back")}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {takingBack && (
            <div className="confirm" data-testid="take-back-confirm">
              <p>
                {t("team.take_back_body", {
                  member: takingBack.member,
                  label: account.label,
                  secrets: secretLabels(takingBack.secrets),
                })}
              </p>
              <div className="row">
                <button type="button" className="btn danger" disabled={busy} onClick={() => void takeBack(takingBack)} data-testid="take-back-confirm-button">
                  {t("team.take_back_confirm", { member: takingBack.member })}
                </button>
                <button type="button" className="btn" onClick={() => setTakingBack(null)} data-testid="take-back-cancel">
                  {t("common.cancel")}
                </button>
              </div>
            </div>
          )}
          {takenBack && (
            <p className="inline-result ok" data-testid="taken-back" data-member={takenBack.member}>
              {takenBack.rotate.length === 0
                ? t("team.taken_back_none", { member: takenBack.member })
                : t("team.taken_back", {
                    member: takenBack.member,
                    label: account.label,
                    secrets: secretLabels(takenBack.rotate[0].secrets),
                  })}
            </p>
          )}
          {error && <ErrorBox error={error} testId="share-error" />}
          <div className="row modal-actions">
            <button type="button" className="btn" onClick={close} data-testid="share-cancel">
              {takenBack ? t("team.done") : t("common.cancel")}
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
