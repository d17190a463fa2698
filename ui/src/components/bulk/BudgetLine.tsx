// The account's budget for an operation: calls left today and when the next one may go.
import { useTranslation } from "../../i18n";
import type { BudgetStatus } from "../../api";
import { useNow } from "../../hooks/useNow";
import { formatDuration } from "../../lib/duration";

export function BudgetLine(props: { status: BudgetStatus | null }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const now = useNow();
  const s = props.status;
  if (!s || !s.limited) return null;
  // The core and this window read the same machine's clock.
  const wait = Math.ceil((s.next_allowed_at_ms - Math.max(now, Date.now())) / 1000);
  return (
    <div className="budget-line" data-testid="budget">
      {s.remaining_today !== null && (
        <span className="budget-item" data-testid="budget-left">{t("bulk.budget_left", { left: nf.format(s.remaining_today), total: nf.format(s.per_day ?? 0) })}</span>
      )}
      <span className="budget-item" data-testid="budget-next">
        {wait > 0 ? t("bulk.budget_next_in", { time: formatDuration(t, wait) }) : t("bulk.budget_next_now")}
      </span>
    </div>
  );
}
