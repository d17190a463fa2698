// The list of keyboard shortcuts (from the sidebar, F1 or ?): the screens in sidebar order, then the
// actions of the shortcut table.
import { useTranslation } from "../i18n";
import { Modal } from "./Modal";
import type { Section } from "./Sidebar";
import { keysLabel, screenKeys, SHORTCUTS } from "../lib/shortcuts";

export function ShortcutsDialog({ sections, onClose }: { sections: Section[]; onClose: () => void }) {
  const { t } = useTranslation();
  const rows = [
    ...sections.flatMap((s, i) => {
      const keys = screenKeys(i + 1);
      return keys ? [{ id: `screen-${s}`, what: t("shortcuts.go_to", { screen: t(`nav.${s}`) }), keys: [keys] }] : [];
    }),
    ...SHORTCUTS.map((s) => ({ id: s.action, what: t(s.labelKey), keys: s.keys })),
    { id: "close", what: t("shortcuts.close_dialog"), keys: ["Escape"] },
  ];
  return (
    <Modal title={t("shortcuts.title")} onClose={onClose} testId="shortcuts-dialog">
      <p className="field-help">{t("shortcuts.intro")}</p>
      <table className="table shortcuts-table" aria-label={t("shortcuts.title")}>
        <thead>
          <tr>
            <th scope="col">{t("shortcuts.col_action")}</th>
            <th scope="col">{t("shortcuts.col_keys")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`shortcut-${r.id}`}>
              <td>{r.what}</td>
              <td>
                {r.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ` ${t("shortcuts.or")} `}
                    <kbd>{keysLabel(k)}</kbd>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row modal-actions">
        <button type="button" className="btn primary" onClick={onClose} data-testid="shortcuts-close">
          {t("common.close")}
        </button>
      </div>
    </Modal>
  );
}
