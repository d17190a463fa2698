// Durations in words.
import type { TFunction } from "../i18n";

/** "2 h 5 min", "45 s", in the UI language. */
export function formatDuration(t: TFunction, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("bulk.dur_s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t("bulk.dur_m_s", { m, s: s % 60 }) : t("bulk.dur_m", { m });
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? t("bulk.dur_h_m", { h, m: m % 60 }) : t("bulk.dur_h", { h });
  return t("bulk.dur_d_h", { d: Math.floor(h / 24), h: h % 24 });
}
