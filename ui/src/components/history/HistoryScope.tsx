// In a team workspace, whose actions History shows: this computer's ("Mine", the local history) or the whole
// team's (the team's trail, read from the team database), and in the team's, one member's only.
import { useTranslation } from "../../i18n";

export type Scope = "mine" | "team";

export function HistoryScope(props: {
  scope: Scope;
  onScope: (s: Scope) => void;
  member: string;
  onMember: (m: string) => void;
  members: string[];
}) {
  const { t } = useTranslation();
  return (
    <div className="history-scope-bar" data-testid="history-whose">
      <div className="segmented" role="radiogroup" aria-label={t("history.scope.label")}>
        {(["mine", "team"] as Scope[]).map((s) => (
          <label key={s} className={`segment${props.scope === s ? " active" : ""}`} data-testid={`history-whose-${s}`}>
            <input type="radio" name="history-scope" value={s} checked={props.scope === s} onChange={() => props.onScope(s)} />
            {t(`history.scope.${s}`)}
          </label>
        ))}
      </div>
      {props.scope === "team" && (
        <label className="field history-member-filter">
          <span className="field-label">{t("history.col.member")}</span>
          <select value={props.member} onChange={(e) => props.onMember(e.target.value)} data-testid="filter-member">
            <option value="">{t("history.all")}</option>
            {/* A member typed before the list arrived (or removed since) stays choosable. */}
            {[...new Set([...props.members, ...(props.member ? [props.member] : [])])].map((m) => (
              <option key={m} value={m}>{m}</option>
            ))}
          </select>
        </label>
      )}
      <span className="field-help history-scope-help">{t(`history.scope.${props.scope}_help`)}</span>
    </div>
  );
}
