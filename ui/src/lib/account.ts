// Accounts in words.
import type { AccountView } from "../bindings/AccountView";

/** "Label · Provider", without repeating the provider when the label already names it. */
export function accountTitle(a: Pick<AccountView, "label">, providerName: string): string {
  const short = providerName.replace(/\s*[(（].*[)）]$/, "");
  return a.label.toLowerCase().includes(short.toLowerCase()) ? a.label : `${a.label} · ${providerName}`;
}
