// Ids from a file the user picks (CSV exported from a spreadsheet, or plain text): which column holds
// them, which lines are not ids, and how many were duplicates. Pure functions; the file is read in the
// window (an <input type="file">), nothing is uploaded anywhere.
import type { FieldKind } from "../bindings/FieldKind";

/** Whole numbers (serials, notification ids) or text identifiers (transactions). */
export type IdKind = "integer" | "text";

/** The kind of ids a list field holds. */
export function idKindOf(kind: FieldKind): IdKind {
  return kind === "integer_list" ? "integer" : "text";
}

/** Files larger than this are refused before reading (10 MB: about 800,000 serials). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** More ids than this in one file are refused. */
export const MAX_IDS = 100_000;
/** Bad lines named one by one in the summary; the rest are counted. */
export const MAX_LINES_NAMED = 5;

export type IdFileError =
  | { error: "empty" }
  | { error: "not_text" }
  | { error: "too_large_bytes"; max: number }
  | { error: "too_many"; max: number }
  | { error: "no_id_column"; column: string | null; hint: "scientific" | null };

export type IdFileOk = {
  ids: string[];
  duplicates: number;
  /** 1-based line numbers (of the file) whose value is not an id. */
  badLines: number[];
  /** The header of the column the ids came from, when the file has a header row. */
  column: string | null;
  /** Some bad values look like numbers a spreadsheet wrote in scientific notation (9.0E+10). */
  hint: "scientific" | null;
};

export type IdFileResult = IdFileOk | IdFileError;

export function isIdFileError(r: IdFileResult): r is IdFileError {
  return "error" in r;
}

/** Column headers taken for an id column (compared lowercased, with spaces and dashes as `_`). */
const ID_HEADER =
  /^(serials?(_?(no|nr|number))?|ids?|notification_?ids?|tx_?ids?|transactions?(_?(id|identifier)s?)?|identifiers?|end_?to_?end(_?ids?)?|e2e(_?ids?)?|external_?ids?)$/;

export function looksLikeIdHeader(cell: string): boolean {
  const n = cell.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return ID_HEADER.test(n);
}

/** Whether `v` is an id of this kind, and its normalized form (serials without leading zeros). */
export function normalizeId(v: string, kind: IdKind): string | null {
  const s = v.trim();
  if (!s) return null;
  if (kind === "integer") return /^\d{1,19}$/.test(s) ? s.replace(/^0+(?=\d)/, "") : null;
  // Text ids travel in a list separated by spaces, commas or semicolons: they cannot contain those.
  return s.length <= 200 && !/[\s,;"'\u0000-\u001f]/.test(s) ? s : null;
}

const SCIENTIFIC = /^\d+(\.\d+)?e\+?\d+$/i;

/** Splits one CSV line (RFC 4180 quotes, the given delimiter); `null` delimiter = one cell. */
function cells(line: string, delimiter: string | null): string[] {
  if (delimiter === null) return [line];
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (c === delimiter) {
      out.push(cell);
      cell = "";
    } else cell += c;
  }
  out.push(cell);
  return out.map((x) => x.trim());
}

/** The delimiter most lines agree on: comma, semicolon (European spreadsheets) or tab; `null` = none. */
function detectDelimiter(lines: string[]): string | null {
  const sample = lines.slice(0, 20);
  let best: string | null = null;
  let bestLines = 0;
  for (const d of [",", ";", "\t"]) {
    const n = sample.filter((l) => cells(l, d).length > 1).length;
    if (n > bestLines) {
      best = d;
      bestLines = n;
    }
  }
  return best;
}

/**
 * The ids in a file's text, either
 * - a table (a CSV file, or any file whose header row names columns): with a header row, the first
 *   column whose header looks like serial / id / txid / end_to_end / external_id, else the first column;
 *   without one, the first column; or
 * - a list (a plain text file): one id per line, or several separated by commas, semicolons or spaces,
 *   as in the pasted lists.
 * Ids are de-duplicated in file order; lines holding something that is not an id are reported by number;
 * blank lines are skipped.
 */
export function parseIdFile(text: string, kind: IdKind, fileName = ""): IdFileResult {
  if (text.includes("\u0000")) return { error: "not_text" };
  const all = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const numbered = all.map((line, i) => ({ line, n: i + 1 })).filter((l) => l.line.trim() !== "");
  if (!numbered.length) return { error: "empty" };
  const delimiter = detectDelimiter(numbered.map((l) => l.line));
  const rows = numbered.map((l) => ({ n: l.n, cells: cells(l.line, delimiter) }));

  // Header row: a cell named like an id column, or a first cell of letters only above one with digits.
  let column = 0;
  let header: string | null = null;
  const first = rows[0].cells;
  const named = first.findIndex(looksLikeIdHeader);
  if (named >= 0) {
    column = named;
    header = first[named];
  } else if (
    /\p{L}/u.test(first[0] ?? "") &&
    !/\d/.test(first[0] ?? "") &&
    (rows.length === 1 || /\d/.test(rows[1].cells[0] ?? ""))
  ) {
    header = first[0];
  }
  const data = header !== null ? rows.slice(1) : rows;
  const table = (delimiter !== null && header !== null) || /\.(csv|tsv)$/i.test(fileName);

  const ids: string[] = [];
  const seen = new Set<string>();
  const badLines: number[] = [];
  let duplicates = 0;
  let scientific = 0;
  for (const r of data) {
    const values = table ? [r.cells[column] ?? ""] : r.cells.join(" ").split(/[\s,;]+/).filter(Boolean);
    if (!values.length || values.every((v) => v === "")) {
      if (r.cells.some((c) => c !== "")) badLines.push(r.n);
      continue;
    }
    let bad = false;
    for (const v of values) {
      const id = normalizeId(v, kind);
      if (id === null) {
        bad = true;
        if (SCIENTIFIC.test(v.trim())) scientific++;
      } else if (seen.has(id)) duplicates++;
      else {
        seen.add(id);
        ids.push(id);
      }
    }
    if (bad) badLines.push(r.n);
  }
  const hint = scientific > 0 ? "scientific" : null;
  if (!ids.length) return { error: "no_id_column", column: header, hint };
  if (ids.length > MAX_IDS) return { error: "too_many", max: MAX_IDS };
  return { ids, duplicates, badLines, column: header, hint };
}

/** Reads a picked file (refusing one that is too large before reading it) and parses it. */
export async function readIdFile(file: File, kind: IdKind): Promise<IdFileResult> {
  if (file.size > MAX_FILE_BYTES) return { error: "too_large_bytes", max: MAX_FILE_BYTES / (1024 * 1024) };
  if (file.size === 0) return { error: "empty" };
  const text = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsText(file);
  });
  return parseIdFile(text, kind, file.name);
}
