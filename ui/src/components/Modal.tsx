import { useEffect, type ReactNode } from "react";

/** A centred dialog over a dimmed screen; Escape closes it. */
export function Modal(props: { title: string; onClose: () => void; children: ReactNode; testId?: string; tone?: "danger" | "normal" }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div className={`modal ${props.tone === "danger" ? "modal-danger" : ""}`} role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <h2 className="modal-title">{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
