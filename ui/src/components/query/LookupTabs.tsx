// A tab per look-up the account is offered.
import { useTranslation } from "../../i18n";
import type { OperationDescriptor } from "../../api";

export function LookupTabs(props: { ops: OperationDescriptor[]; op: OperationDescriptor; onSelect: (name: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="tabs" role="tablist">
      {props.ops.map((o) => (
        <button
          key={o.name}
          type="button"
          role="tab"
          aria-selected={props.op.name === o.name}
          className={`tab${props.op.name === o.name ? " active" : ""}`}
          data-testid={`query-tab-${o.name}`}
          onClick={() => props.onSelect(o.name)}
        >
          {t(o.lookup?.label_key ?? o.label_key)}
        </button>
      ))}
    </div>
  );
}
