// The Approvals screen (team workspaces): the resends the team's rules hold for a second person. Approvers
// approve or reject (with a reason) other members' requests; the requester runs an approved one, once, and
// sees its result as on Resend.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import { api, asCoreError, type ActionResult, type ApprovalItem, type ApprovalsView, type CoreError } from "../api";
import { EmptyState } from "../components/EmptyState";
import { EnvPill } from "../components/EnvBadge";
import { ErrorBox } from "../components/ErrorBox";
import { Modal } from "../components/Modal";
import { ApprovalStatus } from "../components/team/ApprovalStatus";
import { ResultPanel } from "../components/ResultPanel";
import { useWorkspace } from "../hooks/useWorkspace";
import { useToast } from "../hooks/useToast";
import { shownLabel } from "../lib/account";
import { describeJob, describeParams, jobPlanOf } from "../lib/describe";
import { operationOf, providerName } from "../lib/descriptors";
import { formatLocal } from "../lib/time";
import { formatDuration } from "../lib/duration";
import { useNow } from "../hooks/useNow";
import type { Environment } from "../bindings/Environment";

/**
 * Sends one's own approved request. After the account's budget held it back (`budget.wait`: nothing was
 * sent, the approval stands), it says when the request may go, and is offered again then.
 */
function SendNow(props: { allowedAtMs: number | undefined; disabled: boolean; onSend: () => void }) {
  const { t } = useTranslation();
  const now = useNow();
  const wait = props.allowedAtMs === undefined ? 0 : Math.ceil((props.allowedAtMs - Math.max(now, Date.now())) / 1000);
  return (
    <button
      type="button"
      className="btn small primary"
      disabled={props.disabled || wait > 0}
      onClick={props.onSend}
      data-testid="approval-run"
      data-wait={wait > 0 ? wait : undefined}
    >
      {wait > 0 ? t("confirm.possible_in", { time: formatDuration(t, wait) }) : t("approvals.run")}
    </button>
  );
}

/** Rejecting asks why: the requester reads it. */
function RejectDialog(props: { id: number; busy: boolean; onReject: (reason: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const submit = () => (reason.trim() ? props.onReject(reason.trim()) : setMissing(true));
  return (
    <Modal title={t("approvals.reject_title", { id: props.id })} tone="danger" onClose={props.onCancel} testId="approval-reject-dialog">
      <label className="field">
        <span className="field-label">{t("approvals.reject_reason")}</span>
        <textarea
          rows={3}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            setMissing(false);
          }}
          aria-invalid={missing}
          data-testid="approval-reject-reason"
        />
        {missing && <span className="field-error" data-testid="approval-reason-missing">{t("approvals.reason_required")}</span>}
      </label>
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="approval-reject-cancel">
          {t("common.cancel")}
        </button>
        <button type="button" className="btn danger" disabled={props.busy} onClick={submit} data-testid="approval-reject-confirm">
          {t("approvals.reject")}
        </button>
      </div>
    </Modal>
  );
}

export function ApprovalsScreen(props: {
  onSeeHistory: (id: number) => void;
  /** Tells the app how many requests wait for this member now. */
  onWaiting?: (n: number) => void;
  /** A request to show first (a notification's). */
  focus?: number | null;
}) {
  const { t, i18n } = useTranslation();
  const { descriptors } = useWorkspace();
  const [view, setView] = useState<ApprovalsView | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [rejecting, setRejecting] = useState<number | null>(null);
  const [ran, setRan] = useState<{ item: ApprovalItem; result: ActionResult } | null>(null);
  /** When the account's budget lets each request held back by it go (Unix ms), by request id. */
  const [allowedAt, setAllowedAt] = useState<Record<number, number>>({});
  const toast = useToast();
  const { onWaiting } = props;

  const load = useCallback(async () => {
    try {
      const v = await api.approvalsList();
      setView(v);
      onWaiting?.(v.waiting_for_me);
    } catch (e) {
      setError(asCoreError(e));
    }
  }, [onWaiting]);
  useEffect(() => {
    void load();
    let unlisten: (() => void) | undefined;
    let alive = true;
    void api
      .onApprovalsChanged(() => void load())
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, [load]);

  const act = async (id: number, what: () => Promise<unknown>, done?: string) => {
    setBusy(id);
    setError(null);
    try {
      await what();
      if (done) toast({ testId: "approval-done", message: () => t(done, { id }) });
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(null);
      await load();
    }
  };
  const run = (item: ApprovalItem) =>
    act(item.id, async () => {
      try {
        const result = await api.runApproved(item.id);
        setRan({ item, result });
      } catch (e) {
        const { code, params } = asCoreError(e);
        const at = params.next_allowed_at_ms;
        if (code === "budget.wait" && typeof at === "number") setAllowedAt((w) => ({ ...w, [item.id]: at }));
        throw e;
      }
    });

  if (!view && !error) return <p className="screen-subtitle">{t("common.loading")}</p>;
  const items = view?.items ?? [];
  const ranOp = ran ? operationOf(descriptors, ran.item.provider, ran.item.operation) : undefined;
  return (
    <>
      <p className="screen-subtitle">{t("screens.approvals.subtitle")}</p>
      {error && <ErrorBox error={error} testId="approvals-error" />}
      {ran && ranOp && (
        <>
          <h2 className="card-title flush">{t("approvals.result_title", { id: ran.item.id })}</h2>
          <ResultPanel op={ranOp} result={ran.result} onSeeHistory={props.onSeeHistory} testId="approval-result" />
        </>
      )}
      {view && items.length === 0 ? (
        <EmptyState icon="check" title={t("approvals.empty_title")} body={t("approvals.empty_body")} testId="approvals-empty" />
      ) : (
        <section className="card full-card table-card">
          <div className="table-wrap">
            <table className="table approvals-table" data-testid="approvals-table" aria-label={t("screens.approvals.title")}>
              <thead>
                <tr>
                  <th>{t("approvals.col.request")}</th>
                  <th>{t("approvals.col.requested_by")}</th>
                  <th>{t("work.account")}</th>
                  <th>{t("approvals.col.what")}</th>
                  <th>{t("approvals.col.when")}</th>
                  <th>{t("approvals.col.status")}</th>
                  <th>
                    <span className="sr-only">{t("approvals.col.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => {
                  const op = operationOf(descriptors, a.provider, a.operation);
                  const mine = a.requested_by === view?.me;
                  const canDecide = !!view?.can_decide && !mine && a.status === "pending";
                  // My request about an account edited since: the approval no longer covers it.
                  const stale = a.account_changed;
                  const job = jobPlanOf(a.params);
                  const scope = !op ? [] : job ? describeJob(t, i18n.language, op.fields, job) : describeParams(t, i18n.language, op.fields, a.params);
                  return (
                    <tr
                      key={a.id}
                      data-testid="approval-row"
                      data-id={a.id}
                      data-status={a.status}
                      className={props.focus === a.id ? "selected" : undefined}
                    >
                      <td className="nowrap">#{a.id}</td>
                      <td className="nowrap">
                        <span className="cell-main">{a.requested_by}</span>
                        {mine && <span className="cell-sub">{t("approvals.yours")}</span>}
                      </td>
                      <td>
                        <span className="cell-main">{shownLabel(a.account_label)}</span>
                        <EnvPill environment={a.environment as Environment} />
                      </td>
                      <td>
                        <span className="cell-main">{op ? t(op.label_key) : a.operation}</span>
                        <span className="cell-sub">{providerName(descriptors, a.provider)}</span>
                        {scope.map((s) => (
                          <span className="cell-sub" key={s}>
                            {s}
                          </span>
                        ))}
                      </td>
                      <td className="approval-when">
                        <span className="cell-main">{formatLocal(a.requested_at_ms, i18n.language)}</span>
                        <span className="cell-sub">
                          {a.status === "pending" || a.status === "approved"
                            ? t("approvals.expires", { time: formatLocal(a.expires_at_ms, i18n.language) })
                            : a.executed_at_ms
                              ? t("approvals.sent_at", { time: formatLocal(a.executed_at_ms, i18n.language) })
                              : ""}
                        </span>
                      </td>
                      <td>
                        <ApprovalStatus status={stale ? "account_changed" : a.status} />
                        {a.decided_by && (
                          <span className="cell-sub" data-testid="approval-decided-by">
                            {t(a.status === "rejected" ? "approvals.rejected_by" : "approvals.approved_by", { member: a.decided_by })}
                          </span>
                        )}
                        {a.reason && (
                          <span className="cell-sub" data-testid="approval-reason">
                            {t("approvals.rejected_because", { reason: a.reason })}
                          </span>
                        )}
                      </td>
                      <td className="approval-actions">
                        {canDecide && (
                          <div className="row">
                            <button
                              type="button"
                              className="btn small primary"
                              disabled={busy !== null}
                              onClick={() => void act(a.id, () => api.approveRequest(a.id), "approvals.approved_toast")}
                              data-testid="approval-approve"
                            >
                              {t("approvals.approve")}
                            </button>
                            <button
                              type="button"
                              className="btn small danger-outline"
                              disabled={busy !== null}
                              onClick={() => setRejecting(a.id)}
                              data-testid="approval-reject"
                            >
                              {t("approvals.reject")}
                            </button>
                          </div>
                        )}
                        {stale && (
                          <span className="cell-sub" data-testid="approval-account-changed">
                            {t("approvals.account_changed")}
                          </span>
                        )}
                        {mine && a.status === "approved" && !stale && job && (
                          <span className="cell-sub" data-testid="approval-resume-job">
                            {t("approvals.resume_job")}
                          </span>
                        )}
                        {mine && a.status === "approved" && !stale && !job && (
                          <SendNow allowedAtMs={allowedAt[a.id]} disabled={busy !== null} onSend={() => void run(a)} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {rejecting !== null && (
        <RejectDialog
          id={rejecting}
          busy={busy !== null}
          onCancel={() => setRejecting(null)}
          onReject={(reason) => {
            const id = rejecting;
            setRejecting(null);
            void act(id, () => api.rejectRequest(id, reason), "approvals.rejected_toast");
          }}
        />
      )}
    </>
  );
}
