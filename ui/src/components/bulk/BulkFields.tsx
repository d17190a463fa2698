// The bulk part of the Resend form, drawn from the operation's bulk shape: the time window (from–until, or
// since when for a provider without an end), for which values, which ids.
import { useTranslation } from "../../i18n";
import type { EachShape, FormField, IdsShape, OperationDescriptor, WindowShape } from "../../api";
import { useZone } from "../../hooks/useZone";
import { eachField, type BulkValues } from "../../lib/bulk";
import { idKindOf } from "../../lib/idfile";
import { listCount } from "../../lib/params";
import { LazyDateTimeField, LazyDateTimeRange, LazyOutageHours } from "../DateTimeField.lazy";
import { LoadIds } from "../LoadIds";

/** A change to the bulk values, applied to the latest ones (fields report from effects, after other changes). */
export type BulkUpdate = (prev: BulkValues) => BulkValues;

type Part = { values: BulkValues; set: (patch: Partial<BulkValues>) => void };

export function BulkFields(props: { op: OperationDescriptor; providerName: string; values: BulkValues; onChange: (update: BulkUpdate) => void }) {
  const bulk = props.op.bulk;
  if (!bulk) return null;
  const part: Part = { values: props.values, set: (patch) => props.onChange((prev) => ({ ...prev, ...patch })) };
  const of = eachField(props.op);
  return (
    <div className="bulk-fields" data-testid="bulk-fields">
      {bulk.window && <WindowFields shape={bulk.window} providerName={props.providerName} {...part} />}
      {bulk.each && of && <EachFields shape={bulk.each} field={of} {...part} />}
      {bulk.ids && <IdsFields shape={bulk.ids} {...part} />}
    </div>
  );
}

/**
 * The time window: from–until with quick choices and the hours of an outage; for a provider whose resend has
 * no end, since when only, saying so. Nothing is filled in until the user types or picks.
 */
function WindowFields({ shape, providerName, values: v, set }: Part & { shape: WindowShape; providerName: string }) {
  const { t } = useTranslation();
  const zone = useZone();
  if (!shape.has_end) {
    return (
      <div className="field wide" data-testid="bulk-window">
        <LazyDateTimeField
          label={t("bulk.since")}
          value={v.from}
          onChange={(from) => set({ from })}
          onIncompleteChange={(windowIncomplete) => set({ windowIncomplete })}
          zone={zone}
          presets={["hour_ago", "day_ago"]}
          testId="bulk-since"
        />
        <div className="info-note" data-testid="bulk-no-end">{t("bulk.no_end", { provider: providerName })}</div>
        <span className="field-help">{t(shape.help_key)}</span>
      </div>
    );
  }
  return (
    <fieldset className="field wide" data-testid="bulk-window">
      <legend className="field-label">{t("bulk.window")}</legend>
      <LazyDateTimeRange
        value={{ from: v.from, to: v.to }}
        onChange={(r) => set({ from: r.from, to: r.to })}
        onIncompleteChange={(windowIncomplete) => set({ windowIncomplete })}
        zone={zone}
        presets={["last_hour", "last_24h", "today", "yesterday"]}
        fromLabel={t("datetime.from")}
        toLabel={t("datetime.to")}
        testId="bulk-window"
      />
      <LazyOutageHours zone={zone} onChange={(r) => set({ from: r.from, to: r.to })} testId="bulk-outage" />
      <span className="field-help">{t(shape.help_key)}</span>
    </fieldset>
  );
}

/** One call per value ticked, among the choices of the single-call field the shape names. */
function EachFields({ shape, field, values: v, set }: Part & { shape: EachShape; field: FormField }) {
  const { t } = useTranslation();
  const order = (list: string[]) => field.choices.filter((c) => list.includes(c));
  return (
    <fieldset className="field wide">
      <legend className="field-label">{t(shape.label_key)}</legend>
      <div className="row wrap">
        {field.choices.map((c) => (
          <label className="check" key={c}>
            <input
              type="checkbox"
              checked={v.each.includes(c)}
              data-testid={`bulk-each-${c}`}
              onChange={(ev) => set({ each: ev.target.checked ? order([...v.each, c]) : v.each.filter((x) => x !== c) })}
            />
            <span>{t(`${field.choices_key}.${c}`)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The ids to send, pasted or loaded from a file; or everything, when the provider has a call for it. */
function IdsFields({ shape, values: v, set }: Part & { shape: IdsShape }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const list = (ariaLabel: string | undefined) => (
    <>
      <textarea
        id="bulk-list"
        rows={6}
        value={v.list}
        onChange={(e) => set({ list: e.target.value })}
        data-testid="bulk-list"
        placeholder={shape.kind === "integer_list" ? "90000000001, 90000000002" : undefined}
        aria-label={ariaLabel}
      />
      <LoadIds kind={idKindOf(shape.kind)} onLoaded={(ids) => set({ list: ids.join("\n") })} testId="bulk-list-file">
        <span className="field-hint" data-testid="bulk-list-count">{t("work.list_count", { n: nf.format(listCount(shape.kind, v.list)) })}</span>
      </LoadIds>
      <span className="field-help">{t("bulk.list_help")}</span>
    </>
  );
  if (!shape.all_label_key) {
    return (
      <div className="field wide">
        <label className="field-label" htmlFor="bulk-list">{t(shape.label_key)}</label>
        {list(undefined)}
      </div>
    );
  }
  return (
    <fieldset className="field wide">
      <legend className="field-label">{t("bulk.which_callbacks")}</legend>
      <label className="check">
        <input type="radio" name="bulk-ids" checked={v.all} onChange={() => set({ all: true })} data-testid="bulk-ids-all" />
        <span>{t(shape.all_label_key)}</span>
      </label>
      <label className="check">
        <input type="radio" name="bulk-ids" checked={!v.all} onChange={() => set({ all: false })} data-testid="bulk-ids-list" />
        <span>{t(shape.label_key)}</span>
      </label>
      {!v.all && list(t(shape.label_key))}
    </fieldset>
  );
}
