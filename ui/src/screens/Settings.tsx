import { useEffect, useState } from "react";
import { SandboxTrainingCard } from "../components/SandboxTraining";
import { TeamCard } from "../components/team/TeamCard";
import { useTranslation, LANGUAGES, type Language } from "../i18n";
import { api, asCoreError, type AppInfo, type CoreError } from "../api";
import { ErrorBox } from "../components/ErrorBox";
import { Modal } from "../components/Modal";
import { useZone } from "../hooks/useZone";
import { offsetText, systemZoneName, type ZoneChoice } from "../lib/datetime";
import { savePreferences, savedNotifications, savedTheme } from "../lib/prefs";
import type { TeamStatus, ThemeChoice } from "../api";
import { useToast } from "../hooks/useToast";

/** How long history may be kept (days); `null` keeps everything. */
export const KEEP_DAYS = [30, 90, 180, 365, 730, 1825] as const;

/** How long history is kept: the only way rows leave it. Shortening it asks first, naming how many go. */
function Retention() {
  const { t } = useTranslation();
  const [days, setDays] = useState<number | null | undefined>(undefined);
  const [ask, setAsk] = useState<{ days: number; count: number } | null>(null);
  const [error, setError] = useState<CoreError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  useEffect(() => {
    api
      .getPreferences()
      .then((p) => setDays(p.history_keep_days ?? null))
      .catch((e) => setError(asCoreError(e)));
  }, []);

  const apply = async (next: number | null) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.setHistoryRetention(next);
      setDays(r.history_keep_days ?? null);
      toast({ testId: "retention-saved", message: () => t("screens.settings.retention_saved", { count: r.deleted }) });
      setAsk(null);
    } catch (e) {
      setError(asCoreError(e));
    } finally {
      setBusy(false);
    }
  };
  const choose = async (value: string) => {
    setError(null);
    const next = value === "forever" ? null : Number(value);
    if (next === null) return apply(null);
    try {
      const count = await api.historyCount({ to_ms: Date.now() - next * 86_400_000 });
      if (count > 0) setAsk({ days: next, count });
      else await apply(next);
    } catch (e) {
      setError(asCoreError(e));
    }
  };

  return (
    <section className="card" data-testid="retention-card">
      <h2 className="card-title">{t("screens.settings.history_title")}</h2>
      <label className="field">
        <span className="field-label">{t("screens.settings.keep_history")}</span>
        <select
          data-testid="retention-select"
          disabled={days === undefined || busy}
          value={days === undefined || days === null ? "forever" : String(days)}
          onChange={(e) => void choose(e.target.value)}
        >
          <option value="forever">{t("screens.settings.keep_forever")}</option>
          {KEEP_DAYS.map((d) => (
            <option key={d} value={d}>
              {t("screens.settings.keep_days", { count: d })}
            </option>
          ))}
        </select>
        <span className="field-help">{t("screens.settings.keep_history_help")}</span>
      </label>
      {error && <ErrorBox error={error} />}
      {ask && (
        <Modal title={t("screens.settings.retention_confirm_title")} tone="danger" onClose={() => setAsk(null)} testId="retention-confirm">
          <p>{t("screens.settings.retention_confirm_body", { count: ask.count, days: ask.days })}</p>
          <div className="row modal-actions">
            <button type="button" className="btn" onClick={() => setAsk(null)} data-testid="retention-cancel">
              {t("common.cancel")}
            </button>
            <button type="button" className="btn danger" disabled={busy} onClick={() => void apply(ask.days)} data-testid="retention-apply">
              {t("screens.settings.retention_confirm_apply", { days: ask.days })}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

/** The time zone dates are typed and shown in: this computer's, or UTC. Saved with the language. */
function TimeZone() {
  const { t } = useTranslation();
  const zone = useZone();
  const [error, setError] = useState<CoreError | null>(null);
  const toast = useToast();
  const choose = async (z: ZoneChoice) => {
    setError(null);
    try {
      await savePreferences({ time_zone: z });
      toast({ testId: "zone-saved", message: () => t("toast.time_zone_saved") });
    } catch (e) {
      setError(asCoreError(e));
    }
  };
  return (
    <label className="field settings-next-field">
      <span className="field-label">{t("screens.settings.time_zone")}</span>
      <select data-testid="zone-select" value={zone} onChange={(e) => void choose(e.target.value as ZoneChoice)}>
        <option value="local">{t("screens.settings.zone_local", { offset: offsetText(-new Date().getTimezoneOffset() * 60_000), name: systemZoneName() })}</option>
        <option value="UTC">{t("screens.settings.zone_utc")}</option>
      </select>
      <span className="field-help">{t("screens.settings.time_zone_help")}</span>
      {error && <ErrorBox error={error} />}
    </label>
  );
}

const THEMES: ThemeChoice[] = ["system", "light", "dark"];

/** The colour theme: the desktop's (System, the default), Light or Dark. Saved with the language. */
function Theme() {
  const { t } = useTranslation();
  const [choice, setChoice] = useState<ThemeChoice>(savedTheme());
  const [error, setError] = useState<CoreError | null>(null);
  const toast = useToast();
  const choose = async (next: ThemeChoice) => {
    setError(null);
    setChoice(next);
    try {
      await savePreferences({ theme: next });
      toast({ testId: "theme-saved", message: () => t("toast.theme_saved") });
    } catch (e) {
      setChoice(savedTheme());
      setError(asCoreError(e));
    }
  };
  return (
    <label className="field settings-next-field">
      <span className="field-label">{t("screens.settings.theme")}</span>
      <select data-testid="theme-select" value={choice} onChange={(e) => void choose(e.target.value as ThemeChoice)}>
        {THEMES.map((c) => (
          <option key={c} value={c}>
            {t(`screens.settings.theme_${c}`)}
          </option>
        ))}
      </select>
      <span className="field-help">{t("screens.settings.theme_help")}</span>
      {error && <ErrorBox error={error} />}
    </label>
  );
}

/** Desktop notifications of jobs (finished, stopped, waiting) while the window is not in front: on by default. */
function Notifications() {
  const { t } = useTranslation();
  const [on, setOn] = useState(savedNotifications());
  const [error, setError] = useState<CoreError | null>(null);
  const toast = useToast();
  const choose = async (next: boolean) => {
    setError(null);
    setOn(next);
    try {
      await savePreferences({ notifications: next });
      toast({ testId: "notifications-saved", message: () => t(next ? "toast.notifications_on" : "toast.notifications_off") });
    } catch (e) {
      setOn(savedNotifications());
      setError(asCoreError(e));
    }
  };
  return (
    <div className="field settings-next-field" data-testid="notifications-field">
      <span className="field-label">{t("screens.settings.notifications")}</span>
      <label className="check">
        <input type="checkbox" checked={on} data-testid="notifications-toggle" onChange={(e) => void choose(e.target.checked)} />
        <span>{t("screens.settings.notifications_on")}</span>
      </label>
      <span className="field-help">{t("screens.settings.notifications_help")}</span>
      {error && <ErrorBox error={error} />}
    </div>
  );
}

export function SettingsScreen(props: {
  info: AppInfo | null;
  language: Language;
  onLanguage: (l: Language) => Promise<void>;
  /** This installation joined a team workspace. */
  onTeamChanged?: (s: TeamStatus) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
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
              await props.onLanguage(e.target.value as Language);
              // Said in the language just chosen.
              toast({ testId: "language-saved", message: () => t("toast.language_saved") });
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
          <span className="field-help">{t("screens.settings.language_help")}</span>
        </label>
        <TimeZone />
        <Theme />
        <Notifications />
      </section>
      <TeamCard onChange={props.onTeamChanged} />
      <Retention />
      <SandboxTrainingCard />
      <section className="card">
        <h2 className="card-title">{t("screens.settings.about")}</h2>
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
          <dt>{t("screens.settings.painting")}</dt>
          <dd data-testid="about-painting" data-painting={info?.painting}>
            {info ? t(`screens.settings.painting_${info.painting}`) : "…"}
          </dd>
        </dl>
      </section>
    </>
  );
}
