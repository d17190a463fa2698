// Which resend to do: a card per operation the account is offered, or the one there is.
import { useTranslation } from "../../i18n";
import type { OperationDescriptor } from "../../api";

export function OperationChoice(props: { ops: OperationDescriptor[]; op: OperationDescriptor | undefined; onSelect: (name: string) => void }) {
  const { t } = useTranslation();
  const { ops, op } = props;
  if (ops.length > 1) {
    return (
      <fieldset className="field wide">
        <legend className="field-label">{t("work.operation")}</legend>
        <div className="op-choices">
          {ops.map((o) => (
            <label key={o.name} className={`radio-card op-card${op?.name === o.name ? " active" : ""}`} data-testid={`op-choice-${o.name}`}>
              <input type="radio" name="operation" checked={op?.name === o.name} onChange={() => props.onSelect(o.name)} />
              <span className="op-card-text">
                <span className="op-card-title">
                  {t(o.label_key)}
                  <Deprecated op={o} />
                </span>
                <span className="op-card-help">{t(o.help_key)}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  if (!op) return null;
  return (
    <div className="op-single">
      <div className="op-card-title" data-testid="op-title">
        {t(op.label_key)}
        <Deprecated op={op} />
      </div>
      <div className="op-card-help">{t(op.help_key)}</div>
    </div>
  );
}

/** "Being retired" next to an operation its provider is retiring (still usable). */
function Deprecated({ op }: { op: OperationDescriptor }) {
  const { t } = useTranslation();
  if (!op.deprecated) return null;
  return (
    <>
      {" "}
      <span className="pill deprecated-pill" data-testid="op-deprecated" title={t("work.deprecated_help")}>
        {t("work.deprecated")}
      </span>
    </>
  );
}
