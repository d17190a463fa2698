import type { TFunction } from "i18next";
import type { AccountView } from "../bindings/AccountView";

/** "Label · Provider", without repeating the provider when the label already names it. */
export function accountTitle(t: TFunction, a: Pick<AccountView, "label" | "provider">): string {
  const provider = t(`providers.${a.provider}`);
  const short = provider.replace(/\s*\(.*\)$/, "");
  return a.label.toLowerCase().includes(short.toLowerCase()) ? a.label : `${a.label} · ${provider}`;
}
