// The Resend screen without accounts: try it with simulated providers, or add an account.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { api, asCoreError, type CoreError } from "../../api";
import { EmptyState } from "../EmptyState";
import { ErrorBox } from "../ErrorBox";
import { useToast } from "../../hooks/useToast";

export function NoAccounts(props: { error: CoreError | null; onError: (e: CoreError) => void; onCreated: () => Promise<void>; onGoToAccounts: () => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const trySandbox = async () => {
    setBusy(true);
    try {
      await api.createSandboxAccounts();
      toast({ testId: "sandbox-accounts-added", message: () => t("toast.sandbox_accounts_added") });
      await props.onCreated();
    } catch (e) {
      props.onError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p className="screen-subtitle">{t("screens.resend.subtitle")}</p>
      {props.error && <ErrorBox error={props.error} />}
      <EmptyState
        icon="resend"
        title={t("screens.resend.empty_title")}
        body={t("screens.resend.empty_body")}
        action={
          <div className="row">
            <button type="button" className="btn primary" data-testid="resend-try-sandbox" disabled={busy} onClick={trySandbox}>
              {t("accounts.try_sandbox")}
            </button>
            <button type="button" className="btn" onClick={props.onGoToAccounts} data-testid="resend-go-accounts">
              {t("screens.resend.empty_action")}
            </button>
          </div>
        }
      />
    </>
  );
}
