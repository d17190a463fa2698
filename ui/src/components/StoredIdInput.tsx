// An operation's field whose value is one of the ids stored on the account (`from_account`): picked from
// the list, the first one chosen already, or another one typed.
import { useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import { namedIdText, type NamedId } from "../lib/namedids";

const OTHER = "__other__";

export function StoredIdInput(props: { id: string; testId: string; ids: NamedId[]; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const { ids, value, testId } = props;
  const known = ids.some((n) => n.id === value);
  // Typing another id: chosen by the user, or a value (prefilled from History or Query) not among the ids.
  const [other, setOther] = useState(value !== "" && !known);
  const typing = ids.length === 0 || other || (value !== "" && !known);
  const first = ids[0]?.id;
  // After every draw, not only when the value changes: the form may be reset to values without it (a
  // prefill from another screen) in the same update that took the first id.
  useEffect(() => {
    if (value === "" && !other && first !== undefined) props.onChange(first);
  });
  if (ids.length === 0) {
    return (
      <>
        <input id={props.id} value={value} data-testid={testId} onChange={(e) => props.onChange(e.target.value)} />
        <span className="field-hint" data-testid={`${testId}-none`}>{t("work.stored_ids.none")}</span>
      </>
    );
  }
  return (
    <>
      <select
        id={props.id}
        value={typing ? OTHER : value}
        data-testid={testId}
        onChange={(e) => {
          const v = e.target.value;
          setOther(v === OTHER);
          props.onChange(v === OTHER ? "" : v);
        }}
      >
        {ids.map((n) => (
          <option key={n.id} value={n.id}>
            {namedIdText(n)}
          </option>
        ))}
        <option value={OTHER}>{t("work.stored_ids.other")}</option>
      </select>
      {typing && <input className="mono" aria-label={t("work.stored_ids.other")} value={value} data-testid={`${testId}-other`} autoFocus={other} onChange={(e) => props.onChange(e.target.value)} />}
    </>
  );
}
