// The account form's editor of a `named_ids` field: rows of a name and an id, added and removed.
import { useTranslation } from "../i18n";
import type { NamedId } from "../lib/namedids";

export function NamedIdsInput(props: { name: string; rows: NamedId[]; onChange: (rows: NamedId[]) => void }) {
  const { t } = useTranslation();
  const { name, rows } = props;
  const set = (i: number, part: keyof NamedId, v: string) => props.onChange(rows.map((r, j) => (j === i ? { ...r, [part]: v } : r)));
  return (
    <div className="named-ids" data-testid={`named-ids-${name}`}>
      {rows.length === 0 && <span className="field-hint">{t("accounts.named_ids.empty")}</span>}
      {rows.map((r, i) => (
        <div className="row named-id" key={i}>
          <input
            aria-label={t("accounts.named_ids.name")}
            placeholder={t("accounts.named_ids.name_placeholder")}
            value={r.name}
            data-testid={`form-${name}-name-${i}`}
            onChange={(e) => set(i, "name", e.target.value)}
          />
          <input
            aria-label={t("accounts.named_ids.id")}
            placeholder={t("accounts.named_ids.id")}
            className="mono"
            spellCheck={false}
            value={r.id}
            data-testid={`form-${name}-id-${i}`}
            onChange={(e) => set(i, "id", e.target.value)}
          />
          <button type="button" className="btn small" data-testid={`form-${name}-remove-${i}`} onClick={() => props.onChange(rows.filter((_, j) => j !== i))}>
            {t("accounts.named_ids.remove")}
          </button>
        </div>
      ))}
      <div className="row">
        <button type="button" className="btn small" data-testid={`form-${name}-add`} onClick={() => props.onChange([...rows, { name: "", id: "" }])}>
          {t("accounts.named_ids.add")}
        </button>
      </div>
    </div>
  );
}
