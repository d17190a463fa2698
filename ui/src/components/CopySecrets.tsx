import { useTranslation } from "../i18n";
import type { AccountView, CoreError, OperationDescriptor } from "../api";
import { accountTitle } from "../lib/account";
import { EnvPill } from "./EnvBadge";
import { ErrorBox } from "./ErrorBox";
import { Modal } from "./Modal";

/**
 * The confirmation before "Copy with secrets": the clipboard will hold the account's real credentials and a
 * valid signature. Names the account, says what happens to the clipboard (cleared after `clearSeconds`, or
 * not at all where the app cannot), and copies only on an explicit click, which sends back the app's
 * one-time ticket for this request (the app puts the command on the clipboard; the window never sees it).
 */
export function CopySecretsDialog(props: {
  account: AccountView;
  providerName: string;
  op: OperationDescriptor;
  clearSeconds: number | null;
  busy: boolean;
  error: CoreError | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const name = accountTitle(props.account, props.providerName);
  return (
    <Modal title={t("copy_secrets.title")} onClose={props.onCancel} testId="copy-secrets-dialog" tone="danger">
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="copy-secrets-account">{name}</dd>
        <dt>{t("env.label")}</dt>
        <dd><EnvPill environment={props.account.environment} /></dd>
        <dt>{t("work.operation")}</dt>
        <dd>{t(props.op.label_key)}</dd>
      </dl>
      <div className="danger-note" data-testid="copy-secrets-warning">{t("copy_secrets.warning", { account: name })}</div>
      <div className="copy-secrets-notes">
        <p className="field-help" data-testid="copy-secrets-clipboard">
          {props.clearSeconds ? t("copy_secrets.clears", { seconds: props.clearSeconds }) : t("copy_secrets.no_clear")}
        </p>
        <p className="field-help">{t("copy_secrets.not_recorded")}</p>
        <p className="field-help">{t("copy_secrets.shell")}</p>
      </div>
      {props.error && <ErrorBox error={props.error} testId="copy-secrets-error" />}
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="copy-secrets-cancel">
          {t("common.cancel")}
        </button>
        <button type="button" className="btn danger" disabled={props.busy} onClick={props.onConfirm} data-testid="copy-secrets-confirm">
          {props.busy ? t("copy_secrets.copying") : t("copy_secrets.confirm")}
        </button>
      </div>
    </Modal>
  );
}
