// Identifiers a provider gave the merchant, stored on an account with a name (a `named_ids` account field):
// read from an account, written by the account form, offered by the operation forms.
import { i18n } from "../i18n";
import type { AccountView } from "../bindings/AccountView";

export type NamedId = { name: string; id: string };

/** The name the sandbox's demo accounts give their ids (stored in English, shown in the app language). */
const SANDBOX_NAME = "Sandbox";

/** The ids a stored field value holds (a JSON array of `{name, id}`, or of bare ids); anything else: none. */
export function readNamedIds(value: unknown): NamedId[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((v) =>
      v !== null && typeof v === "object"
        ? { name: String((v as Record<string, unknown>).name ?? "").trim(), id: String((v as Record<string, unknown>).id ?? "").trim() }
        : { name: "", id: String(v ?? "").trim() },
    )
    .filter((n) => n.id !== "");
}

/** The ids an account stores in its field `field`. */
export function storedIds(account: Pick<AccountView, "fields"> | null | undefined, field: string | null): NamedId[] {
  return account && field ? readNamedIds(account.fields[field]) : [];
}

/** How a stored id is shown in a list: its name and the id, or the id alone. */
export function namedIdText(n: NamedId): string {
  const name = n.name === SANDBOX_NAME ? i18n.t("accounts.sandbox_prefix") : n.name;
  return name ? `${name} — ${n.id}` : n.id;
}

/** The rows the account form saves: those with an id, trimmed (none: the field is left out). */
export function namedIdsToSave(rows: NamedId[]): NamedId[] | undefined {
  const kept = rows.map((r) => ({ name: r.name.trim(), id: r.id.trim() })).filter((r) => r.id !== "");
  return kept.length ? kept : undefined;
}
