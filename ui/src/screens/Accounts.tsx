import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/EmptyState";

const PROVIDERS = ["cybavo", "ceffu", "avista", "ccpayment"] as const;

export function AccountsScreen() {
  const { t } = useTranslation();
  return (
    <>
      <p className="screen-subtitle">{t("screens.accounts.subtitle")}</p>
      <EmptyState icon="accounts" title={t("screens.accounts.empty_title")} body={t("screens.accounts.empty_body")} />
      <section className="card">
        <h3 className="card-title">{t("screens.accounts.providers")}</h3>
        <ul className="provider-list">
          {PROVIDERS.map((p) => (
            <li key={p} className="provider-chip" data-testid={`provider-${p}`}>
              {t(`providers.${p}`)}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
