// One request, or the operation's bulk mode (named by its bulk shape).
import { useTranslation } from "../../i18n";
import type { BulkShape } from "../../api";

export function ModeChoice(props: { bulk: BulkShape; active: boolean; onSingle: () => void; onBulk: () => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="field wide">
      <legend className="field-label">{t("bulk.mode")}</legend>
      <div className="mode-choices">
        <label className={`radio-card${!props.active ? " active" : ""}`} data-testid="mode-single">
          <input type="radio" name="resend-mode" checked={!props.active} onChange={props.onSingle} />
          <span className="op-card-text">
            <span className="op-card-title">{t("bulk.mode_single")}</span>
            <span className="op-card-help">{t("bulk.mode_single_help")}</span>
          </span>
        </label>
        <label className={`radio-card${props.active ? " active" : ""}`} data-testid="mode-bulk">
          <input type="radio" name="resend-mode" checked={props.active} onChange={props.onBulk} />
          <span className="op-card-text">
            <span className="op-card-title">{t(props.bulk.label_key)}</span>
            <span className="op-card-help">{t(props.bulk.help_key)}</span>
          </span>
        </label>
      </div>
    </fieldset>
  );
}
