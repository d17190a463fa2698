// The date-time fields as screens use them: loaded on first use, so the date library (about 50 kB gzipped) is
// not in the script the window starts with (docs/performance.md). Until it has loaded, a box of the same size
// stands in; preloadDateTimeFields() starts the load early (e.g. once the first screen is painted).
import { lazy, Suspense } from "react";
import type { DateTimeFieldProps, DateTimeRangeProps, OutageHoursProps } from "./DateTimeField";

let loading: ReturnType<typeof load> | null = null;
function load() {
  return import("./DateTimeField");
}

/** Starts loading the fields' code (once); harmless to call again. */
export function preloadDateTimeFields() {
  loading ??= load();
  return loading;
}

const Field = lazy(() => preloadDateTimeFields().then((m) => ({ default: m.DateTimeField })));
const Range = lazy(() => preloadDateTimeFields().then((m) => ({ default: m.DateTimeRange })));
const Outage = lazy(() => preloadDateTimeFields().then((m) => ({ default: m.OutageHours })));

/**
 * Stands in for the fields while their code loads: their labels and empty, disabled inputs (styled by the
 * start-up stylesheet, as the fields' own styles load with them), so little moves when they arrive.
 */
function Placeholder(props: { labels: string[]; testId: string; hideLabels?: boolean }) {
  return (
    <div className="row" data-testid={`${props.testId}-loading`} aria-busy="true">
      {props.labels.map((l) => (
        <label className="field" key={l}>
          <span className={props.hideLabels ? "visually-hidden" : "field-label"}>{l}</span>
          <input disabled />
        </label>
      ))}
    </div>
  );
}

export function LazyDateTimeField(props: DateTimeFieldProps) {
  return (
    <Suspense fallback={<Placeholder labels={[props.label]} hideLabels={props.hideLabel} testId={props.testId ?? "datetime"} />}>
      <Field {...props} />
    </Suspense>
  );
}

export function LazyDateTimeRange(props: DateTimeRangeProps & { fromLabel: string; toLabel: string }) {
  return (
    <Suspense fallback={<Placeholder labels={[props.fromLabel, props.toLabel]} testId={props.testId ?? "range"} />}>
      <Range {...props} />
    </Suspense>
  );
}

export function LazyOutageHours(props: OutageHoursProps) {
  return (
    <Suspense fallback={null}>
      <Outage {...props} />
    </Suspense>
  );
}
