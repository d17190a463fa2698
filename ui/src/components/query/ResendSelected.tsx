// Resending the selected rows of a look-up together: "select all whose delivery failed" (when the provider's
// look-ups say so), then one paced bulk job per resend operation the rows name (LookupShape.resend), each
// planned and confirmed like any bulk resend before anything is sent.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type AccountView, type CoreError, type LookupShape, type Plan, type PlanRequest, type ProviderDescriptor } from "../../api";
import { operationOf, providerName } from "../../lib/descriptors";
import { deliveryOf, resendGroups, type LookupRow, type ResendGroup } from "../../lib/lookup";
import { PlanDialog } from "../bulk/PlanDialog";
import { ErrorBox } from "../ErrorBox";

/** The plan request of one group: its operation's bulk list of ids, nothing else. */
export function groupRequest(accountId: number, g: ResendGroup): PlanRequest {
  return { account_id: accountId, operation: g.op.name, params: { [g.op.bulk!.ids!.field]: g.ids }, since: null, until: null, calls: null };
}

export function ResendSelected(props: {
  shape: LookupShape;
  rows: LookupRow[];
  selected: number[];
  onSelect: (selected: number[]) => void;
  account: AccountView | undefined;
  descriptors: ProviderDescriptor[];
  /** Called once every group's job started (with how many). */
  onStarted: (jobs: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const { shape, rows, selected, account } = props;
  const [step, setStep] = useState<null | { groups: ResendGroup[]; at: number; request: PlanRequest; plan: Plan }>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CoreError | null>(null);
  if (!shape.resend || !account) return null;
  const op = (name: string) => operationOf(props.descriptors, account.provider, name, account);
  const { groups } = resendGroups(shape, rows, selected, op);
  const failed = shape.delivery?.kind === "reported" ? rows.map((r, i) => (deliveryOf(shape, r) === "failed" ? i : -1)).filter((i) => i >= 0) : [];
  const count = groups.reduce((n, g) => n + g.ids.length, 0);

  const plan = async (gs: ResendGroup[], at: number) => {
    setError(null);
    try {
      const request = groupRequest(account.id, gs[at]);
      setStep({ groups: gs, at, request, plan: await api.planJob(request) });
    } catch (e) {
      setStep(null);
      setError(asCoreError(e));
    }
  };
  const start = async () => {
    if (!step) return;
    setBusy(true);
    setError(null);
    try {
      await api.startJob(step.request);
      if (step.at + 1 < step.groups.length) await plan(step.groups, step.at + 1);
      else {
        setStep(null);
        props.onSelect([]);
        props.onStarted(step.groups.length);
      }
    } catch (e) {
      setError(asCoreError(e));
      setStep(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="selection-bar" data-testid="query-selection">
      <span className="meta" data-testid="query-selected-count">{t("query.selected", { count: selected.length, n: nf.format(selected.length) })}</span>
      {failed.length > 0 && (
        <button type="button" className="btn small" onClick={() => props.onSelect(failed)} data-testid="query-select-failed">
          {t("query.select_failed")}
        </button>
      )}
      {selected.length > 0 && (
        <button type="button" className="btn small" onClick={() => props.onSelect([])} data-testid="query-clear-selection">
          {t("query.clear_selection")}
        </button>
      )}
      <button type="button" className="btn primary small" disabled={count === 0 || busy} onClick={() => plan(groups, 0)} data-testid="query-resend-selected">
        {count === 0 ? t("query.resend_selected_none") : t("query.resend_selected", { count, n: nf.format(count) })}
      </button>
      {groups.length > 1 && (
        <p className="field-help" data-testid="query-resend-groups">
          {t("query.resend_groups", { n: groups.length, ops: groups.map((g) => t(g.op.label_key)).join(", ") })}
        </p>
      )}
      {error && <ErrorBox error={error} compact testId="query-resend-error" />}
      {step && (
        <PlanDialog
          key={step.at}
          account={account}
          providerName={providerName(props.descriptors, account.provider)}
          op={step.groups[step.at].op}
          request={step.request}
          plan={step.plan}
          busy={busy}
          onConfirm={start}
          onCancel={() => setStep(null)}
        />
      )}
    </div>
  );
}
