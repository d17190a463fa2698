// A running job's time left, re-worked at each report and counting down every second between them, and
// while it is paced, until when it waits for the provider's budget.
import { useTranslation } from "../../i18n";
import type { JobLive } from "../../hooks/useJobs";
import { useNow } from "../../hooks/useNow";
import { formatDuration } from "../../lib/duration";
import { estimateEta } from "../../lib/eta";
import { formatClock, formatMinute, sameDay } from "../../lib/time";

export function JobTiming({ job }: { job: JobLive }) {
  const { t, i18n } = useTranslation();
  const now = Math.max(useNow(), Date.now());
  const eta = estimateEta(
    {
      total: job.total,
      done: job.next_index,
      budgetSeconds: job.eta_seconds,
      estimatedAtMs: job.estimated_at_ms,
      waitingUntilMs: job.waiting_until_ms,
      paceFrom: job.pace_from,
      lastDoneAtMs: job.last_done_at_ms,
    },
    now,
  );
  const waiting = eta.waitingUntilMs;
  return (
    <div className="job-timing">
      {waiting !== null && (
        <span data-testid="job-waiting">
          {t("bulk.waiting_until", {
            // The time of day (with its seconds when it has some), and the date when it is not today.
            until: sameDay(waiting, now) ? formatClock(waiting, i18n.language) : formatMinute(waiting, i18n.language),
            time: formatDuration(t, Math.ceil((waiting - now) / 1000)),
          })}
        </span>
      )}
      {eta.secondsLeft !== null && (
        <span data-testid="job-eta">{eta.secondsLeft > 0 ? t("bulk.eta", { time: formatDuration(t, eta.secondsLeft) }) : t("bulk.eta_finishing")}</span>
      )}
    </div>
  );
}
