import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES, MAX_IDS, isIdFileError, looksLikeIdHeader, parseIdFile, readIdFile, type IdFileOk } from "./idfile";

const ok = (r: ReturnType<typeof parseIdFile>): IdFileOk => {
  if (isIdFileError(r)) throw new Error(`expected ids, got ${JSON.stringify(r)}`);
  return r;
};

describe("ids from a file", () => {
  it("reads one serial per line, skipping blank lines, duplicates and leading zeros", () => {
    const r = ok(parseIdFile("90000000001\n\n90000000002\r\n090000000001\n90000000003\n", "integer", "serials.txt"));
    expect(r.ids).toEqual(["90000000001", "90000000002", "90000000003"]);
    expect(r.duplicates).toBe(1);
    expect(r.badLines).toEqual([]);
    expect(r.column).toBeNull();
  });

  it("names the lines that are not ids by their line number in the file", () => {
    const text = ["serial", "1", "2", "", "abc", "3", "4.5", "2"].join("\n");
    const r = ok(parseIdFile(text, "integer", "s.csv"));
    expect(r.column).toBe("serial");
    expect(r.ids).toEqual(["1", "2", "3"]);
    expect(r.badLines).toEqual([5, 7]);
    expect(r.duplicates).toBe(1);
  });

  it("takes the first column whose header looks like an id column, else the first column", () => {
    const csv = "\uFEFFdate,amount,Serial No.,note\n2024-01-01,10,90000000001,a\n2024-01-02,20,90000000002,\"b, c\"\n";
    const r = ok(parseIdFile(csv, "integer", "export.csv"));
    expect(r.column).toBe("Serial No.");
    expect(r.ids).toEqual(["90000000001", "90000000002"]);
    // Semicolons (European spreadsheets) and quoted cells.
    const eu = 'nome;end_to_end;valor\n"Ana";E1234567820240101abcdef;"10,00"\nBia;E9999;5\n';
    expect(ok(parseIdFile(eu, "text", "pix.csv")).ids).toEqual(["E1234567820240101abcdef", "E9999"]);
    // A header without a known name: the first column.
    const plain = "Referência,Valor\nPAG-2024-0001,10\nPAG-2024-0002,20\n";
    const p = ok(parseIdFile(plain, "text", "avista.csv"));
    expect(p.column).toBe("Referência");
    expect(p.ids).toEqual(["PAG-2024-0001", "PAG-2024-0002"]);
    // No header at all: the first column of every line.
    expect(ok(parseIdFile("90000000001,2024-01-01\n90000000002,2024-01-02\n", "integer", "x.csv")).ids).toEqual([
      "90000000001",
      "90000000002",
    ]);
  });

  it("reads a plain list with several ids per line like a pasted one", () => {
    const r = ok(parseIdFile("1, 2; 3\n4 5\n", "integer", "list.txt"));
    expect(r.ids).toEqual(["1", "2", "3", "4", "5"]);
    const t = ok(parseIdFile("transaction_identifier\nPAG-1\nPAG-2 PAG-3\n", "text", "ids.txt"));
    expect(t.ids).toEqual(["PAG-1", "PAG-2", "PAG-3"]);
  });

  it("recognizes the usual id column names", () => {
    for (const h of ["serial", "Serials", "ID", "notification_id", "txid", "TX ID", "transaction_identifier", "End-to-End", "EndToEndId", "external_id", "externalId"]) {
      expect(looksLikeIdHeader(h), h).toBe(true);
    }
    for (const h of ["amount", "date", "order_id", "name", "serial_amount"]) expect(looksLikeIdHeader(h), h).toBe(false);
  });

  it("refuses empty files, files without ids, binary files and too many ids, saying why", () => {
    expect(parseIdFile("", "integer")).toEqual({ error: "empty" });
    expect(parseIdFile("\n \r\n", "integer")).toEqual({ error: "empty" });
    expect(parseIdFile("serial\nabc\ndef\n", "integer", "a.csv")).toEqual({ error: "no_id_column", column: "serial", hint: null });
    expect(parseIdFile("\u0000\u0001PK", "integer")).toEqual({ error: "not_text" });
    // Serials a spreadsheet shortened to scientific notation get a hint.
    expect(parseIdFile("serial\n9.0000000001E+10\n9E+10\n", "integer", "a.csv")).toEqual({
      error: "no_id_column",
      column: "serial",
      hint: "scientific",
    });
    const many = Array.from({ length: MAX_IDS + 1 }, (_, i) => String(i + 1)).join("\n");
    expect(parseIdFile(many, "integer")).toEqual({ error: "too_many", max: MAX_IDS });
  });

  it("text ids cannot hold separators; serials must be whole numbers", () => {
    const r = ok(parseIdFile("id\nPAG-1\nPAG 2\n=cmd\n", "text", "a.csv"));
    expect(r.ids).toEqual(["PAG-1", "=cmd"]);
    expect(r.badLines).toEqual([3]);
    const s = ok(parseIdFile("id\n1\n-2\n+3\n", "integer", "a.csv"));
    expect(s.ids).toEqual(["1"]);
    expect(s.badLines).toEqual([3, 4]);
  });

  it("reads a picked file, refusing one that is too large before reading it", async () => {
    const f = new File(["serial\n90000000001\n90000000001\n"], "s.csv", { type: "text/csv" });
    const r = ok(await readIdFile(f, "integer"));
    expect(r.duplicates).toBe(1);
    expect(r.ids).toEqual(["90000000001"]);
    const big = { size: MAX_FILE_BYTES + 1, name: "big.csv" } as unknown as File;
    expect(await readIdFile(big, "integer")).toEqual({ error: "too_large_bytes", max: 10 });
    expect(await readIdFile(new File([], "e.csv"), "integer")).toEqual({ error: "empty" });
  });
});
