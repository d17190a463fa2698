// "Remove" on a member's row in Settings › Team (admins): asks first, then removes them (their sealed copies
// of shared secrets go, their login ends) and lists the shared accounts whose credentials they could have
// copied, to rotate at the provider.
import { useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type ProviderDescriptor, type RemoveResult } from "../../api";
import { providerName } from "../../lib/descriptors";
import { ErrorBox } from "../ErrorBox";
import { Modal } from "../Modal";
import { useAttempt } from "../../hooks/useAttempt";

export function RemoveMember({ member, onRemoved }: { member: string; onRemoved: () => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const { busy, error, attempt } = useAttempt();
  const [removed, setRemoved] = useState<RemoveResult | null>(null);
  const [descriptors, setDescriptors] = useState<ProviderDescriptor[]>([]);
  useEffect(() => {
    if (removed) void api.providerDescriptors().then(setDescriptors).catch(() => undefined);
  }, [removed]);
  const remove = () =>
    attempt(async () => {
      setRemoved(await api.teamRemove(member));
      setAsking(false);
    });
  const secretLabel = (provider: string, name: string) => {
    const field = descriptors.find((d) => d.id === provider)?.account_fields.find((f) => f.name === name);
    return field ? t(field.label_key) : name;
  };
  return (
    <>
      <button type="button" className="btn small danger-outline" onClick={() => setAsking(true)} data-testid="team-remove">
        {t("team.remove")}
      </button>
      {asking && (
        <Modal title={t("team.remove_title", { member })} onClose={() => setAsking(false)} testId="team-remove-dialog" tone="danger">
          <p>{t("team.remove_body", { member })}</p>
          {error && <ErrorBox error={error} testId="team-remove-error" />}
          <div className="row modal-actions">
            <button type="button" className="btn" onClick={() => setAsking(false)} data-testid="team-remove-cancel">
              {t("common.cancel")}
            </button>
            <button type="button" className="btn danger" disabled={busy} onClick={() => void remove()} data-testid="team-remove-confirm">
              {t("team.remove_confirm", { member })}
            </button>
          </div>
        </Modal>
      )}
      {removed && (
        <Modal
          title={t("team.removed_title", { member })}
          onClose={() => {
            setRemoved(null);
            onRemoved();
          }}
          testId="team-removed"
        >
          {removed.rotate.length === 0 ? (
            <p data-testid="team-rotate-none">{t("team.rotate_none", { member })}</p>
          ) : (
            <>
              <p>{t("team.rotate_body", { member, count: removed.rotate.length })}</p>
              <ul className="team-rotate" data-testid="team-rotate">
                {removed.rotate.map((r) => (
                  <li key={r.team_account_id} data-testid="team-rotate-account" data-label={r.label}>
                    <strong>{r.label}</strong> · {providerName(descriptors, r.provider)}:{" "}
                    {r.secrets.map((s) => secretLabel(r.provider, s)).join(", ")}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="row modal-actions">
            <button
              type="button"
              className="btn primary"
              onClick={() => {
                setRemoved(null);
                onRemoved();
              }}
              data-testid="team-removed-done"
            >
              {t("team.done")}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
