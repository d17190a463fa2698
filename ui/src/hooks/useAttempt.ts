// One action a person starts from a form or a dialog: whether it is running (`busy`, to disable its button)
// and the error it ended with (shown beside it), cleared when it is tried again.
import { useCallback, useState } from "react";
import { asCoreError, type CoreError } from "../api";

export function useAttempt() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CoreError | null>(null);
  const attempt = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, attempt };
}
