// "Copy with secrets": the app issues a one-time ticket for exactly this request; the dialog sends it back
// on the user's confirmation, and the app then puts the command on the clipboard itself (it never comes
// to the window).
import { useState } from "react";
import { api, asCoreError, type ActionRequest, type CoreError } from "../api";

type Dialog = { ticket: string; request: ActionRequest; clearSeconds: number | null; busy: boolean; error: CoreError | null };

export function useCopySecrets(onError: (e: CoreError) => void) {
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [copied, setCopied] = useState<null | { clearSeconds: number | null }>(null);

  const ask = async (request: ActionRequest) => {
    setCopied(null);
    try {
      const ticket = await api.prepareCopyWithSecrets(request);
      setDialog({ ticket: ticket.ticket, request, clearSeconds: ticket.clear_seconds, busy: false, error: null });
    } catch (e) {
      onError(asCoreError(e));
    }
  };

  const confirm = async () => {
    if (!dialog) return;
    setDialog({ ...dialog, busy: true, error: null });
    try {
      const done = await api.copyWithSecrets(dialog.ticket, dialog.request);
      setDialog(null);
      setCopied({ clearSeconds: done.clear_seconds });
      window.setTimeout(() => setCopied(null), (done.clear_seconds ?? 10) * 1000);
    } catch (e) {
      setDialog({ ...dialog, busy: false, error: asCoreError(e) });
    }
  };

  return { dialog, copied, ask, confirm, cancel: () => setDialog(null) };
}
