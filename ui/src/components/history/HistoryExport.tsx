// Exporting the filtered history: a readable CSV for people (an auditor) by default, the technical one (with
// the redacted requests and responses) on request. In a team workspace, the whole team's trail the same way
// (every member's actions this member may see, with their member). The app asks where to save it with the
// system's Save dialog, shows the progress, and offers "Show in folder" afterwards.
import { useState } from "react";
import { useTranslation } from "../../i18n";
import { shortcutProps } from "../../lib/shortcuts";
import { api, asCoreError, type CoreError, type ExportResult, type HistoryFilter } from "../../api";
import type { TeamExport } from "../../bindings/TeamExport";
import type { ZoneChoice } from "../../lib/datetime";
import { ErrorBox } from "../ErrorBox";

/** What an export came to (kept with the screen's state for the session). */
export type ExportState = { result: ExportResult; readable: boolean } | null;

export function HistoryExportButtons(props: {
  filter: HistoryFilter;
  /** The whole team's trail (narrowed to a member) instead of this computer's history. */
  team: TeamExport | null;
  /** How many rows the export holds, when known (the team's trail is not counted). */
  total: number | null;
  zone: ZoneChoice;
  onDone: (s: ExportState) => void;
  onProgress: (p: { done: number; total: number } | null) => void;
  onError: (e: CoreError | null) => void;
  busy: boolean;
}) {
  const { t, i18n } = useTranslation();
  const run = async (readable: boolean) => {
    props.onDone(null);
    props.onError(null);
    props.onProgress({ done: 0, total: props.total ?? 0 });
    let unlisten: (() => void) | null = null;
    try {
      unlisten = await api.onExportProgress((done, total) => props.onProgress({ done, total }));
    } catch {
      unlisten = null;
    }
    try {
      const result = await api.historyExportCsv(props.filter, {
        readable,
        language: i18n.language,
        zone: props.zone === "UTC" ? "utc" : "local",
        ...(props.team ? { team: props.team } : {}),
      });
      props.onDone(result ? { result, readable } : null);
    } catch (e) {
      props.onError(asCoreError(e));
    } finally {
      unlisten?.();
      props.onProgress(null);
    }
  };
  return (
    <div className="row export-buttons">
      <button type="button" className="btn small" onClick={() => run(false)} disabled={props.busy} data-testid="history-export-technical" title={t("history.export_technical_help")}>
        {t("history.export_technical")}
      </button>
      <button type="button" className="btn primary" onClick={() => run(true)} disabled={props.busy} data-testid="history-export" {...shortcutProps(t, "main", t("history.export_help"))}>
        {t("history.export")}
      </button>
    </div>
  );
}

/** The export's progress, where it went (with "Show in folder"), or why it failed. */
export function HistoryExportStatus(props: {
  progress: { done: number; total: number } | null;
  done: ExportState;
  error: CoreError | null;
}) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const [revealError, setRevealError] = useState<CoreError | null>(null);
  const { progress, done } = props;
  const reveal = async (path: string) => {
    setRevealError(null);
    try {
      await api.showInFolder(path);
    } catch (e) {
      setRevealError(asCoreError(e));
    }
  };
  return (
    <>
      {progress && (
        <div className="inline-result neutral" data-testid="export-progress">
          {progress.total > 0 ? (
            <>
              {t("history.exporting", { done: nf.format(progress.done), total: nf.format(progress.total) })}
              <progress max={progress.total} value={progress.done} />
            </>
          ) : (
            <>
              {/* The team's trail is not counted first: the rows so far, and a bar without an end. */}
              {t("history.exporting_uncounted", { count: progress.done, done: nf.format(progress.done) })}
              <progress />
            </>
          )}
        </div>
      )}
      {done && (
        <div className="inline-result ok export-done" data-testid="export-done" data-path={done.result.path} data-readable={done.readable}>
          <span>
            {t(done.readable ? "history.exported_readable" : "history.exported_technical", {
              count: done.result.rows,
              rows: nf.format(done.result.rows),
              path: done.result.path,
            })}
          </span>
          <button type="button" className="btn small" onClick={() => reveal(done.result.path)} data-testid="export-show-folder">
            {t("common.show_in_folder")}
          </button>
        </div>
      )}
      {revealError && <ErrorBox error={revealError} compact testId="export-reveal-error" />}
      {props.error && <ErrorBox error={props.error} testId="export-error" />}
    </>
  );
}
