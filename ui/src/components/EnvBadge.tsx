import { useTranslation } from "react-i18next";

export type Environment = "production" | "sandbox" | "custom";

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
