// The team workspace's bulk jobs on shared accounts, whoever runs them: each with its runner and its
// progress, read again when the app's look at the team database says they changed. Nothing when solo.
import { useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type ProviderDescriptor, type TeamJob } from "../../api";
import { operationOf } from "../../lib/descriptors";

export function TeamJobsSection(props: { descriptors: ProviderDescriptor[] }) {
  const [jobs, setJobs] = useState<TeamJob[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .teamJobs()
        .then((j) => live && setJobs(j))
        // Offline: the last list stays (the team screen says why).
        .catch(() => {});
    void load();
    let unlisten: (() => void) | undefined;
    void api
      .onTeamJobsChanged(() => void load())
      .then((u) => (live ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      live = false;
      // The listener goes with the window too: a failure to remove it early changes nothing.
      void Promise.resolve(unlisten?.()).catch(() => undefined);
    };
  }, []);
  return <TeamJobsPanel jobs={jobs} descriptors={props.descriptors} />;
}

/** The team's jobs with their runner and progress. */
export function TeamJobsPanel(props: { jobs: TeamJob[]; descriptors: ProviderDescriptor[] }) {
  const { t, i18n } = useTranslation();
  if (!props.jobs.length) return null;
  const nf = new Intl.NumberFormat(i18n.language);
  return (
    <section className="card wide-card" data-testid="team-jobs-panel">
      <div className="card-head">
        <h2 className="card-title">{t("bulk.team_jobs_title")}</h2>
      </div>
      <p className="field-help">{t("bulk.team_jobs_help")}</p>
      <div className="jobs-list">
        {props.jobs.map((j) => {
          const op = operationOf(props.descriptors, j.provider, j.operation);
          const pct = j.total ? Math.round((j.done / j.total) * 100) : 100;
          return (
            <div className="job-card" key={j.id} data-testid={`team-job-${j.id}`}>
              <div className="row">
                <strong>{op ? t(op.label_key) : j.operation}</strong>
                <span>{j.account}</span>
                <span className="badge">{t(`bulk.team_job_state.${j.state}`)}</span>
              </div>
              {j.runner && (
                <p className="field-help" data-testid="team-job-runner">
                  {t(j.leased ? "bulk.team_job_runner" : "bulk.team_job_last_runner", { member: j.runner })}
                </p>
              )}
              <progress max={100} value={pct} aria-label={t("bulk.team_jobs_title")} />
              <p data-testid="team-job-progress">
                {t("bulk.team_job_progress", {
                  done: nf.format(j.done),
                  total: nf.format(j.total),
                  ok: nf.format(j.ok),
                  failed: nf.format(j.failed),
                  unknown: nf.format(j.unknown),
                })}
                {j.in_flight !== null && j.leased && ` · ${t("bulk.team_job_in_flight", { n: nf.format(j.in_flight + 1) })}`}
              </p>
            </div>
          );
        })}
      </div>
    </section>
  );
}
