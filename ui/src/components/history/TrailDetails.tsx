// One row of the team's trail in full, as the team database holds it: who, when, which account, what it
// covered, how it ended (the HTTP status, the error's code, the duration). Requests and answers stay in
// the member's own history on their computer.
import { useTranslation } from "../../i18n";
import type { ProviderDescriptor } from "../../api";
import { shownLabel } from "../../lib/account";
import { providerName } from "../../lib/descriptors";
import { stepName, stepScope, type TeamHistoryRow } from "../../lib/trail";
import { formatLocal } from "../../lib/time";
import { Modal } from "../Modal";
import { opLabel, useScopeWords } from "./HistoryTable";

export function TrailDetails({ row, descriptors, onClose }: { row: TeamHistoryRow; descriptors: ProviderDescriptor[]; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const words = useScopeWords(descriptors)(row);
  const what =
    row.kind !== "action" && row.kind !== "approval" ? stepName(t, row.kind, row.step) : opLabel(t, descriptors, row.provider, row.operation);
  const outcome = row.kind === "approval" ? t(`history.team.step.${row.outcome}`) : t(`outcome.${row.outcome}`);
  const facts: [string, string, string][] = [
    [t("history.col.member"), row.member ?? "—", "member"],
    [t("history.col.time"), formatLocal(row.created_at_ms, i18n.language), "time"],
    [t("work.account"), row.account_label ? shownLabel(row.account_label) : "—", "account"],
    [t("history.readable.action"), row.provider ? `${what} · ${providerName(descriptors, row.provider)}` : what, "action"],
    [t("history.readable.scope"), row.kind !== "action" ? stepScope(t, row.scope, row.step) : words ? words.map((w) => `${w.label}${t("common.colon")}${w.full}`).join("; ") : row.scope || "—", "scope"],
    [t("history.col.outcome"), outcome, "outcome"],
    [t("history.col.http"), row.http_status === null ? "—" : String(row.http_status), "http"],
    [t("history.team.error_code"), row.error_code ?? "—", "error"],
    [t("history.col.duration"), row.duration_ms === null ? "—" : t("history.ms", { ms: row.duration_ms }), "duration"],
  ];
  return (
    <Modal title={t("history.team.detail_title", { id: row.id })} onClose={onClose} testId="trail-details">
      <dl className="facts">
        {facts.map(([label, value, id]) => (
          <div key={id} style={{ display: "contents" }}>
            <dt>{label}</dt>
            <dd data-testid={`trail-${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="field-help">{t("history.team.detail_note")}</p>
      <div className="row modal-actions">
        <button type="button" className="btn" onClick={onClose} data-testid="trail-details-close">
          {t("team.done")}
        </button>
      </div>
    </Modal>
  );
}
