// The plan of a bulk job, shown before anything is sent: how many calls, how long, over how many days.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AccountView, OperationDescriptor, Plan } from "../../api";
import { accountTitle } from "../../lib/account";
import { formatDuration } from "../../lib/duration";
import { EnvPill } from "../EnvBadge";
import { Modal } from "../Modal";

export function PlanDialog(props: {
  account: AccountView;
  providerName: string;
  op: OperationDescriptor;
  plan: Plan;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [ticked, setTicked] = useState(false);
  const production = props.account.environment === "production";
  const [typed, setTyped] = useState("");
  const ok = ticked && (!production || typed.trim() === props.account.label);
  const { plan } = props;
  const note = plan.note ? t(plan.note) : null;
  return (
    <Modal title={t("bulk.plan_title")} onClose={props.onCancel} testId="plan-dialog" tone="danger">
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="plan-account">{accountTitle(props.account, props.providerName)}</dd>
        <dt>{t("env.label")}</dt>
        <dd><EnvPill environment={props.account.environment} /></dd>
        <dt>{t("work.operation")}</dt>
        <dd>{t(props.op.label_key)}</dd>
      </dl>
      <div className="plan-numbers">
        <div className="plan-number" data-testid="plan-calls">
          <span className="plan-value">{plan.calls.length}</span>
          <span className="plan-label">{t("bulk.plan_calls")}</span>
        </div>
        <div className="plan-number" data-testid="plan-duration">
          <span className="plan-value">{plan.estimated_seconds > 0 ? formatDuration(t, plan.estimated_seconds) : t("bulk.right_away")}</span>
          <span className="plan-label">{t("bulk.plan_duration")}</span>
        </div>
        <div className="plan-number" data-testid="plan-days">
          <span className="plan-value">{plan.days}</span>
          <span className="plan-label">{t("bulk.plan_days")}</span>
        </div>
      </div>
      {plan.days > 1 && <div className="warning" data-testid="plan-days-warning">{t("bulk.plan_days_warning", { days: plan.days })}</div>}
      {note && <div className="info-note" data-testid="plan-note">{note}</div>}
      <div className="warning">{t("bulk.plan_background")}</div>
      <div className="warning" data-testid="confirm-duplicates">{t("confirm.duplicates")}</div>
      <label className="check">
        <input type="checkbox" checked={ticked} data-testid="plan-tick" onChange={(e) => setTicked(e.target.checked)} />
        <span>{t("bulk.plan_tick", { n: plan.calls.length })}</span>
      </label>
      {production && (
        <label className="field wide">
          <span className="field-label">{t("confirm.type_name", { label: props.account.label })}</span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="plan-type-name" />
        </label>
      )}
      <div className="row actions modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="plan-cancel">{t("common.cancel")}</button>
        <button type="button" className="btn danger" disabled={!ok || props.busy || plan.calls.length === 0} onClick={props.onConfirm} data-testid="plan-start">
          {props.busy ? t("bulk.starting") : t("bulk.start", { n: plan.calls.length })}
        </button>
      </div>
    </Modal>
  );
}
