// A dialog over the screen: the browser's own <dialog>, opened with showModal(). Focus moves into it, Tab
// and Shift+Tab stay inside (the page behind is inert), Escape closes it, and focus goes back to the control
// that opened it. Nothing to download: the engine does it all (WebKitGTK included).
import { useId, useLayoutEffect, useRef, type ReactNode } from "react";

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  tone?: "danger" | "normal";
  /** Wider, for a plan with fields to correct. */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  useLayoutEffect(() => {
    onClose.current = props.onClose;
  }, [props.onClose]);

  // As the dialog is put in the page, before it is painted: no frame shows it in the page but closed (the
  // renderer runs plain effects only after the next paint).
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      // Back where the user was (the opener may have gone with the dialog's action).
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const classes = ["modal", props.tone === "danger" ? "modal-danger" : "", props.wide ? "modal-wide" : ""].filter(Boolean).join(" ");
  return (
    <dialog
      ref={ref}
      className={classes}
      aria-labelledby={titleId}
      data-testid={props.testId}
      // Escape: the engine asks first; the screen decides (the dialog goes when its state says so).
      onCancel={(e) => {
        e.preventDefault();
        onClose.current();
      }}
      // A click on the dimmed page around the dialog (the dialog element itself, outside its content).
      onMouseDown={(e) => e.target === e.currentTarget && onClose.current()}
    >
      <div className="modal-content">
        <h2 className="modal-title" id={titleId}>
          {props.title}
        </h2>
        {props.children}
      </div>
    </dialog>
  );
}
