// CSV text for the clipboard.

/**
 * RFC 4180 CSV text, safe to open in a spreadsheet: like the history export (`write_csv_record` in
 * src/history.rs), a text cell starting with = + - @ tab or CR is quoted and prefixed with ' so it is
 * not run as a formula. Numbers (values the app produces) are written as they are.
 */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? "" : String(v);
    const defuse = typeof v === "string" && /^[=+\-@\t\r]/.test(s);
    if (defuse) return `"'${s.replace(/"/g, '""')}"`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
