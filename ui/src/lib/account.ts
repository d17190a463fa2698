// Accounts in words.
import { i18n } from "../i18n";
import type { AccountView } from "../bindings/AccountView";

/** The prefix the app gives the sandbox accounts it creates (`Sandbox · <label>`, stored in English). */
const SANDBOX_PREFIX = "Sandbox · ";

/** An account's label as shown: the app's own "Sandbox" prefix in the app language. */
export function shownLabel(label: string): string {
  return label.startsWith(SANDBOX_PREFIX) ? `${i18n.t("accounts.sandbox_prefix")} · ${label.slice(SANDBOX_PREFIX.length)}` : label;
}

/** "Label · Provider", without repeating the provider when the label already names it. */
export function accountTitle(a: Pick<AccountView, "label">, providerName: string): string {
  const short = providerName.replace(/\s*[(（].*[)）]$/, "");
  const label = shownLabel(a.label);
  return label.toLowerCase().includes(short.toLowerCase()) ? label : `${label} · ${providerName}`;
}
