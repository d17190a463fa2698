// The checks an account's provider offers beside the resends ("probe" operations, e.g. testing the
// merchant's endpoint): run one without asking anything, and keep its answer for the account it was run for.
import { useState } from "react";
import { api, asCoreError, type AccountView, type ActionResult, type CoreError, type OperationDescriptor } from "../api";

export function useProbe(account: AccountView | undefined) {
  const [running, setRunning] = useState<string | null>(null);
  const [done, setDone] = useState<{ accountId: number; op: OperationDescriptor; result: ActionResult } | null>(null);
  const [error, setError] = useState<{ accountId: number; error: CoreError } | null>(null);

  const run = async (op: OperationDescriptor) => {
    if (!account || running) return;
    setRunning(op.name);
    setError(null);
    setDone(null);
    try {
      setDone({ accountId: account.id, op, result: await api.runAction({ account_id: account.id, operation: op.name, params: {} }) });
    } catch (e) {
      setError({ accountId: account.id, error: asCoreError(e) });
    } finally {
      setRunning(null);
    }
  };

  const mine = <T extends { accountId: number }>(x: T | null) => (x && x.accountId === account?.id ? x : null);
  return { running, run, done: mine(done), error: mine(error)?.error ?? null };
}

export type Probe = ReturnType<typeof useProbe>;
