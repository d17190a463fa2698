import { useRef, useState, type ReactNode } from "react";
import { useTranslation, type TFunction } from "../i18n";
import { MAX_LINES_NAMED, isIdFileError, readIdFile, type IdFileResult, type IdKind } from "../lib/idfile";

/** What the last load said, in the UI language. */
export function describeLoad(t: TFunction, lang: string, file: string, kind: IdKind, r: IdFileResult): { ok: boolean; lines: string[] } {
  const nf = new Intl.NumberFormat(lang);
  if (isIdFileError(r)) {
    const key = r.error === "no_id_column" ? `no_id_column_${kind}` : r.error;
    const lines = [t(`idfile.error.${key}`, { file, max: "max" in r ? nf.format(r.max) : "" })];
    if (r.error === "no_id_column" && r.hint === "scientific") lines.push(t("idfile.hint_scientific"));
    return { ok: false, lines };
  }
  const lines = [
    r.column !== null
      ? t("idfile.loaded_column", { file, column: r.column, n: nf.format(r.ids.length) })
      : t("idfile.loaded", { file, n: nf.format(r.ids.length) }),
  ];
  if (r.duplicates) lines.push(t("idfile.duplicates", { n: nf.format(r.duplicates) }));
  if (r.badLines.length) {
    const named = r.badLines.slice(0, MAX_LINES_NAMED).map((n) => t("idfile.line", { n: String(n) }));
    const rest = r.badLines.length - named.length;
    const list = named.join(t("idfile.list_sep")) + (rest > 0 ? ` ${t("idfile.more", { n: nf.format(rest) })}` : "");
    lines.push(t("idfile.bad_lines", { n: nf.format(r.badLines.length), lines: list }));
  }
  if (r.hint === "scientific") lines.push(t("idfile.hint_scientific"));
  return { ok: true, lines };
}

/**
 * "Load from file…": the user picks a .csv or .txt file; its ids replace the list (`onLoaded`), and a
 * summary says how many were loaded, how many duplicates were skipped and which lines were not ids.
 */
export function LoadIds(props: { kind: IdKind; onLoaded: (ids: string[]) => void; testId?: string; children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<{ ok: boolean; lines: string[] } | null>(null);
  const id = props.testId ?? "load-ids";

  const load = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const r = await readIdFile(file, props.kind);
      if (!isIdFileError(r)) props.onLoaded(r.ids);
      setSummary(describeLoad(t, i18n.language, file.name, props.kind, r));
    } catch {
      setSummary({ ok: false, lines: [t("idfile.error.unreadable", { file: file.name })] });
    } finally {
      setBusy(false);
      // The same file can be picked again after it was changed.
      if (input.current) input.current.value = "";
    }
  };

  return (
    <div className="load-ids" data-testid={id}>
      <div className="row">
        <button type="button" className="btn small" disabled={busy} onClick={() => input.current?.click()} data-testid={`${id}-button`} title={t("idfile.help")}>
          {busy ? t("idfile.reading") : t("idfile.load")}
        </button>
        <input
          ref={input}
          type="file"
          accept=".csv,.txt,.tsv,text/csv,text/plain"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid={`${id}-input`}
          onChange={(e) => void load(e.target.files?.[0])}
        />
        {props.children}
      </div>
      {summary && (
        <div className={summary.ok ? "load-summary" : "load-summary bad"} role={summary.ok ? "status" : "alert"} data-testid={summary.ok ? `${id}-summary` : `${id}-error`}>
          {summary.lines.map((l, i) => (
            <div key={i}>{l}</div>
          ))}
        </div>
      )}
    </div>
  );
}
