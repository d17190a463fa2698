// A bulk resend: the fields the job still asks for, the bulk fields, and "Show the plan…".
import { useTranslation } from "../../i18n";
import { shortcutProps } from "../../lib/shortcuts";
import type { AccountView, BudgetStatus, OperationDescriptor } from "../../api";
import { bulkFormFields, type BulkValues } from "../../lib/bulk";
import type { FormValues } from "../../lib/params";
import { BudgetLine } from "../bulk/BudgetLine";
import { BulkFields, type BulkUpdate } from "../bulk/BulkFields";
import { OpForm } from "../OpForm";

export function BulkForm(props: {
  op: OperationDescriptor;
  values: FormValues;
  errors: Record<string, string>;
  onChange: (v: FormValues) => void;
  bulk: BulkValues;
  onBulkChange: (update: BulkUpdate) => void;
  providerName: string;
  /** What is wrong with the bulk values (a translation key). */
  hint: string | null;
  budget: BudgetStatus | null;
  onPlan: () => void;
  account?: AccountView | null;
}) {
  const { t } = useTranslation();
  return (
    <>
      <OpForm fields={bulkFormFields(props.op)} values={props.values} errors={props.errors} onChange={props.onChange} account={props.account} />
      <BulkFields op={props.op} providerName={props.providerName} values={props.bulk} onChange={props.onBulkChange} />
      {props.hint && (
        <div className="error-box" role="alert" data-testid="bulk-error">
          <div className="error-message">{t(props.hint)}</div>
        </div>
      )}
      <div className="row actions">
        <button type="button" className="btn primary" onClick={props.onPlan} data-testid="bulk-plan" {...shortcutProps(t, "main")}>
          {t("bulk.plan")}
        </button>
        <BudgetLine status={props.budget} />
      </div>
    </>
  );
}
