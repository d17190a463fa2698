// The bulk part of the Resend form, drawn from the operation's bulk shape: since when, for which values,
// which ids.
import { useTranslation } from "react-i18next";
import type { EachShape, FormField, IdsShape, OperationDescriptor, WindowShape } from "../../api";
import { SINCE_HOURS, eachField, type BulkValues } from "../../lib/bulk";
import { idKindOf } from "../../lib/idfile";
import { listCount } from "../../lib/params";
import { toLocalInput } from "../../lib/time";
import { LoadIds } from "../LoadIds";

type Part = { values: BulkValues; set: (patch: Partial<BulkValues>) => void };

export function BulkFields(props: { op: OperationDescriptor; values: BulkValues; onChange: (v: BulkValues) => void }) {
  const bulk = props.op.bulk;
  if (!bulk) return null;
  const part: Part = { values: props.values, set: (patch) => props.onChange({ ...props.values, ...patch }) };
  const of = eachField(props.op);
  return (
    <div className="bulk-fields" data-testid="bulk-fields">
      {bulk.window && <WindowFields shape={bulk.window} {...part} />}
      {bulk.each && of && <EachFields shape={bulk.each} field={of} {...part} />}
      {bulk.ids && <IdsFields shape={bulk.ids} {...part} />}
    </div>
  );
}

/** Since when: quick choices in hours back, or a local date and time. */
function WindowFields({ shape, values: v, set }: Part & { shape: WindowShape }) {
  const { t } = useTranslation();
  return (
    <fieldset className="field wide">
      <legend className="field-label">{t("bulk.since")}</legend>
      <div className="row wrap">
        {SINCE_HOURS.map((h) => (
          <button
            key={h}
            type="button"
            className={`btn small${v.sinceHours === h ? " primary" : ""}`}
            onClick={() => set({ sinceHours: h })}
            data-testid={`bulk-since-${h}h`}
            aria-pressed={v.sinceHours === h}
          >
            {t(`bulk.since_${h}h`)}
          </button>
        ))}
        <input
          type="datetime-local"
          step={1}
          value={v.sinceHours === null ? v.sinceText : ""}
          onChange={(e) => set({ sinceHours: null, sinceText: e.target.value })}
          onFocus={() => v.sinceHours !== null && set({ sinceHours: null, sinceText: toLocalInput(Date.now() - v.sinceHours * 3600_000) })}
          data-testid="bulk-since-at"
          aria-label={t("bulk.since_at")}
        />
      </div>
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
