import type { ReactNode } from "react";
import { useTranslation } from "../i18n";
import { Icon, type IconName } from "./Icon";

export function EmptyState(props: { icon: IconName; title: string; body: string; action?: ReactNode; testId?: string }) {
  return (
    <section className="empty" data-testid={props.testId ?? "empty-state"}>
      <div className="empty-icon">
        <Icon name={props.icon} size={28} />
      </div>
      <h2 className="empty-title">{props.title}</h2>
      <p className="empty-body">{props.body}</p>
      {props.action && <div className="empty-action">{props.action}</div>}
    </section>
  );
}

/** A work screen before any account exists: its subtitle, and the way to Accounts (the screen's own
 * `screens.<screen>.empty_*` texts). */
export function NoAccountsYet(props: { screen: string; icon: IconName; onGoToAccounts: () => void }) {
  const { t } = useTranslation();
  const key = (part: string) => `screens.${props.screen}.${part}`;
  return (
    <>
      <p className="screen-subtitle">{t(key("subtitle"))}</p>
      <EmptyState
        icon={props.icon}
        title={t(key("empty_title"))}
        body={t(key("empty_body"))}
        action={
          <button type="button" className="btn primary" onClick={props.onGoToAccounts}>
            {t(key("empty_action"))}
          </button>
        }
      />
    </>
  );
}
