// Resend's answer when the team's rules hold a resend for a second person: "Waiting for approval #N" (neither
// an error nor a result), then what became of the request (approved, rejected with its reason, sent,
// expired, or no longer valid because its account was edited since) as the team database says, with the way
// to the Approvals screen.
import { useEffect, useState } from "react";
import { useTranslation } from "../../i18n";
import { api, type ApprovalItem } from "../../api";
import { ApprovalStatus } from "../team/ApprovalStatus";

export function AwaitingApproval({ id, onOpenApprovals }: { id: number; onOpenApprovals?: () => void }) {
  const { t } = useTranslation();
  const [item, setItem] = useState<ApprovalItem | null>(null);
  useEffect(() => {
    let alive = true;
    const look = () =>
      api
        .approvalsList()
        .then((v) => alive && setItem(v.items.find((a) => a.id === id) ?? null))
        .catch(() => undefined);
    void look();
    // The app looks at the workspace every 10 s and says so (an edit of the account voids the request too).
    let unlisten: (() => void) | undefined;
    void api
      .onApprovalsChanged(() => void look())
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, [id]);
  // Pending or approved but about an account edited since: it can no longer be sent.
  const status = item?.account_changed ? "account_changed" : (item?.status ?? "pending");
  return (
    <section className="card awaiting-approval" data-testid="resend-awaiting" data-approval-id={id} data-status={status} role="status">
      <h2 className="card-title">
        {status === "pending" ? t("resend.awaiting_title", { id }) : t("resend.request_title", { id })}{" "}
        {status !== "pending" && <ApprovalStatus status={status} />}
      </h2>
      <p>{t(`resend.awaiting_${status}`, { member: item?.decided_by ?? "", reason: item?.reason ?? "" })}</p>
      {onOpenApprovals && (
        <div className="row">
          <button type="button" className="btn primary" onClick={onOpenApprovals} data-testid="resend-open-approvals">
            {t("resend.open_approvals")}
          </button>
        </div>
      )}
    </section>
  );
}
