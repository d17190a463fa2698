// Following a job a resend started at the provider (the operation's `follow` shape): its follow-up look-up
// is run at once and then every `every_seconds` until the job's state is a finished one, each look recorded
// in History like any look-up. A look the rate budget does not allow yet waits as long as it says.
import { useEffect, useState } from "react";
import { api, asCoreError, type CoreError } from "../api";
import type { FollowShape } from "../bindings/FollowShape";

/** Looks taken before the panel stops on its own and offers "Check again". */
export const MAX_LOOKS = 200;

export type FollowState = {
  state: string;
  done: number | null;
  total: number | null;
  finished: boolean;
  failed: boolean;
  looks: number;
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : null);

/** The job a resend's result names, when its operation follows one. */
export function followedJob(follow: FollowShape | null, result: unknown): string | null {
  if (!follow) return null;
  const v = obj(result)[follow.from];
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
}

/** The job's state as a follow-up look-up's result says it. */
export function followState(follow: FollowShape, result: unknown, looks: number): FollowState {
  const r = obj(result);
  const state = r[follow.state] === undefined || r[follow.state] === null ? "" : String(r[follow.state]);
  return {
    state,
    done: num(r[follow.done]),
    total: num(r[follow.total]),
    finished: follow.finished.includes(state),
    failed: follow.failed.includes(state),
    looks,
  };
}

export function useFollow(accountId: number | null, follow: FollowShape | null, result: unknown) {
  const job = followedJob(follow, result);
  const [state, setState] = useState<FollowState | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const [round, setRound] = useState(0);
  const [stopped, setStopped] = useState(false);

  useEffect(() => {
    if (!follow || accountId === null || job === null) return;
    let alive = true;
    let timer: number | undefined;
    setError(null);
    setStopped(false);
    const later = (seconds: number, looks: number) => {
      timer = window.setTimeout(() => void look(looks), Math.max(0, seconds) * 1000);
    };
    const look = async (looks: number) => {
      try {
        const r = await api.runAction({ account_id: accountId, operation: follow.operation, params: { [follow.param]: job } });
        if (!alive) return;
        if (r.outcome !== "ok") {
          setError(r.error);
          setStopped(true);
          return;
        }
        const s = followState(follow, r.result, looks + 1);
        setState(s);
        if (s.finished) return;
        if (s.looks >= MAX_LOOKS) setStopped(true);
        else later(follow.every_seconds, s.looks);
      } catch (e) {
        if (!alive) return;
        const err = asCoreError(e);
        const wait = typeof err.params.wait_seconds === "number" ? err.params.wait_seconds : null;
        if (err.code === "budget.wait" && wait !== null) later(wait, looks);
        else {
          setError(err);
          setStopped(true);
        }
      }
    };
    void look(0);
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [accountId, follow, job, round]); // eslint-disable-line react-hooks/exhaustive-deps

  return { job, state, error, stopped, again: () => setRound((n) => n + 1) };
}
