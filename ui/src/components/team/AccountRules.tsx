// "Team rules…" on a shared account's card: which resends on this account wait for a second member's
// approval, in words, and the members' roles on it. The account's admins change them (the approval policy:
// the default rules, every resend, or the default rules but some reasons; a role per member standing in
// for their team role here), as `team policy` and `team role` do; every other member reads them, which
// says why their resend waits.
import { useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type AccountRules as Rules, type AccountView, type CoreError, type Role } from "../../api";
import { ErrorBox } from "../ErrorBox";
import { Modal } from "../Modal";
import { useAttempt } from "../../hooks/useAttempt";
import { useToast } from "../../hooks/useToast";

const ROLES: Role[] = ["viewer", "operator", "approver", "admin"];

type Mode = "default" | "every" | "except";

/** The policy's choice as the dialog offers it. */
export function modeOf(policy: Rules["policy"]): Mode {
  return policy.every_resend ? "every" : policy.waive.length > 0 ? "except" : "default";
}

export function AccountRules({ account }: { account: AccountView }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn" data-testid="account-rules" onClick={() => setOpen(true)}>
        {t("team.rules.open")}
      </button>
      {open && <RulesDialog account={account} onClose={() => setOpen(false)} />}
    </>
  );
}

function RulesDialog({ account, onClose }: { account: AccountView; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [rules, setRules] = useState<Rules | null>(null);
  const [loadError, setLoadError] = useState<CoreError | null>(null);
  const [mode, setMode] = useState<Mode>("default");
  const [waived, setWaived] = useState<string[]>([]);
  const [roles, setRoles] = useState<Record<string, Role | "workspace">>({});
  const { busy, error, attempt } = useAttempt();

  useEffect(() => {
    let alive = true;
    api
      .teamAccountRules(account.id)
      .then((r) => {
        if (!alive) return;
        setRules(r);
        setMode(modeOf(r.policy));
        setWaived(r.policy.waive);
        setRoles(Object.fromEntries(r.members.map((m) => [m.name, m.account_role ?? "workspace"])));
      })
      .catch((e) => alive && setLoadError(asCoreError(e)));
    return () => {
      alive = false;
    };
  }, [account.id]);

  const reasonText = (r: string) => t(`team.rules.reason.${r}`, { defaultValue: r });
  // Reasons waived on the command line that this account's resends cannot meet stay listed, so they can be unticked.
  const offered = rules ? [...rules.reasons, ...rules.policy.waive.filter((w) => !rules.reasons.includes(w))] : [];
  const policyChanged =
    !!rules &&
    (mode !== modeOf(rules.policy) || (mode === "except" && [...waived].sort().join(",") !== [...rules.policy.waive].sort().join(",")));
  const roleChanges = rules ? rules.members.filter((m) => roles[m.name] !== (m.account_role ?? "workspace")) : [];

  const save = () =>
    attempt(async () => {
      if (policyChanged) await api.teamSetAccountPolicy(account.id, mode === "every", mode === "except" ? waived : []);
      for (const m of roleChanges) await api.teamSetAccountRole(account.id, m.name, roles[m.name]);
      onClose();
      toast({ testId: "account-rules-saved", message: () => t("team.rules.saved_toast", { label: account.label }) });
    });

  const roleName = (r: Role | null) => (r ? t(`team.roles.${r}`) : "—");

  return (
    <Modal title={t("team.rules.title", { label: account.label })} onClose={onClose} testId="rules-dialog" wide>
      {!rules && !loadError && <p className="meta">{t("common.loading")}</p>}
      {loadError && <ErrorBox error={loadError} testId="rules-load-error" />}
      {rules && (
        <>
          <section className="rules-section" aria-labelledby="rules-approval-title">
            <h3 className="rules-heading" id="rules-approval-title">{t("team.rules.approval_title")}</h3>
            {rules.can_edit ? (
              <fieldset className="rules-choices" data-testid="rules-policy">
                <legend className="sr-only">{t("team.rules.approval_title")}</legend>
                <label className={`radio-card${mode === "default" ? " active" : ""}`} data-testid="rules-mode-default">
                  <input type="radio" name="rules-mode" checked={mode === "default"} onChange={() => setMode("default")} />
                  <span className="op-card-text">
                    <span className="op-card-title">{t("team.rules.mode.default")}</span>
                    <span className="op-card-help">{rules.reasons.length > 0 ? t("team.rules.when") : t("team.rules.none_held")}</span>
                    <ReasonList reasons={rules.reasons} text={reasonText} />
                  </span>
                </label>
                <label className={`radio-card${mode === "every" ? " active warn" : ""}`} data-testid="rules-mode-every">
                  <input type="radio" name="rules-mode" checked={mode === "every"} onChange={() => setMode("every")} />
                  <span className="op-card-text">
                    <span className="op-card-title">{t("team.rules.mode.every")}</span>
                    <span className="op-card-help">{t("team.rules.mode.every_help")}</span>
                  </span>
                </label>
                {offered.length > 0 && (
                  <div className={`radio-card${mode === "except" ? " active" : ""}`} data-testid="rules-mode-except">
                    <input
                      type="radio"
                      name="rules-mode"
                      id={`rules-except-${account.id}`}
                      checked={mode === "except"}
                      onChange={() => setMode("except")}
                    />
                    <span className="op-card-text">
                      <label className="op-card-title" htmlFor={`rules-except-${account.id}`}>{t("team.rules.mode.except")}</label>
                      <span className="op-card-help">{t("team.rules.mode.except_help")}</span>
                      <span className="rules-waive">
                        {offered.map((r) => (
                          <label className="check rules-waive-item" key={r}>
                            <input
                              type="checkbox"
                              checked={waived.includes(r)}
                              data-testid={`rules-waive-${r}`}
                              onChange={(e) => {
                                setMode("except");
                                setWaived((w) => (e.target.checked ? [...w, r] : w.filter((x) => x !== r)));
                              }}
                            />
                            <span>{reasonText(r)}</span>
                          </label>
                        ))}
                      </span>
                    </span>
                  </div>
                )}
              </fieldset>
            ) : (
              <PolicySummary rules={rules} text={reasonText} />
            )}
          </section>

          <section className="rules-section" aria-labelledby="rules-roles-title">
            <h3 className="rules-heading" id="rules-roles-title">{t("team.rules.roles_title")}</h3>
            <p className="field-help">{t("team.rules.roles_help")}</p>
            {rules.can_edit ? (
              <div className="table-wrap">
                <table className="table" data-testid="rules-roles" aria-label={t("team.rules.roles_title")}>
                  <thead>
                    <tr>
                      <th>{t("team.col_name")}</th>
                      <th>{t("team.rules.col_team_role")}</th>
                      <th>{t("team.rules.col_account_role")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rules.members.map((m) => {
                      const me = m.name === rules.me;
                      return (
                        <tr key={m.name} data-testid="rules-member" data-name={m.name}>
                          <td className="nowrap">{me ? t("team.rules.you", { member: m.name }) : m.name}</td>
                          <td className="nowrap">{roleName(m.workspace_role)}</td>
                          <td>
                            <select
                              value={roles[m.name] ?? "workspace"}
                              disabled={me}
                              aria-label={t("team.rules.role_of", { member: m.name })}
                              data-testid="rules-role"
                              onChange={(e) => setRoles((r) => ({ ...r, [m.name]: e.target.value as Role | "workspace" }))}
                            >
                              <option value="workspace">{t("team.rules.same_as_team", { role: roleName(m.workspace_role) })}</option>
                              {ROLES.map((r) => (
                                <option key={r} value={r}>{roleName(r)}</option>
                              ))}
                            </select>
                            {me && <span className="field-help rules-own-note">{t("team.rules.own_role_note")}</span>}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            ) : (
              <p data-testid="rules-my-role">
                {t("team.rules.my_role", { role: roleName(rules.my_role) })}{" "}
                <span className="field-help">{rules.my_role ? t(`team.role_help.${rules.my_role}`) : ""}</span>
              </p>
            )}
          </section>
        </>
      )}
      {error && <ErrorBox error={error} testId="rules-error" />}
      <div className="row modal-actions">
        {rules?.can_edit ? (
          <>
            <button type="button" className="btn" onClick={onClose} data-testid="rules-cancel">
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className="btn primary"
              disabled={busy || (!policyChanged && roleChanges.length === 0)}
              onClick={() => void save()}
              data-testid="rules-save"
            >
              {t("team.rules.save")}
            </button>
          </>
        ) : (
          <button type="button" className="btn" onClick={onClose} data-testid="rules-close">
            {t("team.done")}
          </button>
        )}
      </div>
    </Modal>
  );
}

function ReasonList({ reasons, text }: { reasons: string[]; text: (r: string) => string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="rules-reasons">
      {reasons.map((r) => (
        <li key={r} data-testid={`rules-reason-${r}`}>{text(r)}</li>
      ))}
    </ul>
  );
}

/** The rules in words, for a member who is not an admin of the account. */
function PolicySummary({ rules, text }: { rules: Rules; text: (r: string) => string }) {
  const { t } = useTranslation();
  const held = rules.reasons.filter((r) => !rules.policy.waive.includes(r));
  const waived = rules.reasons.filter((r) => rules.policy.waive.includes(r));
  if (rules.policy.every_resend) {
    return <p data-testid="rules-summary" data-mode="every">{t("team.rules.summary_every")}</p>;
  }
  return (
    <div data-testid="rules-summary" data-mode={modeOf(rules.policy)}>
      <p>{held.length > 0 ? t("team.rules.summary_when") : t("team.rules.none_held")}</p>
      <ReasonList reasons={held} text={text} />
      {waived.length > 0 && (
        <>
          <p>{t("team.rules.summary_waived")}</p>
          <ReasonList reasons={waived} text={text} />
        </>
      )}
    </div>
  );
}
