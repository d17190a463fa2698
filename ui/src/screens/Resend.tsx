import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/EmptyState";

export function ResendScreen({ onGoToAccounts }: { onGoToAccounts: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="screen-subtitle">{t("screens.resend.subtitle")}</p>
      <EmptyState
        icon="resend"
        title={t("screens.resend.empty_title")}
        body={t("screens.resend.empty_body")}
        action={
          <button type="button" className="btn primary" onClick={onGoToAccounts} data-testid="resend-go-accounts">
            {t("screens.resend.empty_action")}
          </button>
        }
      />
    </>
  );
}
