// Settings › Team: solo use (the default) with a way to join a team by invitation code; in a team
// workspace, where it is, who this member is, the members, inviting and removing one (admins) and the offline
// state.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type CoreError, type TeamMember, type TeamStatus, type TeamWorkspace } from "../../api";
import { ErrorBox } from "../ErrorBox";
import { Modal } from "../Modal";
import { copyText } from "../../lib/clipboard";
import { useAttempt } from "../../hooks/useAttempt";
import { useToast } from "../../hooks/useToast";
import { RemoveMember } from "./RemoveMember";
import { ClientCertificate, NO_TLS, joinTls } from "./ClientCertificate";

export const ROLES = ["viewer", "operator", "approver", "admin"] as const;

/** Joining a team with the invitation code an admin sent (and a client certificate, when the team uses them). */
function JoinTeam({ onJoined }: { onJoined: (s: TeamStatus) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [withTls, setWithTls] = useState(false);
  const [tls, setTls] = useState(NO_TLS);
  const { busy, error, attempt } = useAttempt();
  const toast = useToast();
  const join = () =>
    attempt(async () => {
      const s = await api.teamJoin(code.trim(), withTls ? joinTls(tls) : null);
      setCode("");
      // The private key leaves the window with the join and is not kept here.
      setTls(NO_TLS);
      toast({ testId: "team-joined", message: () => t("team.joined", { member: s.workspace?.member ?? "" }) });
      onJoined(s);
    });
  return (
    <form
      className="team-join"
      onSubmit={(e) => {
        e.preventDefault();
        void join();
      }}
    >
      <h3 className="team-subtitle">{t("team.join_title")}</h3>
      <label className="field">
        <span className="field-label">{t("team.join_label")}</span>
        <input
          className="mono"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          data-testid="team-join-code"
        />
        <span className="field-help">{t("team.join_help")}</span>
      </label>
      <ClientCertificate open={withTls} onOpen={setWithTls} tls={tls} onChange={setTls} />
      <div className="row actions">
        <button type="submit" className="btn primary" disabled={busy || !code.trim()} data-testid="team-join">
          {t("team.join")}
        </button>
      </div>
      {error && <ErrorBox error={error} testId="team-join-error" />}
    </form>
  );
}

/** Admins: a new member's name and role → their invitation code, shown once with Copy. */
function InviteMember({ onInvited }: { onInvited: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [role, setRole] = useState<string>("operator");
  const { busy, error, attempt } = useAttempt();
  const [code, setCode] = useState<{ member: string; code: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const invite = () =>
    attempt(async () => {
      const member = name.trim();
      const c = await api.teamInvite(member, role);
      setCode({ member, code: c });
      setCopied(false);
      setName("");
      onInvited();
    });
  return (
    <form
      className="team-invite"
      onSubmit={(e) => {
        e.preventDefault();
        void invite();
      }}
    >
      <h3 className="team-subtitle">{t("team.invite_title")}</h3>
      <div className="team-invite-fields">
        <label className="field">
          <span className="field-label">{t("team.invite_name")}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} data-testid="team-invite-name" />
          <span className="field-help">{t("team.invite_name_help")}</span>
        </label>
        <label className="field">
          <span className="field-label">{t("team.invite_role")}</span>
          <select value={role} onChange={(e) => setRole(e.target.value)} data-testid="team-invite-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`team.roles.${r}`)}
              </option>
            ))}
          </select>
          <span className="field-help">{t(`team.role_help.${role}`)}</span>
        </label>
      </div>
      <div className="row actions">
        <button type="submit" className="btn primary" disabled={busy || !name.trim()} data-testid="team-invite">
          {t("team.invite")}
        </button>
      </div>
      {error && <ErrorBox error={error} testId="team-invite-error" />}
      {code && (
        <Modal title={t("team.invite_code_title", { member: code.member })} onClose={() => setCode(null)} testId="team-invite-code">
          <p>{t("team.invite_code_body", { member: code.member })}</p>
          <textarea className="mono team-code" readOnly value={code.code} rows={4} aria-label={t("team.join_label")} data-testid="team-invite-code-text" />
          <div className="row modal-actions">
            <button
              type="button"
              className="btn"
              onClick={() => void copyText(code.code).then(setCopied)}
              data-testid="team-invite-copy"
            >
              {copied ? t("team.copied") : t("team.copy")}
            </button>
            <button type="button" className="btn primary" onClick={() => setCode(null)} data-testid="team-invite-done">
              {t("team.done")}
            </button>
          </div>
        </Modal>
      )}
    </form>
  );
}

/** The workspace: where, who, connection, members, and inviting (admins). */
function Workspace({ ws, onRefresh }: { ws: TeamWorkspace; onRefresh: () => void }) {
  const { t } = useTranslation();
  const [members, setMembers] = useState<TeamMember[] | null>(null);
  const loadMembers = useCallback(() => {
    if (!ws.reachable) return;
    api
      .teamMembers()
      .then(setMembers)
      .catch(() => setMembers(null));
  }, [ws.reachable]);
  useEffect(loadMembers, [loadMembers]);
  const admin = ws.reachable && ws.role === "admin";
  return (
    <>
      <dl className="facts">
        <dt>{t("team.workspace")}</dt>
        <dd data-testid="team-workspace">{t("team.workspace_value", { database: ws.database, host: ws.host })}</dd>
        <dt>{t("team.you")}</dt>
        <dd data-testid="team-you">
          {ws.member}
          {ws.role && <span className="team-role"> · {t(`team.roles.${ws.role}`)}</span>}
        </dd>
        <dt>{t("team.connection")}</dt>
        <dd data-testid="team-connection" data-reachable={ws.reachable}>
          {ws.reachable ? t("team.online") : t("team.offline")}
        </dd>
      </dl>
      {!ws.reachable && (
        <div className="info-note team-offline" data-testid="team-offline">
          <p>{t("team.offline_body")}</p>
          {ws.problem && <ErrorBox error={ws.problem} />}
          <button type="button" className="btn" onClick={onRefresh} data-testid="team-retry">
            {t("team.retry")}
          </button>
        </div>
      )}
      {members && (
        <>
          <h3 className="team-subtitle">{t("team.members_title")}</h3>
          <div className="table-wrap team-members">
            <table className="table" data-testid="team-members" aria-label={t("team.members_title")}>
              <thead>
                <tr>
                  <th>{t("team.col_name")}</th>
                  <th>{t("team.col_role")}</th>
                  {admin && <th><span className="visually-hidden">{t("team.col_actions")}</span></th>}
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.name} data-testid="team-member" data-name={m.name} data-role={m.role}>
                    <td>
                      {m.name}
                      {m.name === ws.member && <span className="meta"> ({t("team.you_short")})</span>}
                    </td>
                    <td>{t(`team.roles.${m.role}`)}</td>
                    {admin && <td className="team-member-actions">{m.name !== ws.member && <RemoveMember member={m.name} onRemoved={loadMembers} />}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {admin && <InviteMember onInvited={loadMembers} />}
    </>
  );
}

/** Settings › Team. `onChange` tells the app when this installation joined a team. */
export function TeamCard({ onChange }: { onChange?: (s: TeamStatus) => void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<TeamStatus | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const load = useCallback(() => {
    setError(null);
    api
      .teamStatus()
      .then(setStatus)
      .catch((e) => setError(asCoreError(e)));
  }, []);
  useEffect(load, [load]);
  const ws = status?.workspace ?? null;
  return (
    <section className="card" data-testid="team-card" data-mode={status ? (ws ? "team" : "solo") : undefined}>
      <h2 className="card-title">{t("team.title")}</h2>
      {!status && !error && <p className="meta">{t("common.loading")}</p>}
      {error && <ErrorBox error={error} />}
      {status && !ws && (
        <>
          <p className="team-solo" data-testid="team-solo">{t("team.solo_body")}</p>
          <JoinTeam
            onJoined={(s) => {
              setStatus(s);
              onChange?.(s);
            }}
          />
        </>
      )}
      {ws && <Workspace ws={ws} onRefresh={load} />}
    </section>
  );
}
