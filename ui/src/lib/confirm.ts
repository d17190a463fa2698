// How strongly a resend must be confirmed, from the account and the operation's descriptor.
import type { AccountView } from "../bindings/AccountView";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";

/**
 * A reason for the stronger confirmation (`confirm.reason.<reason>`) and what the dialog asks for it: nothing
 * more than reading it (production: the dialog says so plainly), the tick that many callbacks may be sent
 * again, or a tick of the reason's own (`confirm.tick_for.<reason>`).
 */
export type StrongReason = { reason: string; ask: "read" | "tick_many" | "tick_own" };

const given = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== "";

/**
 * Why a resend needs the stronger confirmation: any production account; a field holding its descriptor's
 * `broad` value (every callback at once); and the operation's own `confirm` rules: a time field reaching
 * further back than the rule says, a field filled in (a one-off destination), or always (an operation that
 * resends everything of a kind).
 */
export function strongReasons(
  account: Pick<AccountView, "environment">,
  op: Pick<OperationDescriptor, "fields" | "confirm">,
  params: Record<string, unknown>,
  nowMs: number,
): { reasons: StrongReason[]; broadFields: string[] } {
  const reasons: StrongReason[] = [];
  if (account.environment === "production") reasons.push({ reason: "production", ask: "read" });
  const broadFields: string[] = [];
  for (const f of op.fields) {
    if (f.broad === null || f.broad === undefined) continue;
    const v = params[f.name] ?? (f.default !== null && f.default !== undefined ? f.default : undefined);
    if (v !== undefined && String(v) === String(f.broad)) broadFields.push(f.name);
  }
  if (broadFields.length) reasons.push({ reason: "broad_value", ask: "tick_many" });
  for (const rule of op.confirm) {
    if (rule.kind === "always") {
      reasons.push({ reason: rule.reason, ask: "tick_many" });
      continue;
    }
    const v = params[rule.field];
    if (rule.kind === "older_than") {
      if (!given(v) || !Number.isFinite(Number(v))) continue;
      const kind = op.fields.find((f) => f.name === rule.field)?.kind;
      const ms = kind === "unix_seconds" ? Number(v) * 1000 : Number(v);
      if (nowMs - ms > rule.ms) reasons.push({ reason: rule.reason, ask: "tick_many" });
    } else if (given(v)) {
      reasons.push({ reason: rule.reason, ask: "tick_own" });
    }
  }
  return { reasons, broadFields };
}
