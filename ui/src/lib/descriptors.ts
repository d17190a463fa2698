// Questions about the providers' descriptors: which operations an account is offered, names and labels.
// The UI knows providers only through these descriptors (src/providers/descriptor.rs).
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
export function offeredOps(d: ProviderDescriptor | undefined, a: Pick<AccountView, "fields"> | undefined): OperationDescriptor[] {
  if (!d || !a) return [];
  return d.operations.filter((o) => matchesOnlyWhen(d, a.fields, o.only_when));
}

/** The resend operations an account can use (not look-ups, not a provider's internal token call). */
export function resendOps(d: ProviderDescriptor | undefined, a: Pick<AccountView, "fields"> | undefined): OperationDescriptor[] {
  return offeredOps(d, a).filter((o) => o.kind === "resend");
}

/** The checks an account's provider runs for it beside the resends (e.g. testing the merchant's endpoint). */
export function probeOps(d: ProviderDescriptor | undefined, a: Pick<AccountView, "fields"> | undefined): OperationDescriptor[] {
  return offeredOps(d, a).filter((o) => o.kind === "probe");
}

/** The look-ups an account can use, each with how its results are shown. */
export function lookupOps(d: ProviderDescriptor | undefined, a: Pick<AccountView, "fields"> | undefined): OperationDescriptor[] {
  return offeredOps(d, a).filter((o) => o.kind === "lookup" && o.lookup !== null);
}

/** The documented production base URL for an account with these public fields. */
export function productionUrl(d: ProviderDescriptor | undefined, fields: Record<string, unknown>): string {
  return d?.base_urls.find((p) => p.production && matchesOnlyWhen(d, fields, p.only_when))?.url ?? "";
}

export function descriptorOf(descriptors: ProviderDescriptor[], provider: string): ProviderDescriptor | undefined {
  return descriptors.find((d) => d.id === provider);
}

/** A provider's brand name (its id when it is not registered any more). */
export function providerName(descriptors: ProviderDescriptor[], provider: string): string {
  return descriptorOf(descriptors, provider)?.display_name ?? provider;
}

/** Every registered provider's brand name, as a list in `language` ("A, B and C"). */
export function providerList(descriptors: ProviderDescriptor[], language: string): string {
  return new Intl.ListFormat(language, { type: "conjunction" }).format(descriptors.map((d) => d.display_name));
}

/**
 * An operation by name, as offered to `account` when it is given (a provider may offer two operations of
 * one name to accounts of different API versions), else the first of that name.
 */
export function operationOf(
  descriptors: ProviderDescriptor[],
  provider: string,
  name: string,
  account?: Pick<AccountView, "fields">,
): OperationDescriptor | undefined {
  const d = descriptorOf(descriptors, provider);
  return (account ? offeredOps(d, account) : d?.operations ?? []).find((o) => o.name === name) ?? d?.operations.find((o) => o.name === name);
}
