// The plan of a bulk job, shown before anything is sent: what it covers in words (the window and its time
// zone, the event types or ids), how many requests, how long, over how many provider days.
import { useState, type ReactNode } from "react";
import { useTranslation } from "../../i18n";
import type { AccountView, OperationDescriptor, Plan, PlanRequest } from "../../api";
import { useZone } from "../../hooks/useZone";
import { accountTitle } from "../../lib/account";
import { formatDuration } from "../../lib/duration";
import { describePlan } from "../../lib/planwords";
import { EnvPill } from "../EnvBadge";
import { Modal } from "../Modal";

export function PlanDialog(props: {
  account: AccountView;
  providerName: string;
  op: OperationDescriptor;
  request: PlanRequest;
  plan: Plan;
  busy: boolean;
  /** The dialog's title (a retry of failed calls has its own). */
  title?: string;
  /** Shown above the plan (e.g. why the calls failed and what to change). */
  children?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const zone = useZone();
  const [ticked, setTicked] = useState(false);
  const { plan } = props;
  const n = plan.calls.length;
  const nf = new Intl.NumberFormat(i18n.language);
  const note = plan.note ? t(plan.note) : null;
  const lines = describePlan(t, i18n.language, props.op, props.request, zone);
  return (
    <Modal title={props.title ?? t("bulk.plan_title")} onClose={props.onCancel} testId="plan-dialog" tone="danger" wide>
      {props.children}
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="plan-account">{accountTitle(props.account, props.providerName)}</dd>
        <dt>{t("env.label")}</dt>
        <dd><EnvPill environment={props.account.environment} /></dd>
        <dt>{t("work.operation")}</dt>
        <dd>{t(props.op.label_key)}</dd>
        {lines.map((l) => (
          <PlanFact key={l.id} id={l.id} label={l.label} text={l.text} />
        ))}
      </dl>
      <div className="plan-numbers">
        <div className="plan-number" data-testid="plan-calls">
          <span className="plan-value">{nf.format(n)}</span>
          <span className="plan-label">{t("bulk.plan_calls", { count: n })}</span>
        </div>
        <div className="plan-number" data-testid="plan-duration">
          <span className="plan-value">{plan.estimated_seconds > 0 ? formatDuration(t, plan.estimated_seconds) : t("bulk.right_away")}</span>
          <span className="plan-label">{t("bulk.plan_duration")}</span>
        </div>
        <div className="plan-number" data-testid="plan-days">
          <span className="plan-value">{nf.format(plan.days)}</span>
          <span className="plan-label">{t("bulk.plan_days", { count: plan.days })}</span>
        </div>
      </div>
      {plan.days > 1 && <div className="warning" data-testid="plan-days-warning">{t("bulk.plan_days_warning", { days: nf.format(plan.days) })}</div>}
      {note && <div className="info-note" data-testid="plan-note">{note}</div>}
      <div className="info-note">{t("bulk.plan_background")}</div>
      <div className="warning" data-testid="confirm-duplicates">{t("confirm.duplicates")}</div>
      {props.account.environment === "production" && (
        <div className="danger-note" data-testid="plan-production">{t("confirm.reason.production")}</div>
      )}
      <label className="check">
        <input type="checkbox" checked={ticked} data-testid="plan-tick" onChange={(e) => setTicked(e.target.checked)} />
        <span>{t("bulk.plan_tick", { count: n, n: nf.format(n) })}</span>
      </label>
      <div className="row actions modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="plan-cancel">{t("common.cancel")}</button>
        <button type="button" className="btn danger" disabled={!ticked || props.busy || n === 0} onClick={props.onConfirm} data-testid="plan-start">
          {props.busy ? t("bulk.starting") : t("bulk.start", { count: n, n: nf.format(n) })}
        </button>
      </div>
    </Modal>
  );
}

function PlanFact(props: { id: string; label: string; text: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={`plan-${props.id}`}>{props.text}</dd>
    </>
  );
}
