import { useTranslation } from "../i18n";

import type { Environment } from "../bindings/Environment";
export type { Environment };

/** The environment of the account in use; production is unmistakable. */
export function EnvBadge({ environment }: { environment: Environment | null }) {
  const { t } = useTranslation();
  return (
    <div className="env-area" data-testid="env-badge-area">
      <span className="env-label">{t("env.label")}</span>
      <span className={`env-badge env-${environment ?? "none"}`} data-testid="env-badge">
        {environment ? t(`env.${environment}`) : t("env.none")}
      </span>
    </div>
  );
}

/** A small environment pill for account cards and pickers. */
export function EnvPill({ environment }: { environment: Environment }) {
  const { t } = useTranslation();
  return (
    <span className={`env-badge env-${environment}`} data-testid="env-pill" data-env={environment}>
      {t(`env.${environment}`)}
    </span>
  );
}
