// Date-time fields in the app language's format: typed segment by segment (day, month, year, hour, minute in
// English and Portuguese; year, month, day first in Chinese), 24-hour, in local time or UTC with the zone
// shown beside them, empty until the user types or picks a preset. Values are Unix milliseconds.
// Screens load this module through DateTimeField.lazy.tsx, so the date library stays out of the start-up script.
import "./DateTimeField.css";
import { useCallback, useContext, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { useTranslation, matchLanguage } from "../i18n";
import { DateField, DateFieldStateContext, DateInput, DateSegment, I18nProvider, Label, Text, TimeField } from "react-aria-components";
import { CalendarDateTime, Time, fromAbsolute, toCalendarDateTime, toZoned } from "@internationalized/date";
import { DATE_LOCALES, offsetText, zoneId, type ZoneChoice } from "../lib/datetime";

export type Granularity = "minute" | "second";

/** A moment a single field can be set to with one click. */
export type InstantPreset = "now" | "hour_ago" | "day_ago" | { id: string; label: string; at: number };

/** A from–to window a range can be set to with one click; a named one (e.g. an outage) carries its own times. */
export type RangePreset = "last_hour" | "last_24h" | "today" | "yesterday" | { id: string; label: string; from: number; to: number };

export interface Range {
  /** Inclusive start, Unix milliseconds. */
  from: number | null;
  /** Exclusive end, Unix milliseconds (like the History filter's `to_ms`). */
  to: number | null;
}

/** Unix milliseconds as the wall-clock date and time they are in a time zone. */
export function msToDateTime(ms: number, timeZone: string): CalendarDateTime {
  return toCalendarDateTime(fromAbsolute(ms, timeZone));
}

/**
 * A wall-clock date and time in a time zone as Unix milliseconds. A time skipped by a daylight-saving change
 * moves forward by the change; a time that happens twice is the earlier one (`compatible`, as `Date` does).
 */
export function dateTimeToMs(value: CalendarDateTime, timeZone: string): number {
  return toZoned(value, timeZone, "compatible").toDate().getTime();
}

/** `ms` cut to what a field shows (whole minutes or seconds in `timeZone`), so what is sent is what is shown. */
export function truncate(ms: number, timeZone: string, granularity: Granularity, roundUp = false): number {
  const d = msToDateTime(ms, timeZone);
  const cut = d.set(granularity === "minute" ? { second: 0, millisecond: 0 } : { millisecond: 0 });
  const down = dateTimeToMs(cut, timeZone);
  if (!roundUp || down === ms) return down;
  return dateTimeToMs(cut.add(granularity === "minute" ? { minutes: 1 } : { seconds: 1 }), timeZone);
}

/** Midnight starting the day `daysFromToday` (0 today, −1 yesterday) in `timeZone`. */
function midnight(now: number, timeZone: string, daysFromToday: number): number {
  const d = msToDateTime(now, timeZone).set({ hour: 0, minute: 0, second: 0, millisecond: 0 }).add({ days: daysFromToday });
  return dateTimeToMs(d, timeZone);
}

/**
 * The time a preset stands for at `now`, in whole minutes whatever the field's granularity: "1 hour ago" then
 * "Now" clicked a few seconds apart still make one hour, not one hour and a few seconds.
 */
export function instantPresetMs(p: InstantPreset, now: number, timeZone: string, _granularity: Granularity): number {
  if (typeof p !== "string") return p.at;
  const back = { now: 0, hour_ago: 3_600_000, day_ago: 86_400_000 }[p];
  return truncate(now - back, timeZone, "minute");
}

export function rangePresetMs(p: RangePreset, now: number, timeZone: string, granularity: Granularity): Range {
  if (typeof p !== "string") return { from: p.from, to: p.to };
  const end = truncate(now, timeZone, granularity, true);
  switch (p) {
    case "last_hour":
      return { from: truncate(now - 3_600_000, timeZone, granularity), to: end };
    case "last_24h":
      return { from: truncate(now - 86_400_000, timeZone, granularity), to: end };
    case "today":
      return { from: midnight(now, timeZone, 0), to: midnight(now, timeZone, 1) };
    case "yesterday":
      return { from: midnight(now, timeZone, -1), to: midnight(now, timeZone, 0) };
  }
}

/** Keys that end a segment early, as people type them between the parts of a date or time. */
const SEPARATORS = new Set(["/", ".", "-", ":", " ", ",", "年", "月", "日"]);

export interface DateTimeFieldProps {
  label: string;
  /** The label is read out but not drawn (the form draws its own above the field). */
  hideLabel?: boolean;
  /** Unix milliseconds, or null for no value (the field then shows its placeholders). */
  value: number | null;
  /** Called with the new value once every segment is filled, and with null when the field is cleared. */
  onChange: (ms: number | null) => void;
  zone: ZoneChoice;
  granularity?: Granularity;
  presets?: InstantPreset[];
  /** Told whether the user has filled some segments but not all (such a field has no value yet). */
  onIncompleteChange?: (incomplete: boolean) => void;
  /** An error of the screen's own (e.g. a range in the wrong order), shown under the field. */
  errorMessage?: string | null;
  testId?: string;
  /** The clock presets count from (tests give a fixed one). */
  now?: () => number;
}

/** One date-time field. */
export function DateTimeField(props: DateTimeFieldProps) {
  const { t, i18n } = useTranslation();
  const { onChange, onIncompleteChange, zone } = props;
  const granularity = props.granularity ?? "minute";
  const testId = props.testId ?? "datetime";
  const locale = DATE_LOCALES[matchLanguage(i18n.language)];
  const tz = zoneId(zone);
  const clock = props.now ?? Date.now;
  const value = useMemo(() => (props.value === null ? null : msToDateTime(props.value, tz)), [props.value, tz]);
  const [incomplete, setIncomplete] = useState(false);
  const [focused, setFocused] = useState(false);
  const typed = useRef(false);

  // The latest callback, so that a new function from each render of the screen does not re-report.
  const onIncompleteRef = useRef(onIncompleteChange);
  useEffect(() => {
    onIncompleteRef.current = onIncompleteChange;
  }, [onIncompleteChange]);
  const reportIncomplete = useCallback((v: boolean) => {
    setIncomplete(v);
    onIncompleteRef.current?.(v);
  }, []);

  // Typing a separator (04/12…) after a segment's digits moves on to the next segment, as people expect when
  // they type the whole date; one typed right after the field moved on by itself is ignored.
  const onKeyDownCapture = (e: KeyboardEvent<HTMLDivElement>) => {
    const segment = e.target as HTMLElement;
    if (segment.getAttribute("contenteditable") !== "true" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) typed.current = true;
    else if (SEPARATORS.has(e.key)) {
      e.preventDefault();
      if (!typed.current) return;
      const segments = [...e.currentTarget.querySelectorAll<HTMLElement>("[contenteditable=true]")];
      segments[segments.indexOf(segment) + 1]?.focus();
    }
  };
  const onFocusCapture = () => {
    typed.current = false;
  };

  const zoneLabel =
    zone === "UTC"
      ? t("datetime.zone_utc")
      : t("datetime.zone_local", { offset: offsetText(fromAbsolute(props.value ?? clock(), tz).offset) });
  const error = props.errorMessage ?? (incomplete && !focused ? t("datetime.incomplete") : null);

  return (
    <I18nProvider locale={locale}>
      <div className="dt-field" data-testid={testId}>
        <DateField
          className="dt-datefield"
          value={value}
          onChange={(v) => onChange(v === null ? null : dateTimeToMs(v, tz))}
          granularity={granularity}
          hourCycle={24}
          shouldForceLeadingZeros
          isInvalid={!!error}
          onFocusChange={setFocused}
        >
          <Label className={props.hideLabel ? "visually-hidden" : "field-label"}>{props.label}</Label>
          <div className="dt-row">
            <div className="dt-segments" onKeyDownCapture={onKeyDownCapture} onFocusCapture={onFocusCapture}>
              <DateInput className="dt-input" data-testid={`${testId}-input`}>
                {(segment) => <DateSegment className="dt-segment" segment={segment} />}
              </DateInput>
            </div>
            <Text slot="description" className="dt-zone" title={tz} data-testid={`${testId}-zone`}>
              {zoneLabel}
            </Text>
            <ClearButton label={t("datetime.clear")} testId={`${testId}-clear`} />
          </div>
          {error && (
            <Text slot="errorMessage" className="field-error" data-testid={`${testId}-error`}>
              {error}
            </Text>
          )}
          <IncompleteWatcher onChange={reportIncomplete} />
        </DateField>
        <PresetButtons presets={props.presets} testId={testId} onPick={(p) => onChange(instantPresetMs(p, clock(), tz, granularity))} />
      </div>
    </I18nProvider>
  );
}

/** Empties the field, including segments typed but not finished (which have no value to set to null). */
function ClearButton(props: { label: string; testId: string }) {
  const state = useContext(DateFieldStateContext);
  if (!state?.segments.some((s) => s.isEditable && !s.isPlaceholder)) return null;
  const clear = (e: MouseEvent<HTMLButtonElement>) => {
    // The button goes with the value: focus moves to the first segment rather than being lost.
    e.currentTarget.closest(".dt-datefield")?.querySelector<HTMLElement>("[contenteditable=true]")?.focus();
    state.setValue(null);
  };
  return (
    <button type="button" className="btn small" data-testid={props.testId} onClick={clear}>
      {props.label}
    </button>
  );
}

/** Tells whether some segments are filled and others not: such a field has no value, and must say so. */
function IncompleteWatcher(props: { onChange: (incomplete: boolean) => void }) {
  const state = useContext(DateFieldStateContext);
  const editable = state?.segments.filter((s) => s.isEditable) ?? [];
  const incomplete = editable.some((s) => s.isPlaceholder) && editable.some((s) => !s.isPlaceholder);
  const { onChange } = props;
  useEffect(() => onChange(incomplete), [incomplete, onChange]);
  return null;
}

export interface DateTimeRangeProps {
  value: Range;
  onChange: (range: Range) => void;
  /** Told whether either field is typed but not finished (the range then lacks that end). */
  onIncompleteChange?: (incomplete: boolean) => void;
  zone: ZoneChoice;
  granularity?: Granularity;
  presets?: RangePreset[];
  fromLabel?: string;
  toLabel?: string;
  testId?: string;
  now?: () => number;
}

/** A from–until window: two fields (either may stay empty), with presets that fill both. */
export function DateTimeRange(props: DateTimeRangeProps) {
  const { t } = useTranslation();
  const granularity = props.granularity ?? "minute";
  const testId = props.testId ?? "range";
  const clock = props.now ?? Date.now;
  const { from, to } = props.value;
  const misordered = from !== null && to !== null && to <= from;
  const unfinished = useRef({ from: false, to: false });
  const onIncompleteRef = useRef(props.onIncompleteChange);
  useEffect(() => {
    onIncompleteRef.current = props.onIncompleteChange;
  }, [props.onIncompleteChange]);
  const report = useCallback((end: "from" | "to", v: boolean) => {
    unfinished.current[end] = v;
    onIncompleteRef.current?.(unfinished.current.from || unfinished.current.to);
  }, []);
  const fromIncomplete = useCallback((v: boolean) => report("from", v), [report]);
  const toIncomplete = useCallback((v: boolean) => report("to", v), [report]);
  return (
    <div className="dt-range" data-testid={testId}>
      <div className="dt-range-fields">
        <DateTimeField
          label={props.fromLabel ?? t("datetime.from")}
          value={from}
          onChange={(v) => props.onChange({ from: v, to })}
          zone={props.zone}
          granularity={granularity}
          testId={`${testId}-from`}
          onIncompleteChange={fromIncomplete}
          now={props.now}
        />
        <DateTimeField
          label={props.toLabel ?? t("datetime.to")}
          value={to}
          onChange={(v) => props.onChange({ from, to: v })}
          zone={props.zone}
          granularity={granularity}
          testId={`${testId}-to`}
          errorMessage={misordered ? t("datetime.order") : null}
          onIncompleteChange={toIncomplete}
          now={props.now}
        />
      </div>
      <PresetButtons
        presets={props.presets}
        testId={testId}
        onPick={(p) => props.onChange(rangePresetMs(p, clock(), zoneId(props.zone), granularity))}
      />
    </div>
  );
}

export interface OutageHoursProps {
  zone: ZoneChoice;
  /** Called with the window once both times are typed (and again when the day or a time changes). */
  onChange: (range: Range) => void;
  testId?: string;
  now?: () => number;
}

/** A wall-clock time of one of the last days, in a zone: `daysFromToday` 0 today, −1 yesterday. */
export function dayTimeMs(now: number, timeZone: string, daysFromToday: number, time: { hour: number; minute: number }): number {
  const day = msToDateTime(midnight(now, timeZone, daysFromToday), timeZone);
  return dateTimeToMs(day.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }), timeZone);
}

/**
 * The hours of an outage, as people remember them: today or yesterday, from one time to another (an end at
 * or before the start is on the next day, e.g. 22:00–02:00). Fills a from–until window when both are typed.
 */
export function OutageHours(props: OutageHoursProps) {
  const { t, i18n } = useTranslation();
  const locale = DATE_LOCALES[matchLanguage(i18n.language)];
  const testId = props.testId ?? "outage";
  const clock = props.now ?? Date.now;
  // No day until one is picked: nothing is assumed.
  const [day, setDay] = useState<0 | -1 | null>(null);
  const [from, setFrom] = useState<Time | null>(null);
  const [to, setTo] = useState<Time | null>(null);
  const apply = (d: 0 | -1 | null, f: Time | null, u: Time | null) => {
    if (d === null || !f || !u) return;
    const tz = zoneId(props.zone);
    const start = dayTimeMs(clock(), tz, d, f);
    const endSameDay = dayTimeMs(clock(), tz, d, u);
    props.onChange({ from: start, to: endSameDay > start ? endSameDay : dayTimeMs(clock(), tz, d + 1, u) });
  };
  const time = (label: string, value: Time | null, set: (v: Time | null) => void, id: string) => (
    <TimeField className="dt-datefield dt-time" value={value} onChange={set} hourCycle={24} shouldForceLeadingZeros granularity="minute" aria-label={label}>
      <DateInput className="dt-input dt-input-time" data-testid={`${testId}-${id}-input`}>
        {(segment) => <DateSegment className="dt-segment" segment={segment} />}
      </DateInput>
    </TimeField>
  );
  return (
    <I18nProvider locale={locale}>
      <div className="dt-outage" data-testid={testId} role="group" aria-label={t("datetime.outage")}>
        <span className="dt-outage-label">{t("datetime.outage")}</span>
        <div className="row dt-outage-days">
          {([0, -1] as const).map((d) => (
            <button
              key={d}
              type="button"
              className={`btn small${day === d ? " primary" : ""}`}
              aria-pressed={day === d}
              data-testid={`${testId}-${d === 0 ? "today" : "yesterday"}`}
              onClick={() => {
                setDay(d);
                apply(d, from, to);
              }}
            >
              {t(d === 0 ? "datetime.preset.today" : "datetime.preset.yesterday")}
            </button>
          ))}
        </div>
        <span className="dt-outage-word">{t("datetime.outage_from")}</span>
        {time(t("datetime.outage_from_label"), from, (v) => {
          setFrom(v);
          apply(day, v, to);
        }, "from")}
        <span className="dt-outage-word">{t("datetime.outage_to")}</span>
        {time(t("datetime.outage_to_label"), to, (v) => {
          setTo(v);
          apply(day, from, v);
        }, "to")}
      </div>
    </I18nProvider>
  );
}

/** Quick choices of a field or a range: a button each, named from the catalog or by the preset's own label. */
function PresetButtons<P extends string | { id: string; label: string }>(props: {
  presets?: P[];
  testId: string;
  onPick: (p: P) => void;
}) {
  const { t } = useTranslation();
  if (!props.presets || props.presets.length === 0) return null;
  return (
    <div className="row dt-presets" role="group" aria-label={t("datetime.presets")}>
      {props.presets.map((p) => {
        const id = typeof p === "string" ? p : p.id;
        return (
          <button key={id} type="button" className="btn small" data-testid={`${props.testId}-preset-${id}`} onClick={() => props.onPick(p)}>
            {typeof p === "string" ? t(`datetime.preset.${p}`) : p.label}
          </button>
        );
      })}
    </div>
  );
}
