import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AppInfo } from "../api";
import { LANGUAGES, type Language } from "../i18n";

export function SettingsScreen(props: {
  info: AppInfo | null;
  language: Language;
  onLanguage: (l: Language) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const { info } = props;
  return (
    <>
      <p className="screen-subtitle">{t("screens.settings.subtitle")}</p>
      <section className="card">
        <label className="field">
          <span className="field-label">{t("screens.settings.language")}</span>
          <select
            data-testid="language-select"
            value={props.language}
            onChange={async (e) => {
              setSaved(false);
              await props.onLanguage(e.target.value as Language);
              setSaved(true);
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
          <span className="field-help">{t("screens.settings.language_help")}</span>
          {saved && (
            <span className="field-ok" data-testid="language-saved">
              {t("screens.settings.saved")}
            </span>
          )}
        </label>
      </section>
      <section className="card">
        <h3 className="card-title">{t("screens.settings.about")}</h3>
        <dl className="facts">
          <dt>{t("screens.settings.version")}</dt>
          <dd data-testid="about-version">{info?.version ?? "…"}</dd>
          <dt>{t("screens.settings.data_dir")}</dt>
          <dd className="mono">{info?.data_dir ?? "…"}</dd>
          <dt>{t("screens.settings.log_dir")}</dt>
          <dd className="mono">{info?.log_dir ?? "…"}</dd>
          <dt>{t("screens.settings.keyring")}</dt>
          <dd>
            {info
              ? info.keyring.state === "available"
                ? t("status.keyring_ok", { backend: info.keyring.backend })
                : t("status.keyring_unavailable")
              : "…"}
            {info?.keyring.detail && <div className="detail">{t("errors.detail", { detail: info.keyring.detail })}</div>}
          </dd>
        </dl>
      </section>
    </>
  );
}
