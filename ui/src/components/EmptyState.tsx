import type { ReactNode } from "react";
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
