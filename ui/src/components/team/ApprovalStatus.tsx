// An approval request's status as a pill (the Approvals screen, and Resend's panel for a held resend).
import { useTranslation } from "../../i18n";

/** The request's status as a pill. */
export function ApprovalStatus({ status }: { status: string }) {
  const { t } = useTranslation();
  const tone = status === "approved" || status === "executed" ? "ok" : status === "pending" ? "pending" : "failed";
  return (
    <span className={`pill outcome-${tone}`} data-testid="approval-status" data-status={status}>
      {t(`approvals.status.${status}`)}
    </span>
  );
}
