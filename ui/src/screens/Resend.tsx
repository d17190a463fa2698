// The Resend screen: pick an account and one of its resend operations, then send one request (preview,
// confirm, result) or plan a bulk job. Everything provider-specific comes from the descriptors.
import { useTranslation } from "../i18n";
import { AccountPicker } from "../components/AccountPicker";
import { ErrorBox } from "../components/ErrorBox";
import { ConfirmResend } from "../components/ConfirmResend";
import { CopySecretsDialog } from "../components/CopySecrets";
import { ResultPanel } from "../components/ResultPanel";
import { JobsSection } from "../components/bulk/JobsPanel";
import { PlanDialog } from "../components/bulk/PlanDialog";
import { RetryFix } from "../components/bulk/RetryFix";
import { AwaitingApproval } from "../components/resend/AwaitingApproval";
import { BulkForm } from "../components/resend/BulkForm";
import { ModeChoice } from "../components/resend/ModeChoice";
import { NoAccounts } from "../components/resend/NoAccounts";
import { OperationChoice } from "../components/resend/OperationChoice";
import { PreviewPanel } from "../components/resend/PreviewPanel";
import { ProbeActions } from "../components/resend/ProbeActions";
import { SingleForm } from "../components/resend/SingleForm";
import { useBudget } from "../hooks/useBudget";
import { useReceiverUrl } from "../hooks/useReceiverUrl";
import { useBulkPlan } from "../hooks/useBulkPlan";
import { useCopySecrets } from "../hooks/useCopySecrets";
import { useJobs } from "../hooks/useJobs";
import { useProbe } from "../hooks/useProbe";
import { useResendForm, type ResendIntent } from "../hooks/useResendForm";
import { useScreenAccount, type ScreenAccountProps } from "../hooks/useScreenAccount";
import { useWorkspace } from "../hooks/useWorkspace";
import { strongReasons } from "../lib/confirm";
import { describeParams } from "../lib/describe";
import { descriptorOf, operationOf, probeOps, providerName } from "../lib/descriptors";

export type { ResendIntent } from "../hooks/useResendForm";

export function ResendScreen(props: ScreenAccountProps & {
  intent: ResendIntent | null;
  onGoToAccounts: () => void;
  onSeeHistory: (id: number) => void;
  /** The Sandbox inbox: what the built-in receiver got (after a sandbox resend). */
  onOpenInbox?: () => void;
  /** History filtered to one bulk job. */
  onSeeJob?: (jobId: number) => void;
  /** The Approvals screen (a resend held for approval in a team workspace). */
  onOpenApprovals?: () => void;
}) {
  const { t, i18n } = useTranslation();
  const work = useWorkspace({ preloaded: true });
  const { accounts, descriptors } = work;
  const account = useScreenAccount(accounts, props, (list) => list[0]);
  const form = useResendForm({ accounts, descriptors, account, onAccount: props.onAccount, intent: props.intent });
  const { op } = form;
  // Jobs (including the ones an earlier exit interrupted) and their live progress.
  const { jobs, reload: loadJobs } = useJobs();
  const bulk = useBulkPlan(account, op, form, loadJobs);
  const copy = useCopySecrets(form.setError);
  const probe = useProbe(account);
  const jobsTick = jobs.map((j) => `${j.id}:${j.next_index}:${j.state}`).join(",");
  const receiverUrl = useReceiverUrl(account, op);
  const budget = useBudget(account?.id, op?.name, `${form.result?.history_id ?? ""}|${jobsTick}`);

  if (accounts === null) return <p className="screen-subtitle">{t("common.loading")}</p>;
  if (accounts.length === 0) {
    return <NoAccounts error={work.error} onError={work.setError} onCreated={work.reloadAccounts} onGoToAccounts={props.onGoToAccounts} />;
  }

  const name = account ? providerName(descriptors, account.provider) : "";
  const askCopySecrets = () => {
    const params = form.validate();
    if (!params || !account || !op) return;
    form.setError(null);
    void copy.ask({ account_id: account.id, operation: op.name, params });
  };
  // The plan shown: the form's, or a retry of another account's job (its own account and operation).
  const planAccount = bulk.planning ? accounts.find((a) => a.id === bulk.planning!.request.account_id) : undefined;
  const planOp = bulk.planning && planAccount ? operationOf(descriptors, planAccount.provider, bulk.planning.request.operation, planAccount) : undefined;
  const planned = bulk.planning && planAccount && planOp ? { ...bulk.planning, account: planAccount, op: planOp } : null;
  const strong = form.confirming && account && op ? strongReasons(account, op, form.confirming.params, Date.now()) : null;

  return (
    <>
      <p className="screen-subtitle">{t("screens.resend.subtitle")}</p>
      <div className="work-grid">
        <section className="card wide-card" data-testid="resend-form">
          <AccountPicker accounts={accounts} descriptors={descriptors} value={account?.id ?? null} onChange={form.selectAccount} />
          {account && form.ops.length === 0 && <div className="info-note">{t("resend.no_ops")}</div>}
          <OperationChoice ops={form.ops} op={op} onSelect={form.selectOp} />
          {op?.bulk && account && (
            <ModeChoice
              bulk={op.bulk}
              active={bulk.active}
              onSingle={() => {
                bulk.setMode("single");
                form.setFormErrors({});
                form.setError(null);
              }}
              onBulk={() => {
                bulk.setMode("bulk");
                form.setFormErrors({});
                form.setError(null);
                form.setPreview(null);
                form.setResult(null);
              }}
            />
          )}
          {op && account && bulk.active && (
            <BulkForm
              op={op}
              values={form.values}
              errors={form.formErrors}
              onChange={form.setValues}
              bulk={bulk.values}
              onBulkChange={bulk.setValues}
              providerName={name}
              hint={bulk.hint}
              budget={budget}
              onPlan={bulk.askPlan}
              account={account}
            />
          )}
          {op && account && !bulk.active && (
            <SingleForm
              op={op}
              values={form.values}
              errors={form.formErrors}
              budget={budget}
              onChange={(v) => {
                form.setValues(v);
                form.setPreview(null);
              }}
              receiverUrl={receiverUrl}
              account={account}
              onPreview={form.doPreview}
              onResend={form.askConfirm}
            />
          )}
          {form.error && <ErrorBox error={form.error} testId="resend-error" />}
          {account && <ProbeActions ops={probeOps(descriptorOf(descriptors, account.provider), account)} probe={probe} />}
        </section>

        {probe.done && <ResultPanel op={probe.done.op} result={probe.done.result} onSeeHistory={props.onSeeHistory} testId="probe-result" />}

        {form.preview && <PreviewPanel key={String(form.previewAsked)} open={form.previewAsked} preview={form.preview} onCopySecrets={askCopySecrets} secretsCopied={copy.copied} />}

        {form.awaiting !== null && <AwaitingApproval id={form.awaiting} onOpenApprovals={props.onOpenApprovals} />}

        {form.result && account && op && (
          <ResultPanel
            op={op}
            result={form.result}
            accountId={account.id}
            sandbox={account.environment === "sandbox"}
            onSeeHistory={props.onSeeHistory}
            onOpenInbox={props.onOpenInbox}
          />
        )}

        <JobsSection jobs={jobs} descriptors={descriptors} reload={loadJobs} onSeeHistory={(id) => props.onSeeJob?.(id)} onRetry={bulk.planRetry} />
      </div>

      {planned && (
        <PlanDialog
          account={planned.account}
          providerName={providerName(descriptors, planned.account.provider)}
          op={planned.op}
          request={planned.request}
          plan={planned.plan}
          busy={form.busy}
          title={planned.retry ? t("bulk.retry_title") : undefined}
          onConfirm={bulk.start}
          onCancel={bulk.cancelPlan}
        >
          {planned.retry && (
            <RetryFix op={planned.op} account={planned.account} failures={planned.retry} calls={planned.request.calls ?? []} onFix={bulk.fixRetry} />
          )}
        </PlanDialog>
      )}

      {copy.dialog && account && op && (
        <CopySecretsDialog
          account={account}
          providerName={name}
          op={op}
          clearSeconds={copy.dialog.clearSeconds}
          busy={copy.dialog.busy}
          error={copy.dialog.error}
          onConfirm={copy.confirm}
          onCancel={copy.cancel}
        />
      )}

      {form.confirming && account && op && strong && (
        <ConfirmResend
          account={account}
          providerName={name}
          op={op}
          scope={describeParams(t, i18n.language, op.fields, form.confirming.params)}
          reasons={strong.reasons}
          busy={form.busy}
          nextAllowedAtMs={budget?.limited ? budget.next_allowed_at_ms : null}
          onConfirm={form.run}
          onQueue={() => void form.queue(loadJobs)}
          onCancel={form.cancelConfirm}
        />
      )}
    </>
  );
}
