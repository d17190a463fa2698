// Translations: one JSON catalog per language. A key missing from the active catalog is recorded in
// `missingKeys` and on <html data-missing-keys>, which the end-to-end test reads: a missing key fails it.
// English is in the main script; the other catalogs are separate chunks loaded when first needed, so the
// window's first paint does not wait for catalogs nobody is reading.
import i18next, { type Resource } from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./locales/en.json";

// The one module screens and helpers import translation from.
export { useTranslation } from "react-i18next";
export type { TFunction } from "i18next";
export { i18next as i18n };

export const LANGUAGES = ["en", "zh-CN", "pt-BR"] as const;
export type Language = (typeof LANGUAGES)[number];

const loaders: Record<Exclude<Language, "en">, () => Promise<{ default: unknown }>> = {
  "zh-CN": () => import("./locales/zh-CN.json"),
  "pt-BR": () => import("./locales/pt-BR.json"),
};

/** A language's catalog (loading it if needed). */
export async function loadCatalog(lang: Language): Promise<unknown> {
  return lang === "en" ? en : (await loaders[lang]()).default;
}

/** Adds a language's catalog to i18next once; resolves when it can be shown. */
async function ensureCatalog(lang: Language) {
  if (i18next.hasResourceBundle(lang, "translation")) return;
  i18next.addResourceBundle(lang, "translation", await loadCatalog(lang));
}

export const missingKeys = new Set<string>();

/** Picks a supported language for a BCP 47 tag such as the system's `navigator.language`. */
export function matchLanguage(tag: string | null | undefined): Language {
  const t = (tag ?? "").toLowerCase();
  if (t.startsWith("zh")) return "zh-CN";
  if (t.startsWith("pt")) return "pt-BR";
  return "en";
}

/** The language to start in: the one asked for, else the system's. */
export function initialLanguage(language?: Language): Language {
  return language ?? matchLanguage(typeof navigator !== "undefined" ? navigator.language : "en");
}

/**
 * Initialises i18next in `language` (default: the system's). Await it before the first render: for a
 * language other than English its catalog is loaded first, so nothing is drawn untranslated.
 */
export async function initI18n(language?: Language) {
  if (i18next.isInitialized) return i18next;
  const lng = initialLanguage(language);
  const resources: Resource = { en: { translation: en } };
  if (lng !== "en") resources[lng] = { translation: (await loadCatalog(lng)) as Resource[string]["translation"] };
  if (i18next.isInitialized) return i18next;
  await i18next.use(initReactI18next).init({
    resources,
    partialBundledLanguages: true,
    lng,
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
  await ensureCatalog(lang);
  await i18next.changeLanguage(lang);
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}
