import type { TFunction } from "i18next";
import type { AccountView } from "../bindings/AccountView";
import type { OnlyWhen } from "../bindings/OnlyWhen";
import type { OperationDescriptor } from "../bindings/OperationDescriptor";
import type { ProviderDescriptor } from "../bindings/ProviderDescriptor";

/** Whether an account with these public fields matches `only_when` (a field left out counts as its default). */
export function matchesOnlyWhen(d: ProviderDescriptor, fields: Record<string, unknown>, w: OnlyWhen | null): boolean {
  if (!w) return true;
  const given = fields[w.field];
  const value = given === undefined || given === null || String(given).trim() === ""
    ? d.account_fields.find((f) => f.name === w.field)?.default ?? null
    : String(given).trim();
  return value !== null && w.values.includes(value);
}

/** The operations of the provider's descriptor an account is offered. */
export function offeredOps(d: ProviderDescriptor | undefined, a: AccountView | undefined): OperationDescriptor[] {
  if (!d || !a) return [];
  return d.operations.filter((o) => matchesOnlyWhen(d, a.fields, o.only_when));
}

/** The documented production base URL for an account with these public fields. */
export function productionUrl(d: ProviderDescriptor | undefined, fields: Record<string, unknown>): string {
  return d?.base_urls.find((p) => p.production && matchesOnlyWhen(d, fields, p.only_when))?.url ?? "";
}

/** "Label · Provider", without repeating the provider when the label already names it. */
export function accountTitle(t: TFunction, a: Pick<AccountView, "label" | "provider">): string {
  const provider = t(`providers.${a.provider}`);
  const short = provider.replace(/\s*\(.*\)$/, "");
  return a.label.toLowerCase().includes(short.toLowerCase()) ? a.label : `${a.label} · ${provider}`;
}
