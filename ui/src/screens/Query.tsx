import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/EmptyState";

export function QueryScreen({ onGoToAccounts }: { onGoToAccounts: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="screen-subtitle">{t("screens.query.subtitle")}</p>
      <EmptyState
        icon="search"
        title={t("screens.query.empty_title")}
        body={t("screens.query.empty_body")}
        action={
          <button type="button" className="btn primary" onClick={onGoToAccounts}>
            {t("screens.query.empty_action")}
          </button>
        }
      />
    </>
  );
}
