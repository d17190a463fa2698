// A look-up running as a job: how far it is, with Cancel; its results follow when it stops.
import { useTranslation } from "../../i18n";
import type { JobLive } from "../../hooks/useJobs";
import { JobTiming } from "../bulk/JobTiming";

export function LookupJobProgress(props: { job: JobLive | undefined; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const { job } = props;
  return (
    <section className="card full-card" data-testid="query-results" data-outcome="running">
      <div className="card-head">
        <h2 className="card-title flush" data-testid="query-job-progress">
          {job ? t("query.job_running", { done: nf.format(job.next_index), total: nf.format(job.total) }) : t("query.job_starting")}
        </h2>
        {job && job.state === "running" && job.runner_pid === null && (
          <button type="button" className="btn small danger-outline" onClick={props.onCancel} data-testid="query-job-cancel">
            {t("bulk.cancel")}
          </button>
        )}
      </div>
      {job && (
        <div className="progress" role="progressbar" aria-label={t("query.job_running", { done: nf.format(job.next_index), total: nf.format(job.total) })} aria-valuemin={0} aria-valuemax={job.total} aria-valuenow={job.next_index}>
          <div className="progress-fill" style={{ width: `${job.total ? Math.round((job.next_index / job.total) * 100) : 0}%` }} />
        </div>
      )}
      {job && job.state === "running" && job.runner_pid === null && <JobTiming job={job} />}
      <p className="field-help">{t("query.job_help")}</p>
    </section>
  );
}
