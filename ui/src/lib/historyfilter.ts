// The History screen's filters: what the user chose (kept for the session), the core's filter they make,
// the operations offered per provider, and the quick date ranges (today, yesterday, last 7 days, last week).
import type { HistoryFilter } from "../bindings/HistoryFilter";
import type { Outcome } from "../bindings/Outcome";
import type { ProviderDescriptor } from "../bindings/ProviderDescriptor";
import type { ZoneChoice } from "./datetime";

export type Filters = {
  account: string;
  provider: string;
  /** One provider's operation, `provider/operation`, or "" for any. */
  operation: string;
  /** Only resends (operations of kind `resend`, of any provider). */
  resends: boolean;
  outcome: string;
  /** Inclusive start and exclusive end, Unix milliseconds. */
  from: number | null;
  to: number | null;
  text: string;
  job: string;
};

export const EMPTY_FILTERS: Filters = {
  account: "", provider: "", operation: "", resends: false, outcome: "", from: null, to: null, text: "", job: "",
};

/** Whether any filter is set. */
export function anyFilter(f: Filters): boolean {
  return Object.entries(f).some(([, v]) => v !== "" && v !== null && v !== false);
}

/** The core's filter for what the user chose. */
export function toHistoryFilter(f: Filters): HistoryFilter {
  const [opProvider, opName] = f.operation ? splitOperation(f.operation) : [null, null];
  return {
    account_id: f.account ? Number(f.account) : null,
    job_id: f.job ? Number(f.job) : null,
    provider: opProvider ?? (f.provider || null),
    operation: opName,
    kind: f.resends ? "resend" : null,
    outcome: (f.outcome || null) as Outcome | null,
    from_ms: f.from,
    to_ms: f.to,
    text: f.text.trim() || null,
  };
}

/** `provider/operation` → its two parts (operation names hold no slash; provider ids neither). */
export function splitOperation(value: string): [string, string] {
  const i = value.indexOf("/");
  return [value.slice(0, i), value.slice(i + 1)];
}

/** One provider's operations a filter offers (each name once: a provider may have one per API version). */
export type OperationGroup = { provider: string; name: string; ops: { value: string; labelKey: string }[] };

/** The operations the filter offers, grouped by provider (only resends when asked; one provider when chosen). */
export function operationGroups(descriptors: ProviderDescriptor[], f: Pick<Filters, "provider" | "resends">): OperationGroup[] {
  return descriptors
    .filter((d) => !f.provider || d.id === f.provider)
    .map((d) => {
      const seen = new Set<string>();
      const ops = d.operations
        .filter((o) => o.kind !== "auth" && (!f.resends || o.kind === "resend") && !seen.has(o.name) && seen.add(o.name))
        .map((o) => ({ value: `${d.id}/${o.name}`, labelKey: o.label_key }));
      return { provider: d.id, name: d.display_name, ops };
    })
    .filter((g) => g.ops.length > 0);
}

/** The quick date ranges. */
export const DAY_PRESETS = ["today", "yesterday", "last_7_days", "last_week"] as const;
export type DayPreset = (typeof DAY_PRESETS)[number];

/** Midnight starting the day `days` from the day of `now` (0 today, −1 yesterday) in the zone. */
function midnight(now: number, zone: ZoneChoice, days: number): number {
  const d = new Date(now);
  if (zone === "UTC") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/** The day of the week of `now` in the zone, Monday 0 … Sunday 6. */
function weekday(now: number, zone: ZoneChoice): number {
  const d = new Date(now);
  return ((zone === "UTC" ? d.getUTCDay() : d.getDay()) + 6) % 7;
}

/**
 * The [from, to) a quick range stands for at `now`, in whole calendar days of the zone: today, yesterday,
 * the last 7 days (today and the 6 before), and last week (the calendar week before this one, Monday to
 * Sunday).
 */
export function dayPresetRange(p: DayPreset, now: number, zone: ZoneChoice): { from: number; to: number } {
  switch (p) {
    case "today":
      return { from: midnight(now, zone, 0), to: midnight(now, zone, 1) };
    case "yesterday":
      return { from: midnight(now, zone, -1), to: midnight(now, zone, 0) };
    case "last_7_days":
      return { from: midnight(now, zone, -6), to: midnight(now, zone, 1) };
    case "last_week": {
      const monday = -weekday(now, zone);
      return { from: midnight(now, zone, monday - 7), to: midnight(now, zone, monday) };
    }
  }
}
