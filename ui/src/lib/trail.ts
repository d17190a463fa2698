// A row of the team's trail as History's table draws it: the shape of a History row, with its member and
// its kind (an action, or an approval's step, a policy or role change, a share… of the workspace).
import type { HistoryRowView, TrailRowView } from "../api";
import type { Environment } from "../bindings/Environment";
import type { Outcome } from "../bindings/Outcome";
import type { WorkspaceStep } from "../bindings/WorkspaceStep";

export type TeamHistoryRow = HistoryRowView & { kind: string; error_code: string | null; step: WorkspaceStep | null };

type Words = (key: string, options?: Record<string, unknown>) => string;

/**
 * What a row that is neither an action nor an approval's step was, in words: the step the app read from it
 * (`WorkspaceStep`, read in Rust from the row's kind and scope), else its kind as written.
 */
export function stepName(t: Words, kind: string, step: WorkspaceStep | null | undefined): string {
  return step && step.step !== "approval" ? t(`history.team.kind.${step.step}`) : kind;
}

/**
 * What a step of the workspace covered, in words: whom a share or a role was about, which approval request a
 * step was of; a policy or a shared account added, changed or deleted say nothing more (—). A scope the app
 * could not read is given as written.
 */
export function stepScope(t: Words, scope: string, step: WorkspaceStep | null | undefined): string {
  switch (step?.step) {
    case undefined:
      return scope;
    case "approval":
      return t("history.team.approval_scope", { id: step.id });
    case "share":
      return t("history.team.scope.share", { member: step.member });
    case "unshare":
      return t("history.team.scope.unshare", { member: step.member });
    case "member_removed":
      return t("history.team.scope.member", { member: step.member });
    case "role":
      return t("history.team.scope.role", {
        member: step.member,
        role: step.role ? t(`team.roles.${step.role}`) : t("history.team.scope.team_role"),
      });
    default:
      return "—";
  }
}

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
    step: r.step,
  };
}
