// A row of the team's trail as History's table draws it: the shape of a History row, with its member and
// its kind (an action, or an approval's step, a policy or role change, a share… of the workspace).
import type { HistoryRowView, TrailRowView } from "../api";
import type { Environment } from "../bindings/Environment";
import type { Outcome } from "../bindings/Outcome";

export type TeamHistoryRow = HistoryRowView & { kind: string; error_code: string | null };

export function trailToRow(r: TrailRowView): TeamHistoryRow {
  return {
    id: r.id,
    job_id: null,
    created_at_ms: r.at_ms,
    finished_at_ms: null,
    account_id: null,
    account_label: r.account_label,
    provider: r.provider,
    environment: r.environment as Environment,
    operation: r.operation,
    scope: r.scope,
    scope_params: r.scope_params,
    // An approval's step (requested, approved…) is not an action's outcome: the table says it in words.
    outcome: r.outcome as Outcome,
    http_status: r.http_status,
    provider_code: null,
    error: null,
    duration_ms: r.duration_ms,
    member: r.member,
    kind: r.kind,
    error_code: r.error_code,
  };
}
