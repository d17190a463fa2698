import { useTranslation } from "../i18n";
import type { Outcome } from "../bindings/Outcome";

export function OutcomePill({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  return (
    <span className={`pill outcome-${outcome}`} data-testid="outcome-pill" data-outcome={outcome}>
      {t(`outcome.${outcome}`)}
    </span>
  );
}
