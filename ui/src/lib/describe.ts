// What a resend will do, in words, for its confirmation.
import type { TFunction } from "../i18n";
import type { FormField } from "../bindings/FormField";
import { appZone, zoneLabel } from "./datetime";
import { formatLocal } from "./time";

/** One line per given param, in words: "Serial number: 123", "From: 16/05/2024 10:00:00". */
export function describeParams(t: TFunction, language: string, fields: FormField[], params: Record<string, unknown>): string[] {
  return describeFields(t, language, fields, params).map((l) => `${l.label}: ${l.text}`);
}

/** Each given param's label and value in words. */
export function describeFields(t: TFunction, language: string, fields: FormField[], params: Record<string, unknown>): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const f of fields) {
    const v = params[f.name];
    if (v === undefined || v === null) continue;
    let text: string;
    if (f.broad_label_key && f.broad !== null && f.broad !== undefined && String(v) === String(f.broad)) text = t(f.broad_label_key);
    else if (f.kind === "unix_seconds" || f.kind === "unix_millis") {
      // The time with the zone it is written in, as everywhere a time is shown.
      const ms = f.kind === "unix_seconds" ? Number(v) * 1000 : Number(v);
      text = `${formatLocal(ms, language)} (${zoneLabel(t, appZone(), ms)})`;
    }
    else if (f.kind === "choice") text = t(`${f.choices_key}.${String(v)}`);
    else if (Array.isArray(v)) text = v.length > 5 ? `${v.slice(0, 5).join(", ")} (+${v.length - 5})` : v.join(", ");
    else text = String(v);
    out.push({ label: t(f.label_key), text });
  }
  return out;
}

/** What a bulk job's approval covers (its params' `job`, made by the core for a job's whole plan). */
export interface JobPlanSummary {
  calls: number;
  summary?: Record<string, unknown>;
  from_ms?: number;
  to_ms?: number;
}

/** The bulk job an approval's params describe, if they describe one. */
export function jobPlanOf(params: Record<string, unknown>): JobPlanSummary | null {
  const job = params.job as JobPlanSummary | undefined;
  return job && typeof job === "object" && typeof job.calls === "number" ? job : null;
}

/** A bulk job's approval in words: how many calls, the period they cover, and their fields. */
export function describeJob(t: TFunction, language: string, fields: FormField[], job: JobPlanSummary): string[] {
  const lines = [t("approvals.job_calls", { count: job.calls })];
  if (typeof job.from_ms === "number" && typeof job.to_ms === "number") {
    const zone = zoneLabel(t, appZone(), job.from_ms);
    lines.push(`${t("approvals.job_period", { from: formatLocal(job.from_ms, language), to: formatLocal(job.to_ms, language) })} (${zone})`);
  }
  return lines.concat(describeParams(t, language, fields, job.summary ?? {}));
}
