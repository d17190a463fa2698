// Whom this member may share a shared account with: in a team workspace, for an admin whose team database
// answers, the other members; null otherwise (solo, offline, or not an admin: no Share button).
import { useEffect, useState } from "react";
import { api } from "../api";

export function useShareTargets(): string[] | null {
  const [targets, setTargets] = useState<string[] | null>(null);
  useEffect(() => {
    let alive = true;
    api
      .teamStatus()
      .then(async (s) => {
        const ws = s.workspace;
        if (!ws || !ws.reachable || ws.role !== "admin") return null;
        const members = await api.teamMembers();
        return members.map((m) => m.name).filter((n) => n !== ws.member);
      })
      .then((t) => alive && setTargets(t))
      .catch(() => alive && setTargets(null));
    return () => {
      alive = false;
    };
  }, []);
  return targets;
}
