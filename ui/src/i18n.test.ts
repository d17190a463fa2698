import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { LANGUAGES, loadCatalog, matchLanguage } from "./i18n";
import type { ProviderDescriptor } from "./api";
import providers from "./bindings/providers.json";

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const catalogs = Object.fromEntries(await Promise.all(LANGUAGES.map(async (l) => [l, await loadCatalog(l)])));
const flat = Object.fromEntries(LANGUAGES.map((l) => [l, flatten(catalogs[l] as Tree)])) as Record<
  (typeof LANGUAGES)[number],
  Map<string, string>
>;

const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "bindings" ? [] : sourceFiles(p);
    return /\.(tsx?)$/.test(name) && !/\.test\./.test(name) ? [p] : [];
  });
}

describe("translation catalogs", () => {
  it("have exactly the same keys in every language, each plural with the forms its language needs", () => {
    // A plural key (`_one`, `_other`…) counts once: zh-CN writes only `_other`, English and Portuguese both.
    const PLURAL = /_(zero|one|two|few|many|other)$/;
    const base = (l: (typeof LANGUAGES)[number]) => [...new Set([...flat[l].keys()].map((k) => k.replace(PLURAL, "")))].sort();
    for (const l of LANGUAGES) expect(base(l), l).toEqual(base("en"));
    const plurals = [...flat.en.keys()].filter((k) => k.endsWith("_other")).map((k) => k.slice(0, -"_other".length));
    for (const l of LANGUAGES) {
      // `_other` always; `_one` where the language has a singular (i18n.ts falls back to `_other` for the rest).
      const needed = new Intl.PluralRules(l).resolvedOptions().pluralCategories.filter((c) => c === "one" || c === "other");
      for (const k of plurals) for (const c of needed) expect(flat[l].has(`${k}_${c}`), `${l}:${k}_${c}`).toBe(true);
    }
  });

  it("have no empty texts and the same placeholders as English", () => {
    for (const l of LANGUAGES) {
      for (const [k, v] of flat[l]) {
        expect(v.trim(), `${l}:${k}`).not.toBe("");
        const en = flat.en.get(k) ?? flat.en.get(k.replace(/_(zero|one|two|few|many|other)$/, "_other"))!;
        expect(vars(v), `${l}:${k}`).toEqual(vars(en));
      }
    }
  });

  it("translate every literal key the source code uses", () => {
    const used = new Set<string>();
    for (const f of sourceFiles(__dirname)) {
      for (const m of readFileSync(f, "utf8").matchAll(/\bt\(\s*"([a-z_.-]+)"/gi)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(10);
    // A key used with a count resolves to its plural forms (key_one, key_other).
    for (const k of used) expect(flat.en.has(k) || flat.en.has(`${k}_other`), k).toBe(true);
  });

  it("translate every key the registered providers' descriptors give the screens", () => {
    const keys: string[] = [];
    const groups: string[] = [];
    for (const d of providers as unknown as ProviderDescriptor[]) {
      for (const f of d.account_fields) {
        keys.push(f.label_key, f.help_key, ...(f.replace_warning_key ? [f.replace_warning_key] : []));
        if (f.choices_key) keys.push(...f.choices.map((c) => `${f.choices_key}.${c}`));
      }
      keys.push(...d.base_urls.map((p) => p.label_key));
      for (const o of d.operations) {
        keys.push(o.label_key, o.help_key, ...(o.rate_limit_key ? [o.rate_limit_key] : []));
        for (const f of o.fields) {
          keys.push(f.label_key, f.help_key, ...f.choices.map((c) => `${f.choices_key}.${c}`), ...f.refuse.map((r) => `reasons.${r.reason}`));
          if (f.broad !== null) keys.push(f.broad_label_key ?? `(no words for the broad value of ${d.id}/${o.name}/${f.name})`);
        }
        for (const r of o.confirm) keys.push(`confirm.reason.${r.reason}`, ...(r.kind === "filled" ? [`confirm.tick_for.${r.reason}`] : []));
        // A shared account's "Team rules…" names each reason a resend can wait for approval.
        if (o.kind === "resend") keys.push(...o.confirm.map((r) => `team.rules.reason.${r.reason}`));
        const b = o.bulk;
        if (b) {
          keys.push(b.label_key, b.help_key);
          if (b.window) keys.push(b.window.help_key);
          if (b.each) keys.push(b.each.label_key, b.each.empty_key);
          if (b.ids) keys.push(b.ids.label_key, b.ids.empty_key, ...(b.ids.all_label_key ? [b.ids.all_label_key] : []));
        }
        if (o.lookup) {
          keys.push(o.lookup.label_key, o.lookup.found_key, o.lookup.none_key, ...o.lookup.columns.map((c) => c.label_key));
          if (o.lookup.delivery?.kind === "not_reported") keys.push(o.lookup.delivery.note_key);
          for (const c of o.lookup.columns) if (c.format.kind === "label") groups.push(c.format.prefix);
        }
        if (o.row_detail) {
          keys.push(o.row_detail.label_key, o.row_detail.empty_key, ...o.row_detail.columns.map((c) => c.label_key));
          for (const c of o.row_detail.columns) if (c.format.kind === "label") groups.push(c.format.prefix);
        }
        if (o.follow) {
          groups.push(o.follow.state_prefix);
          keys.push(...o.follow.finished.map((s) => `${o.follow!.state_prefix}.${s}`));
        }
      }
    }
    expect(keys.length).toBeGreaterThan(50);
    for (const l of LANGUAGES) {
      for (const k of keys) expect(flat[l].has(k), `${l}: ${k}`).toBe(true);
      // A column of labels translates its values as `<prefix>.<value>`, with `unknown` for the others.
      for (const g of groups) expect(flat[l].has(`${g}.unknown`), `${l}: ${g}.unknown`).toBe(true);
    }
  });

  it("are not just English copies", () => {
    expect(flat["zh-CN"].get("nav.history")).not.toBe(flat.en.get("nav.history"));
    expect(flat["pt-BR"].get("nav.history")).not.toBe(flat.en.get("nav.history"));
  });
});

describe("matchLanguage", () => {
  it("maps system language tags to a supported catalog", () => {
    expect(matchLanguage("zh-TW")).toBe("zh-CN");
    expect(matchLanguage("pt-PT")).toBe("pt-BR");
    expect(matchLanguage("de-DE")).toBe("en");
    expect(matchLanguage(undefined)).toBe("en");
  });
});
