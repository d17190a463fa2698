// Every account field a provider's descriptor asks for says, in each language, where in the provider's
// portal or dashboard the value is found, in plain words: no request header names, and a technical term
// only with what it means.
import { describe, expect, it } from "vitest";
import { LANGUAGES, loadCatalog } from "./i18n";
import type { ProviderDescriptor } from "./api";
import providers from "./bindings/providers.json";

type Tree = { [k: string]: string | Tree };
const lookup = (tree: Tree, key: string) => key.split(".").reduce<string | Tree | undefined>((t, k) => (typeof t === "object" ? t[k] : undefined), tree);
const catalogs = Object.fromEntries(await Promise.all(LANGUAGES.map(async (l) => [l, (await loadCatalog(l)) as Tree])));

/** Words that name a place in a provider's web tools, per language. */
const PLACE: Record<string, RegExp> = {
  en: /portal|dashboard|control panel|console/i,
  "zh-CN": /门户|控制台|控制面板/,
  "pt-BR": /portal|painel|console/i,
};
/** The word for the certificate, per language. */
const CERTIFICATE: Record<string, RegExp> = { en: /certificate/, "zh-CN": /证书/, "pt-BR": /certificado/ };
/** Request header names and other terms a finance person is not expected to know. */
const JARGON = /\bX-[A-Z][A-Za-z-]*|open-apikey|\bPKCS|\bDER\b/;

const descriptors = providers as unknown as ProviderDescriptor[];
/** The values a user copies from the provider: required, not the address, not a choice between versions. */
const copied = descriptors.flatMap((d) =>
  d.account_fields.filter((f) => f.required && f.name !== "base_url" && f.kind !== "choice").map((f) => ({ d, f })),
);

describe("account field help", () => {
  it("says where in the provider's portal each value is found, in every language", () => {
    expect(copied.length).toBeGreaterThan(8);
    for (const l of LANGUAGES) {
      for (const { d, f } of copied) {
        const help = lookup(catalogs[l], f.help_key);
        expect(typeof help, `${l}: ${f.help_key}`).toBe("string");
        expect(help as string, `${l}: ${d.id}.${f.name}`).toMatch(PLACE[l]);
      }
    }
  });

  it("uses no header names or unexplained terms", () => {
    for (const l of LANGUAGES) {
      for (const d of descriptors) {
        for (const f of d.account_fields) {
          const help = lookup(catalogs[l], f.help_key) as string;
          expect(help, `${l}: ${f.help_key}`).not.toMatch(JARGON);
          // "TLS" only beside what it means: the connection proving who you are with the certificate.
          if (/\bTLS\b/.test(help)) expect(help, `${l}: ${f.help_key}`).toMatch(CERTIFICATE[l]);
        }
      }
    }
  });

  it("tells how to find out which API version an account has, and points at Test connection", () => {
    for (const l of LANGUAGES) {
      const test = lookup(catalogs[l], "accounts.test") as string;
      for (const d of descriptors) {
        for (const f of d.account_fields.filter((x) => x.kind === "choice" && x.name.endsWith("version"))) {
          expect(lookup(catalogs[l], f.help_key) as string, `${l}: ${f.help_key}`).toContain(test);
        }
      }
    }
  });
});
