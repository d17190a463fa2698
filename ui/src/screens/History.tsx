import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/EmptyState";

export function HistoryScreen() {
  const { t } = useTranslation();
  return (
    <>
      <p className="screen-subtitle">{t("screens.history.subtitle")}</p>
      <EmptyState icon="history" title={t("screens.history.empty_title")} body={t("screens.history.empty_body")} />
    </>
  );
}
