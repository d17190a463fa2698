// The checks beside the resends: a secondary button per probe operation the account is offered (e.g.
// "Test my endpoint"), run at once; their answers show in their own result panel.
import { useTranslation } from "../../i18n";
import type { OperationDescriptor } from "../../api";
import type { Probe } from "../../hooks/useProbe";
import { ErrorBox } from "../ErrorBox";

export function ProbeActions({ ops, probe }: { ops: OperationDescriptor[]; probe: Probe }) {
  const { t } = useTranslation();
  if (!ops.length) return null;
  return (
    <>
      <div className="row probe-actions" data-testid="probe-actions">
        <span className="meta">{t("resend.probe_intro")}</span>
        {ops.map((op) => (
          <button
            key={op.name}
            type="button"
            className="btn small"
            title={t(op.help_key)}
            disabled={probe.running !== null}
            onClick={() => void probe.run(op)}
            data-testid={`probe-${op.name}`}
          >
            {probe.running === op.name ? t("resend.probe_running") : t(op.label_key)}
          </button>
        ))}
      </div>
      {probe.error && <ErrorBox error={probe.error} testId="probe-error" />}
    </>
  );
}
