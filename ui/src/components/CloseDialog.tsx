// The question the window asks when it is closed while a job runs: keep running in the background, pause
// the job, cancel it, or keep the window open. The app asks (a `close-requested` event) only while a job
// runs in it; the answer goes back to the app, which hides the window behind a tray icon or stops the jobs
// and quits.
import { useEffect, useState } from "react";
import { useTranslation } from "../i18n";
import { api, type CloseChoice } from "../api";
import { Modal } from "./Modal";

const CHOICES: { choice: CloseChoice; tone: string }[] = [
  { choice: "background", tone: "" },
  { choice: "pause", tone: "" },
  { choice: "cancel", tone: "danger-outline" },
];

const LABEL: Record<CloseChoice, string> = { background: "keep", pause: "pause", cancel: "cancel" };

export function CloseDialog() {
  const { t } = useTranslation();
  const [running, setRunning] = useState<number | null>(null);
  const [closing, setClosing] = useState(false);
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let alive = true;
    void api
      .onCloseRequested((n) => {
        setClosing(false);
        setRunning(n);
      })
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);
  if (running === null) return null;
  const answer = async (choice: CloseChoice) => {
    // The window goes (hidden, or with the app once the jobs stopped); it shows the question no more.
    setClosing(choice !== "background");
    if (choice === "background") setRunning(null);
    await api.closeWindow(choice).catch(() => setClosing(false));
  };
  return (
    <Modal title={t("background.title")} onClose={() => !closing && setRunning(null)} testId="close-dialog">
      <p>{t("background.body", { count: running })}</p>
      <div className="close-choices">
        {CHOICES.map(({ choice, tone }) => (
          <button
            key={choice}
            type="button"
            className={`btn close-choice ${tone}`}
            disabled={closing}
            data-testid={`close-${choice}`}
            onClick={() => void answer(choice)}
          >
            <span className="close-choice-label">{t(`background.${LABEL[choice]}`)}</span>
            <span className="field-help">{t(`background.${LABEL[choice]}_help`)}</span>
          </button>
        ))}
      </div>
      {closing && (
        <p className="field-help" role="status" data-testid="close-waiting">
          {t("background.closing")}
        </p>
      )}
      <div className="row modal-actions">
        <button type="button" className="btn" disabled={closing} onClick={() => setRunning(null)} data-testid="close-stay">
          {t("background.stay")}
        </button>
      </div>
    </Modal>
  );
}
