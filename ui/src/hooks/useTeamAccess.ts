// What this member may do with the shared accounts, from one look at the team database (`team_status`, which
// answers their role on every shared account): the cards offer Edit, Delete and Share only to an account's
// admins. Null while unknown (solo, the team database unreachable, not answered yet): the cards then offer
// everything, and the core refuses what it must with its own message.
import { useEffect, useState } from "react";
import { api, type Role } from "../api";
import { useAccountsChanged } from "./useAccountsChanged";

export type TeamAccess = {
  /** This member's role on each shared account, by its id in the team database. */
  roles: Map<number, Role>;
  /** The other members, to share an account with (only looked up when this member administers one). */
  others: string[];
};

export function useTeamAccess(): TeamAccess | null {
  const [access, setAccess] = useState<TeamAccess | null>(null);
  const [nonce, setNonce] = useState(0);
  // A shared account arriving or changing may come with a new role on it.
  useAccountsChanged(() => setNonce((n) => n + 1));
  useEffect(() => {
    let alive = true;
    api
      .teamStatus()
      .then(async (s) => {
        const ws = s.workspace;
        if (!ws || !ws.reachable) return null;
        const roles = new Map(ws.account_roles.map((r) => [r.team_account_id, r.role]));
        const adminSomewhere = ws.account_roles.some((r) => r.role === "admin");
        const others = adminSomewhere ? (await api.teamMembers()).map((m) => m.name).filter((n) => n !== ws.member) : [];
        return { roles, others };
      })
      .then((a) => alive && setAccess(a))
      .catch(() => alive && setAccess(null));
    return () => {
      alive = false;
    };
  }, [nonce]);
  return access;
}
