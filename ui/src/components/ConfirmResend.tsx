import { useState } from "react";
import { useTranslation } from "../i18n";
import type { AccountView, OperationDescriptor } from "../api";
import type { StrongReason } from "../lib/confirm";
import { EnvPill } from "./EnvBadge";
import { Modal } from "./Modal";
import { accountTitle } from "../lib/account";
import { formatDuration } from "../lib/duration";
import { useNow } from "../hooks/useNow";

/**
 * The last step before a resend: names the account, environment and scope and warns about duplicates.
 * Each reason for the stronger confirmation asks for what it says: a production account is said plainly (a
 * clear confirmation, no typed name), a broad value or a window reaching far back asks for the tick that
 * many callbacks may be sent again, and a one-off address for a tick of its own.
 */
export function ConfirmResend(props: {
  account: AccountView;
  providerName: string;
  op: OperationDescriptor;
  scope: string[];
  reasons: StrongReason[];
  busy: boolean;
  /** When the account's budget allows the next request (Unix ms); later than now means it must wait. */
  nextAllowedAtMs: number | null;
  onConfirm: () => void;
  /** "Send when allowed": queued as a job of this one request, which waits for the budget. */
  onQueue: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const now = useNow();
  const wait = props.nextAllowedAtMs === null ? 0 : Math.ceil((props.nextAllowedAtMs - Math.max(now, Date.now())) / 1000);
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const many = props.reasons.some((r) => r.ask === "tick_many");
  const own = props.reasons.filter((r) => r.ask === "tick_own").map((r) => r.reason);
  const strong = props.reasons.length > 0;
  const ok =
    (!many || !!ticked.many) && own.every((r) => !!ticked[`own:${r}`]);
  const tick = (key: string, on: boolean) => setTicked({ ...ticked, [key]: on });
  return (
    <Modal title={t("confirm.title")} onClose={props.onCancel} testId="confirm-dialog" tone={strong ? "danger" : "normal"}>
      <div data-testid="confirm-level" data-level={strong ? "strong" : "normal"} hidden />
      <dl className="facts confirm-facts">
        <dt>{t("work.account")}</dt>
        <dd data-testid="confirm-account">{accountTitle(props.account, props.providerName)}</dd>
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
        <div className="danger-note" key={r.reason} data-testid={`confirm-reason-${r.reason}`}>
          {t(`confirm.reason.${r.reason}`)}
        </div>
      ))}
      {many && (
        <label className="check" data-testid="confirm-tick-label">
          <input type="checkbox" checked={!!ticked.many} data-testid="confirm-tick" onChange={(e) => tick("many", e.target.checked)} />
          <span>{t("confirm.tick")}</span>
        </label>
      )}
      {own.map((r) => (
        <label className="check" key={r} data-testid={`confirm-tick-${r}-label`}>
          <input type="checkbox" checked={!!ticked[`own:${r}`]} data-testid={`confirm-tick-${r}`} onChange={(e) => tick(`own:${r}`, e.target.checked)} />
          <span>{t(`confirm.tick_for.${r}`)}</span>
        </label>
      ))}
      {wait > 0 && (
        <div className="info-note" data-testid="confirm-wait">
          {t("confirm.wait_note", { time: formatDuration(t, wait) })}
        </div>
      )}
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={props.onCancel} data-testid="confirm-cancel">
          {t("common.cancel")}
        </button>
        {wait > 0 && (
          <button type="button" className="btn primary" disabled={!ok || props.busy} onClick={props.onQueue} data-testid="confirm-queue">
            {t("confirm.send_when_allowed")}
          </button>
        )}
        <button
          type="button"
          className={`btn ${strong ? "danger" : "primary"}`}
          disabled={!ok || props.busy || wait > 0}
          onClick={props.onConfirm}
          data-testid="confirm-send"
          data-wait={wait > 0 ? wait : undefined}
        >
          {props.busy ? t("confirm.sending") : wait > 0 ? t("confirm.possible_in", { time: formatDuration(t, wait) }) : t("confirm.send")}
        </button>
      </div>
    </Modal>
  );
}
