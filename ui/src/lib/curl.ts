// A previewed (masked) request as a cURL command.
import type { RedactedRequest } from "../bindings/RedactedRequest";

/** A shell-quoted cURL command for a (masked) request. */
export function toCurl(r: RedactedRequest): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [`curl -X ${r.method} ${q(r.url)}`];
  for (const [k, v] of r.headers) lines.push(`  -H ${q(`${k}: ${v}`)}`);
  if (r.body) lines.push(`  --data-raw ${q(r.body)}`);
  return lines.join(" \\\n");
}
