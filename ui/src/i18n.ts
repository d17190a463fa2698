// Translations: one JSON catalog per language. A key missing from the active catalog is recorded in
// `missingKeys` and on <html data-missing-keys>, which the end-to-end test reads: a missing key fails it.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";
import ptBR from "./locales/pt-BR.json";

export const LANGUAGES = ["en", "zh-CN", "pt-BR"] as const;
export type Language = (typeof LANGUAGES)[number];
export const catalogs: Record<Language, unknown> = { en, "zh-CN": zhCN, "pt-BR": ptBR };

export const missingKeys = new Set<string>();

/** Picks a supported language for a BCP 47 tag such as the system's `navigator.language`. */
export function matchLanguage(tag: string | null | undefined): Language {
  const t = (tag ?? "").toLowerCase();
  if (t.startsWith("zh")) return "zh-CN";
  if (t.startsWith("pt")) return "pt-BR";
  return "en";
}

export function initI18n(language?: Language) {
  if (i18next.isInitialized) return i18next;
  void i18next.use(initReactI18next).init({
    resources: {
      en: { translation: en },
      "zh-CN": { translation: zhCN },
      "pt-BR": { translation: ptBR },
    },
    lng: language ?? matchLanguage(typeof navigator !== "undefined" ? navigator.language : "en"),
    fallbackLng: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: true,
    missingKeyHandler: (lngs, _ns, key) => {
      missingKeys.add(`${lngs.join(",")}:${key}`);
      if (typeof document !== "undefined") {
        document.documentElement.dataset.missingKeys = [...missingKeys].join(" ");
      }
    },
    initImmediate: false,
    showSupportNotice: false,
  } as Parameters<typeof i18next.init>[0]);
  return i18next;
}

export async function changeLanguage(lang: Language) {
  await i18next.changeLanguage(lang);
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}
