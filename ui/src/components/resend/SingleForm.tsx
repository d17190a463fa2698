// One resend request: the operation's fields, its documented limit, Preview and Resend.
import { useTranslation } from "../../i18n";
import type { AccountView, BudgetStatus, OperationDescriptor } from "../../api";
import type { FormValues } from "../../lib/params";
import { BudgetLine } from "../bulk/BudgetLine";
import { OpForm } from "../OpForm";
import { useNow } from "../../hooks/useNow";
import { formatDuration } from "../../lib/duration";
import { shortcutProps } from "../../lib/shortcuts";

export function SingleForm(props: {
  op: OperationDescriptor;
  values: FormValues;
  errors: Record<string, string>;
  budget: BudgetStatus | null;
  onChange: (v: FormValues) => void;
  onPreview: () => void;
  onResend: () => void;
  receiverUrl?: string | null;
  account?: AccountView | null;
}) {
  const { t } = useTranslation();
  const { op } = props;
  const now = useNow();
  // The budget's countdown: the request can be confirmed now and sent (or queued) when allowed.
  const b = props.budget;
  const wait = b?.limited ? Math.ceil((b.next_allowed_at_ms - Math.max(now, Date.now())) / 1000) : 0;
  return (
    <>
      <OpForm fields={op.fields} values={props.values} errors={props.errors} onChange={props.onChange} receiverUrl={props.receiverUrl} account={props.account} />
      {op.rate_limit_key && (
        <div className="meta" data-testid="rate-limit">
          {t("resend.rate_limit", { note: t(op.rate_limit_key) })}
        </div>
      )}
      <div className="row actions">
        <button type="button" className="btn" onClick={props.onPreview} data-testid="resend-preview">
          {t("resend.preview")}
        </button>
        <button type="button" className="btn primary" onClick={props.onResend} data-testid="resend-go" data-wait={wait > 0 ? wait : undefined} {...shortcutProps(t, "main")}>
          {wait > 0 ? t("resend.resend_wait", { time: formatDuration(t, wait) }) : t("resend.resend")}
        </button>
        <BudgetLine status={props.budget} />
      </div>
    </>
  );
}
