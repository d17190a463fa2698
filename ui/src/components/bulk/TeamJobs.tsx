// The team workspace's bulk jobs on shared accounts, whoever runs them: each with its runner and its
// progress, read again when the app's look at the team database says they changed. A job whose runner's
// app stopped (no live lease) offers "Take over", which asks first. Nothing when solo.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type ProviderDescriptor, type TeamJob } from "../../api";
import { operationOf } from "../../lib/descriptors";
import { useAttempt } from "../../hooks/useAttempt";
import { ErrorBox } from "../ErrorBox";
import { Modal } from "../Modal";

export function TeamJobsSection(props: { descriptors: ProviderDescriptor[] }) {
  const [jobs, setJobs] = useState<TeamJob[]>([]);
  const [reads, setReads] = useState(0);
  const reload = useCallback(() => setReads((n) => n + 1), []);
  // Read at first, when the app says they changed, and after a take-over (a newer read wins).
  useEffect(() => {
    let live = true;
    void api
      .teamJobs()
      .then((j) => live && setJobs(j))
      // Offline: the last list stays (the team screen says why).
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [reads]);
  useEffect(() => {
    let live = true;
    let unlisten: (() => void) | undefined;
    void api
      .onTeamJobsChanged(reload)
      .then((u) => (live ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      live = false;
      // The listener goes with the window too: a failure to remove it early changes nothing.
      void Promise.resolve(unlisten?.()).catch(() => undefined);
    };
  }, [reload]);
  const [asking, setAsking] = useState<TeamJob | null>(null);
  return (
    <>
      <TeamJobsPanel jobs={jobs} descriptors={props.descriptors} onTakeOver={setAsking} />
      {asking && (
        <TakeOverDialog
          job={asking}
          onClose={() => setAsking(null)}
          onTaken={() => {
            setAsking(null);
            reload();
          }}
        />
      )}
    </>
  );
}

/** What taking a job over does, said before it is done: the call in flight stays unknown, the rest is sent from here. */
function TakeOverDialog(props: { job: TeamJob; onClose: () => void; onTaken: () => void }) {
  const { t, i18n } = useTranslation();
  const { busy, error, attempt } = useAttempt();
  const nf = new Intl.NumberFormat(i18n.language);
  const j = props.job;
  const member = j.runner ?? j.created_by;
  const left = j.total - j.done - (j.in_flight !== null ? 1 : 0);
  const take = () =>
    attempt(async () => {
      await api.teamTakeOverJob(j.id);
      props.onTaken();
    });
  return (
    <Modal title={t("bulk.team_job_take_over_title", { member })} onClose={props.onClose} testId="team-take-over-dialog" tone="danger">
      <p>{t("bulk.team_job_take_over_stopped", { member })}</p>
      <div className={j.in_flight !== null ? "warning" : "info-note"} data-testid="team-take-over-in-flight">
        {j.in_flight !== null
          ? t("bulk.team_job_take_over_in_flight", { n: nf.format(j.in_flight + 1) })
          : t("bulk.team_job_take_over_none_in_flight")}
      </div>
      <p data-testid="team-take-over-rest">{t("bulk.team_job_take_over_rest", { count: left, n: nf.format(left) })}</p>
      {error && <ErrorBox error={error} testId="team-take-over-error" />}
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={props.onClose} data-testid="team-take-over-cancel">
          {t("common.cancel")}
        </button>
        <button type="button" className="btn danger" disabled={busy} onClick={() => void take()} data-testid="team-take-over-confirm">
          {t("bulk.team_job_take_over_confirm")}
        </button>
      </div>
    </Modal>
  );
}

/** The team's jobs with their runner and progress; "Take over" on those whose runner's app stopped. */
export function TeamJobsPanel(props: { jobs: TeamJob[]; descriptors: ProviderDescriptor[]; onTakeOver?: (job: TeamJob) => void }) {
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
              {j.takeable && j.local_job_id !== null && (
                <p className="field-help" data-testid="team-job-yours">{t("bulk.team_job_yours")}</p>
              )}
              {j.takeable && j.local_job_id === null && props.onTakeOver && (
                <div className="row actions">
                  <button type="button" className="btn primary" onClick={() => props.onTakeOver?.(j)} data-testid="team-job-take-over">
                    {t("bulk.team_job_take_over")}
                  </button>
                </div>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}
