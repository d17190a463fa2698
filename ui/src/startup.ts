// Moments of the page's start-up, in ms since the page began loading (`performance.now()`), reported to
// the shell with `ui_ready` so the log splits launch-to-interactive into its parts (docs/performance.md).
export interface StartupMarks {
  /** The main script has been evaluated (React and every screen's code parsed and run). */
  script?: number;
  /** The language catalog is ready. */
  catalog?: number;
  /** The first render has been committed (before the browser paints it). */
  mounted?: number;
  /** The first answer to a backend call arrived. */
  firstIpc?: number;
}

export const startupMarks: StartupMarks = {};

/** Records `name` the first time it happens. */
export function mark(name: keyof StartupMarks) {
  if (startupMarks[name] === undefined) {
    startupMarks[name] = performance.now();
    // Also on the page's performance timeline, beside the browser's own entries (navigation, resources, paint).
    performance.mark?.(`startup:${name}`);
  }
}
