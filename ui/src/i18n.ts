// Translations: one JSON catalog per language, looked up by dotted key, with `{{name}}` placeholders and
// plural forms chosen by the language's rules (`key_one`, `key_other`…; `key_zero` when the count is 0).
// A key missing from the active catalog is recorded in `missingKeys` and on <html data-missing-keys>, which
// the end-to-end test reads: a missing key fails it.
// Every catalog, English too, is a JSON file of the build fetched as data when first needed (not a script
// module: nothing to compile), so the start-up script carries no texts; main.tsx starts fetching the likely
// language's catalog as the script begins, alongside the first screen's data.
import { useMemo, useSyncExternalStore } from "react";
import enUrl from "./locales/en.json?url";
import zhCnUrl from "./locales/zh-CN.json?url";
import ptBrUrl from "./locales/pt-BR.json?url";

export const LANGUAGES = ["en", "zh-CN", "pt-BR"] as const;
export type Language = (typeof LANGUAGES)[number];

/** A catalog: texts, or groups of texts, by key. */
export type Catalog = { [key: string]: string | Catalog };

/** Values for a text's placeholders; `count` also picks the plural form. */
export type TOptions = object;

/** Translates `key` in the current language. */
export type TFunction = (key: string, options?: TOptions) => string;

const catalogUrls: Record<Language, string> = { en: enUrl, "zh-CN": zhCnUrl, "pt-BR": ptBrUrl };

/** A language's catalog, fetched from the app's own files. */
export async function loadCatalog(lang: Language): Promise<unknown> {
  const response = await fetch(catalogUrls[lang]);
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status}`);
  return response.json();
}

const catalogs: Partial<Record<Language, Catalog>> = {};
const loading = new Map<Language, Promise<void>>();
let language: Language = "en";
let initialized = false;
const listeners = new Set<() => void>();

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

/** The text at `path` (dot-separated; a group may itself have keys with dots, such as `errors.input.invalid`). */
function find(node: string | Catalog | undefined, parts: string[], from = 0): string | undefined {
  if (from === parts.length) return typeof node === "string" ? node : undefined;
  if (node === undefined || typeof node === "string") return undefined;
  for (let to = from + 1; to <= parts.length; to++) {
    const key = parts.slice(from, to).join(".");
    if (Object.prototype.hasOwnProperty.call(node, key)) {
      const found = find(node[key], parts, to);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const pluralRules = new Map<string, Intl.PluralRules>();

/**
 * The keys tried for `key`, first choice first: with a count, its zero form (count 0), the language's plural
 * form, `_other` (a form a catalog leaves out, such as Portuguese `_many` for a million), then the key itself.
 */
function candidates(lang: Language, key: string, options?: TOptions): string[] {
  const count = (options as { count?: unknown } | undefined)?.count;
  if (typeof count !== "number") return [key];
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return [...(count === 0 ? [`${key}_zero`] : []), `${key}_${rules.select(count)}`, `${key}_other`, key];
}

function lookup(lang: Language, key: string, options?: TOptions): string | undefined {
  const catalog = catalogs[lang];
  for (const k of candidates(lang, key, options)) {
    const text = find(catalog, k.split("."));
    if (text !== undefined) return text;
  }
  return undefined;
}

/** `{{name}}` (or `{{a.b}}`) replaced by its value; a placeholder with no value given is left as it is. */
function interpolate(text: string, options?: TOptions): string {
  if (!options || !text.includes("{{")) return text;
  return text.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => {
    const path = name.trim();
    let value: unknown = options;
    for (const part of path.split(".")) value = value == null ? undefined : (value as Record<string, unknown>)[part];
    if (value === undefined) return Object.prototype.hasOwnProperty.call(options, path) ? "" : whole;
    return value === null ? "" : String(value);
  });
}

function noteMissing(lang: Language, key: string) {
  missingKeys.add(`${lang}:${key}`);
  if (typeof document !== "undefined") document.documentElement.dataset.missingKeys = [...missingKeys].join(" ");
}

function translate(lang: Language, key: string, options?: TOptions): string {
  const text = lookup(lang, key, options);
  if (text === undefined) {
    noteMissing(lang, key);
    return key;
  }
  return interpolate(text, options);
}

/** Adds `extra` to a language's catalog, keeping the texts it already has. */
export function addTranslations(lang: Language, extra: Catalog) {
  const merge = (into: Catalog, from: Catalog) => {
    for (const [k, v] of Object.entries(from)) {
      const have = into[k];
      if (typeof v === "string") {
        if (have === undefined) into[k] = v;
      } else if (have === undefined || typeof have === "string") {
        if (have === undefined) into[k] = merge({}, v);
      } else {
        merge(have, v);
      }
    }
    return into;
  };
  catalogs[lang] = merge(catalogs[lang] ?? {}, extra);
}

/**
 * Loads a language's catalog once (one fetch however many ask at once); resolves when it can be shown.
 * Texts added before it arrived (`addTranslations`) are kept; a failed fetch may be tried again.
 */
export function ensureCatalog(lang: Language): Promise<void> {
  let pending = loading.get(lang);
  if (!pending) {
    pending = loadCatalog(lang).then(
      (catalog) => {
        if (catalogs[lang]) addTranslations(lang, catalog as Catalog);
        else catalogs[lang] = catalog as Catalog;
      },
      (error) => {
        loading.delete(lang);
        throw error;
      },
    );
    loading.set(lang, pending);
  }
  return pending;
}

function setLanguage(lang: Language) {
  language = lang;
  for (const listener of listeners) listener();
}

/** Translation outside components (helpers, tests): always the current language. */
export const i18n = {
  get language(): Language {
    return language;
  },
  t: ((key, options) => translate(language, key, options)) as TFunction,
  /** Whether the current catalog has a text for `key` (its plural form, with a count). */
  exists: (key: string, options?: TOptions) => lookup(language, key, options) !== undefined,
};

/**
 * Starts in `language` (default: the system's). Await it before the first render: for a language other
 * than English its catalog is loaded first, so nothing is drawn untranslated.
 */
export async function initI18n(lang?: Language) {
  if (initialized) return i18n;
  let lng = initialLanguage(lang);
  // A catalog that cannot be read (a damaged installation) must not keep the window blank: English then,
  // else the keys (each recorded as missing).
  await ensureCatalog(lng).catch(() => {
    lng = "en";
    return ensureCatalog("en").catch(() => undefined);
  });
  if (initialized) return i18n;
  initialized = true;
  setLanguage(lng);
  return i18n;
}

export async function changeLanguage(lang: Language) {
  await ensureCatalog(lang);
  initialized = true;
  setLanguage(lang);
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For components: `t` in the current language, drawn again when the language changes. */
export function useTranslation(): { t: TFunction; i18n: typeof i18n } {
  const lang = useSyncExternalStore(subscribe, () => language);
  // A new `t` for each language (so what depends on it is drawn again); a `t` kept by a closure (a
  // confirmation's message) still speaks the language of the moment it is called, as i18next's did.
  const t = useMemo<TFunction>(() => (key, options) => translate(language, key, options), [lang]);
  return { t, i18n };
}
