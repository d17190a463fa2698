import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AccountView, OperationDescriptor } from "../api";
import type { StrongReason } from "../lib/form";
import { EnvPill } from "./EnvBadge";
import { Modal } from "./Modal";
import { accountTitle } from "../lib/account";

/**
 * The last step before a resend: names the account, environment and scope and warns about duplicates.
 * Broad or production resends need the account name typed (production) or an explicit tick (broad); a
 * resend to a one-off URL needs a tick confirming the address.
 */
export function ConfirmResend(props: {
  account: AccountView;
  op: OperationDescriptor;
  scope: string[];
  reasons: StrongReason[];
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState("");
  const [ticked, setTicked] = useState(false);
  const [urlTicked, setUrlTicked] = useState(false);
  const production = props.reasons.includes("production");
  const broad = props.reasons.includes("broad_value") || props.reasons.includes("old_window");
  const oneOffUrl = props.reasons.includes("one_off_url");
  const strong = props.reasons.length > 0;
  const ok = (!production || typed.trim() === props.account.label) && (!broad || ticked) && (!oneOffUrl || urlTicked);
  return (
    <Modal title={t("confirm.title")} onClose={props.onCancel} testId="confirm-dialog" tone={strong ? "danger" : "normal"}>
      <div data-testid="confirm-level" data-level={strong ? "strong" : "normal"} hidden />
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="confirm-account">{accountTitle(t, props.account)}</dd>
        <dt>{t("env.label")}</dt>
        <dd><EnvPill environment={props.account.environment} /></dd>
        <dt>{t("work.operation")}</dt>
        <dd>{t(props.op.label_key)}</dd>
        <dt>{t("confirm.scope")}</dt>
        <dd data-testid="confirm-scope">
          {props.scope.map((s, i) => (
            <div key={i}>{s}</div>
          ))}
        </dd>
      </dl>
      <div className="warning" data-testid="confirm-duplicates">{t("confirm.duplicates")}</div>
      {props.reasons.map((r) => (
        <div className="danger-note" key={r} data-testid={`confirm-reason-${r}`}>
          {t(`confirm.reason.${r}`)}
        </div>
      ))}
      {broad && (
        <label className="check" data-testid="confirm-tick-label">
          <input type="checkbox" checked={ticked} data-testid="confirm-tick" onChange={(e) => setTicked(e.target.checked)} />
          <span>{t("confirm.tick")}</span>
        </label>
      )}
      {oneOffUrl && (
        <label className="check" data-testid="confirm-tick-url-label">
          <input type="checkbox" checked={urlTicked} data-testid="confirm-tick-url" onChange={(e) => setUrlTicked(e.target.checked)} />
          <span>{t("confirm.tick_url")}</span>
        </label>
      )}
      {production && (
        <label className="field wide">
          <span className="field-label">{t("confirm.type_name", { label: props.account.label })}</span>
          <input value={typed} data-testid="confirm-typed" onChange={(e) => setTyped(e.target.value)} placeholder={props.account.label} autoFocus />
        </label>
      )}
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="confirm-cancel">
          {t("common.cancel")}
        </button>
        <button type="button" className={`btn ${strong ? "danger" : "primary"}`} disabled={!ok || props.busy} onClick={props.onConfirm} data-testid="confirm-send">
          {props.busy ? t("confirm.sending") : t("confirm.send")}
        </button>
      </div>
    </Modal>
  );
}
