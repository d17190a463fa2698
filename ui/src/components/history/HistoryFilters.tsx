// The History screen's filters: account, provider, "resends only", one provider's operation, outcome, the
// date range (typed in the app's format, with today / yesterday / last 7 days / last week), and search.
import { useTranslation } from "../../i18n";
import { shortcutProps } from "../../lib/shortcuts";
import { shownLabel } from "../../lib/account";
import type { AccountView, ProviderDescriptor } from "../../api";
import type { Outcome } from "../../bindings/Outcome";
import type { ZoneChoice } from "../../lib/datetime";
import { DAY_PRESETS, anyFilter, dayPresetRange, operationGroups, type Filters } from "../../lib/historyfilter";
import { LazyDateTimeRange } from "../DateTimeField.lazy";

const OUTCOMES: Outcome[] = ["pending", "ok", "failed", "unknown"];

export function HistoryFilters(props: {
  filters: Filters;
  onChange: (f: Filters) => void;
  text: string;
  onText: (text: string) => void;
  onClear: () => void;
  accounts: AccountView[];
  descriptors: ProviderDescriptor[];
  zone: ZoneChoice;
  /** The clock the quick date ranges count from (tests give a fixed one). */
  now?: () => number;
}) {
  const { t } = useTranslation();
  const { filters } = props;
  const set = (change: Partial<Filters>) => props.onChange({ ...filters, ...change });
  const groups = operationGroups(props.descriptors, filters);
  const now = props.now ?? Date.now;
  const presets = DAY_PRESETS.map((p) => ({ id: p, label: t(`history.range.${p}`), ...dayPresetRange(p, now(), props.zone) }));
  return (
    <section className="card full-card filters" data-testid="history-filters">
      <label className="field">
        <span className="field-label">{t("work.account")}</span>
        <select value={filters.account} onChange={(e) => set({ account: e.target.value })} data-testid="filter-account">
          <option value="">{t("history.all")}</option>
          {props.accounts.map((a) => (
            <option key={a.id} value={a.id}>{shownLabel(a.label)}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">{t("history.col.provider")}</span>
        <select
          value={filters.provider}
          onChange={(e) => {
            const provider = e.target.value;
            // An operation of another provider no longer applies.
            set({ provider, operation: provider && !filters.operation.startsWith(`${provider}/`) ? "" : filters.operation });
          }}
          data-testid="filter-provider"
        >
          <option value="">{t("history.all")}</option>
          {props.descriptors.map((d) => (
            <option key={d.id} value={d.id}>{d.display_name}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">{t("history.readable.action")}</span>
        <select
          value={filters.operation}
          onChange={(e) => {
            const operation = e.target.value;
            set({ operation, provider: operation ? operation.slice(0, operation.indexOf("/")) : filters.provider });
          }}
          data-testid="filter-operation"
        >
          <option value="">{filters.resends ? t("history.all_resends") : t("history.all")}</option>
          {groups.map((g) => (
            <optgroup key={g.provider} label={g.name}>
              {g.ops.map((o) => (
                <option key={o.value} value={o.value}>{`${t(o.labelKey)} · ${g.name}`}</option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label className="check filter-check">
        <input
          type="checkbox"
          checked={filters.resends}
          onChange={(e) => {
            const resends = e.target.checked;
            const stillOffered = !filters.operation || operationGroups(props.descriptors, { ...filters, resends }).some((g) => g.ops.some((o) => o.value === filters.operation));
            set({ resends, operation: stillOffered ? filters.operation : "" });
          }}
          data-testid="filter-resends"
        />
        <span>{t("history.resends_only")}</span>
      </label>
      <label className="field">
        <span className="field-label">{t("history.col.outcome")}</span>
        <select value={filters.outcome} onChange={(e) => set({ outcome: e.target.value })} data-testid="filter-outcome">
          <option value="">{t("history.all")}</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>{t(`outcome.${o}`)}</option>
          ))}
        </select>
      </label>
      <label className="field grow">
        <span className="field-label">{t("history.search")}</span>
        <input value={props.text} onChange={(e) => props.onText(e.target.value)} placeholder={t("history.search_placeholder")} data-testid="filter-text" {...shortcutProps(t, "search")} />
      </label>
      <div className="filters-dates">
        <LazyDateTimeRange
          value={{ from: filters.from, to: filters.to }}
          onChange={(r) => set({ from: r.from, to: r.to })}
          zone={props.zone}
          presets={presets}
          fromLabel={t("history.from")}
          toLabel={t("history.to")}
          testId="filter-dates"
          now={props.now}
        />
      </div>
      {filters.job && (
        <span className="job-filter" data-testid="filter-job">
          {t("history.job_filter", { id: filters.job })}
          <button type="button" className="btn small" onClick={() => set({ job: "" })} data-testid="filter-job-clear">
            {t("history.job_filter_clear")}
          </button>
        </span>
      )}
      {(anyFilter(filters) || props.text) && (
        <button type="button" className="btn small clear-filters" onClick={props.onClear} data-testid="filter-clear">
          {t("history.clear")}
        </button>
      )}
    </section>
  );
}
