// Typed names, as a confirmation asks for them: the same name whatever dash, spacing or case is typed.

/** Every dash and hyphen people type or paste for one (‐ ‑ ‒ – — ― − -). */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D-]/g;
/** The separators a label may hold between words (a middle dot, a bullet) are read like the dashes. */
const DOTS = /[\u00B7\u2022\u2027\u30FB]/g;

/** A name as compared: Unicode-normalized, one kind of dash, single spaces around nothing, lower case. */
export function normalizeName(s: string): string {
  return s
    .normalize("NFKC")
    .replace(DASHES, "-")
    .replace(DOTS, "·")
    .replace(/\s+/g, " ")
    .replace(/\s*([-·])\s*/g, "$1")
    .trim()
    .toLocaleLowerCase();
}

/** How a typed name compares with the expected one. */
export type NameCheck =
  | { kind: "same" }
  | { kind: "empty" }
  /** What is typed so far is how the name begins. */
  | { kind: "partial" }
  /** It differs: the expected name's part from the first difference on, for the message. */
  | { kind: "different"; at: number; expectedFrom: string };

/** Compares ignoring dash style, spacing and case; says where a different name stops matching. */
export function compareNames(typed: string, expected: string): NameCheck {
  const a = normalizeName(typed);
  const b = normalizeName(expected);
  if (!a) return { kind: "empty" };
  if (a === b) return { kind: "same" };
  if (b.startsWith(a)) return { kind: "partial" };
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return { kind: "different", at: i + 1, expectedFrom: b.slice(i, i + 12) };
}
