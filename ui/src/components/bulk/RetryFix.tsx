// Above the plan of a job's failed calls: why they failed, and — when the reason names a field of the
// operation — that field, to correct for every call before they are sent again.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import type { AccountView, CoreError, JobFailures, OperationDescriptor } from "../../api";
import { buildParams, valuesFromParams, type FormValues } from "../../lib/params";
import { ErrorBox } from "../ErrorBox";
import { OpForm } from "../OpForm";

/** The operation's field a failure reason names, if any. */
export function fieldToFix(op: OperationDescriptor, failures: JobFailures) {
  const field = failures.reasons[0]?.error.params.field;
  return typeof field === "string" ? op.fields.find((f) => f.name === field) : undefined;
}

export function RetryFix(props: {
  op: OperationDescriptor;
  /** The job's account (a field taking its value from it offers its stored ids). */
  account?: AccountView;
  failures: JobFailures;
  /** The calls as they will be sent now (after any correction). */
  calls: Record<string, unknown>[];
  /** Sets a field to one value in every call (the plan is made again). */
  onFix: (field: string, value: unknown) => void;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const top = props.failures.reasons[0];
  const field = fieldToFix(props.op, props.failures);
  const [values, setValues] = useState<FormValues>(() => (field ? valuesFromParams([field], props.calls[0] ?? {}) : {}));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const apply = () => {
    if (!field) return;
    const built = buildParams([field], values);
    setErrors(built.errors);
    if (!Object.keys(built.errors).length) props.onFix(field.name, built.params[field.name]);
  };
  return (
    <div className="retry-fix" data-testid="retry-fix">
      {top && (
        <>
          <div className="job-reason-head">{t("bulk.failed_why", { count: top.calls, n: nf.format(top.calls) })}</div>
          <ErrorBox error={top.error as CoreError} compact testId="retry-reason" />
        </>
      )}
      {field ? (
        <div className="retry-field" data-testid="retry-field">
          <p className="field-help">{t("bulk.retry_fix_field", { count: props.calls.length, n: nf.format(props.calls.length) })}</p>
          <OpForm fields={[field]} values={values} errors={errors} onChange={setValues} prefix="retry-op" account={props.account} />
          <div className="row">
            <button type="button" className="btn" onClick={apply} data-testid="retry-apply">
              {t("bulk.retry_apply", { count: props.calls.length, n: nf.format(props.calls.length) })}
            </button>
          </div>
        </div>
      ) : (
        <p className="field-help" data-testid="retry-no-field">{t("bulk.retry_fix_elsewhere")}</p>
      )}
      {props.failures.unknown > 0 && (
        <div className="info-note" data-testid="retry-unknown">
          {t("bulk.unknown_not_retried", { count: props.failures.unknown, n: nf.format(props.failures.unknown) })}
        </div>
      )}
    </div>
  );
}
