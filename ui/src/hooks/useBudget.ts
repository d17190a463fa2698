// The account's budget for an operation, read again whenever `tick` changes (after each call).
import { useEffect, useState } from "react";
import { api, type BudgetStatus } from "../api";

export function useBudget(accountId: number | undefined, operation: string | undefined, tick: unknown): BudgetStatus | null {
  const [budget, setBudget] = useState<BudgetStatus | null>(null);
  useEffect(() => {
    if (accountId === undefined || operation === undefined) {
      setBudget(null);
      return;
    }
    let alive = true;
    api
      .budgetStatus(accountId, operation)
      .then((b) => alive && setBudget(b))
      .catch(() => alive && setBudget(null));
    return () => {
      alive = false;
    };
  }, [accountId, operation, tick]);
  return budget;
}
