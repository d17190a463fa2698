// Whether History can show the whole team's trail: in a team workspace, the members to filter on (empty
// while the team database cannot be reached). Solo: `inWorkspace` false, and History is as it always was.
import { useEffect, useState } from "react";
import { api } from "../api";

export function useTeamScope(): { inWorkspace: boolean; members: string[] } {
  const [state, setState] = useState<{ inWorkspace: boolean; members: string[] }>({ inWorkspace: false, members: [] });
  useEffect(() => {
    let alive = true;
    api
      .teamStatus()
      .then(async (s) => {
        if (!s.workspace) return { inWorkspace: false, members: [] };
        const members = s.workspace.reachable ? await api.teamMembers().catch(() => []) : [];
        return { inWorkspace: true, members: members.map((m) => m.name) };
      })
      .then((next) => alive && setState(next))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, []);
  return state;
}
