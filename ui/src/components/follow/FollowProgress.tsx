// The progress of a job a resend started at the provider: its state in words, how many of how many are
// done, and "Check again" when looking stopped (an error, or the job is still running after many looks).
import { useTranslation } from "../../i18n";
import type { FollowShape } from "../../bindings/FollowShape";
import { useFollow } from "../../hooks/useFollow";
import { ErrorBox } from "../ErrorBox";

export function FollowProgress(props: { accountId: number; follow: FollowShape; result: unknown }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const { job, state, error, stopped, again } = useFollow(props.accountId, props.follow, props.result);
  if (job === null) return null;
  const { follow } = props;
  const pct = state?.total ? Math.min(100, Math.round(((state.done ?? 0) / state.total) * 100)) : 0;
  const tone = !state?.finished ? "" : state.failed ? " job-failed" : " job-done";
  return (
    <div className={`follow${tone}`} data-testid="follow-panel" data-state={state?.state ?? ""} data-finished={state?.finished ? "true" : "false"}>
      <div className="row">
        <strong>{t("follow.title", { job })}</strong>
        <span className="spacer" />
        {state && (
          <span className="pill" data-testid="follow-state">
            {t(`${follow.state_prefix}.${state.state || "unknown"}`)}
          </span>
        )}
      </div>
      <div className="progress" role="progressbar" aria-label={t("follow.title", { job })} aria-valuemin={0} aria-valuemax={state?.total ?? 0} aria-valuenow={state?.done ?? 0}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="field-help" data-testid="follow-progress">
        {!state
          ? t("follow.looking")
          : state.total !== null
            ? t("follow.progress", { done: nf.format(state.done ?? 0), total: nf.format(state.total) })
            : t("follow.no_numbers")}
        {state?.finished && ` ${t(state.failed ? "follow.failed" : "follow.finished")}`}
        {state && !state.finished && !stopped && ` ${t("follow.every", { n: follow.every_seconds })}`}
      </p>
      {error && <ErrorBox error={error} compact testId="follow-error" />}
      {stopped && (
        <button type="button" className="btn small" onClick={again} data-testid="follow-again">
          {t("follow.again")}
        </button>
      )}
    </div>
  );
}
