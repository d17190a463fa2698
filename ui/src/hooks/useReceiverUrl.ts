// The sandbox's built-in receiver for a sandbox account whose operation takes a URL (a one-off webhook
// address): the URL the simulated provider delivers to, so that the Sandbox inbox shows what arrived.
import { useEffect, useState } from "react";
import { api, type AccountView, type OperationDescriptor } from "../api";

export function useReceiverUrl(account: AccountView | undefined, op: OperationDescriptor | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  const wanted = account?.environment === "sandbox" && !!op?.fields.some((f) => f.kind === "url");
  const provider = account?.provider;
  useEffect(() => {
    setUrl(null);
    if (!wanted) return;
    let alive = true;
    api
      .sandboxInbox(0, true)
      .then((inbox) => alive && setUrl(inbox.receivers.find((r) => r.provider === provider)?.url ?? null))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [wanted, provider]);
  return url;
}
