import { useTranslation } from "../i18n";
import type { AppInfo } from "../api";

export function StatusLine({ info, backendError }: { info: AppInfo | null; backendError: boolean }) {
  const { t } = useTranslation();
  let keyring: { cls: string; text: string; title?: string };
  if (backendError) keyring = { cls: "bad", text: t("status.backend_unreachable") };
  else if (!info) keyring = { cls: "pending", text: t("status.keyring_checking") };
  else if (info.keyring.state === "available")
    keyring = { cls: "ok", text: t("status.keyring_ok", { backend: info.keyring.backend }) };
  else keyring = { cls: "bad", text: t("status.keyring_unavailable"), title: info.keyring.detail ?? undefined };

  return (
    <footer className="statusline" data-testid="status-line">
      <span className={`status-dot ${keyring.cls}`} aria-hidden="true" />
      <span data-testid="status-keyring" data-state={info?.keyring.state ?? (backendError ? "error" : "pending")} title={keyring.title}>
        {keyring.text}
      </span>
      {info && (
        <>
          <span className="status-sep" />
          <span data-testid="status-data-dir" className="status-path" title={info.data_dir}>
            {t("status.data_dir", { path: info.data_dir })}
          </span>
          <span className="status-spacer" />
          <span data-testid="status-version">{t("status.version", { version: info.version })}</span>
        </>
      )}
    </footer>
  );
}
