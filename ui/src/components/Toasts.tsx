// The one place brief confirmations appear (bottom corner, over the screen): a polite live region, so
// screen readers read each one without focus moving; each can be dismissed, some undone, and one saying that
// something did not happen stays until dismissed.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "../i18n";
import { dismissToast, TOAST_MS, useToastList, type Toast } from "../hooks/useToast";

export function Toasts() {
  const { t } = useTranslation();
  const toasts = useToastList();
  // Always in the page (even empty), so that what is added to it is announced.
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label={t("toast.region")} data-testid="toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  // Drawn again when the language changes, so the message follows it.
  const { t } = useTranslation();
  const [held, setHeld] = useState(false);
  const [undoing, setUndoing] = useState(false);
  const hovered = useRef(false);
  const focused = useRef(false);
  const hold = () => setHeld(hovered.current || focused.current);

  // A confirmation with undo lasts exactly as long as the undo is possible; another waits while it is read.
  const { id, undoUntilMs, lasting } = toast;
  const waits = lasting || (held && undoUntilMs === undefined);
  useEffect(() => {
    if (waits) return;
    const ms = undoUntilMs !== undefined ? undoUntilMs - Date.now() : TOAST_MS;
    const h = window.setTimeout(() => dismissToast(id), Math.max(0, ms));
    return () => window.clearTimeout(h);
  }, [id, undoUntilMs, waits]);

  const undo = async () => {
    setUndoing(true);
    dismissToast(id);
    await toast.undo?.();
  };

  return (
    <div
      className={lasting ? "toast lasting" : "toast"}
      data-testid={`toast-${toast.testId}`}
      onMouseEnter={() => { hovered.current = true; hold(); }}
      onMouseLeave={() => { hovered.current = false; hold(); }}
      onFocus={() => { focused.current = true; hold(); }}
      onBlur={() => { focused.current = false; hold(); }}
      onKeyDown={(e) => e.key === "Escape" && dismissToast(id)}
    >
      <span className="toast-message" data-testid={toast.testId}>{toast.message()}</span>
      {toast.undo && (
        <button type="button" className="btn toast-undo" disabled={undoing} onClick={() => void undo()} data-testid="toast-undo">
          {t("toast.undo")}
        </button>
      )}
      <button type="button" className="toast-dismiss" aria-label={t("toast.dismiss")} title={t("toast.dismiss")} onClick={() => dismissToast(id)} data-testid="toast-dismiss">
        ×
      </button>
    </div>
  );
}
