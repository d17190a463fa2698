import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { changeLanguage, initI18n, LANGUAGES, loadCatalog, missingKeys } from "./i18n";
import { AccountForm } from "./components/AccountForm";
import { AccountsScreen } from "./screens/Accounts";
import { strongReasons, toCsv } from "./lib/form";
import type { AccountView, FormField, OperationDescriptor, ProviderDescriptor } from "./api";
import type { AccountField } from "./bindings/AccountField";

beforeEach(async () => {
  initI18n("en");
  await changeLanguage("en");
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Copy as CSV", () => {
  it("neutralises cells a spreadsheet would run as formulas, like the history export", () => {
    const csv = toCsv([
      ["serial", "address"],
      ["=HYPERLINK(\"http://x\",\"y\")", "+1"],
      ["-2", "@SUM(A1)"],
      ["\tx", "\rx"],
      [12, "-"],
      ["plain", null],
    ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("serial,address");
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://x"",""y"")","'+1"`);
    expect(lines[2]).toBe(`"'-2","'@SUM(A1)"`);
    expect(lines[3]).toBe(`"'\tx","'\rx"`);
    // Numbers the app produces stay numbers; a lone dash from a provider is text and defused.
    expect(lines[4]).toBe(`12,"'-"`);
    expect(lines[5]).toBe("plain,");
    expect(csv.endsWith("\r\n")).toBe(true);
  });
});

const urlField: FormField = {
  name: "url", kind: "url", required: false, label_key: "ops.avista.url.label", help_key: "ops.avista.url.help",
  choices: [], default: null, broad: null, max: null,
};
const avistaResend: OperationDescriptor = {
  name: "resend-webhook", method: "POST", kind: "resend", label_key: "ops.avista.resend-webhook.label",
  help_key: "ops.avista.resend-webhook.help", only_when: null, bulk: null, confirm: [], lookup: null, deprecated: false, rate_limit_note: null,
  fields: [{ ...urlField, name: "transaction_identifier", kind: "text", required: true }, urlField],
};

describe("confirmation of an Avista resend to a one-off URL", () => {
  it("is strong when a url is given, and names the reason", () => {
    const acc = { environment: "sandbox" as const, provider: "avista" as const };
    expect(strongReasons(acc, avistaResend, { transaction_identifier: "1" }, 0).reasons).toEqual([]);
    expect(strongReasons(acc, avistaResend, { transaction_identifier: "1", url: "https://hooks.example.com/x" }, 0).reasons).toEqual(["one_off_url"]);
    expect(strongReasons({ ...acc, environment: "production" }, avistaResend, { transaction_identifier: "1", url: "https://h.example.com" }, 0).reasons)
      .toEqual(["production", "one_off_url"]);
  });
});

const secretField = (name: string, required = true): AccountField => ({
  name, secret: true, kind: "secret", required, label_key: `accounts.cybavo.${name}.label`,
  help_key: `accounts.cybavo.${name}.help`, choices: [], default: null,
});
const CYBAVO: ProviderDescriptor = {
  id: "cybavo", display_name: "CYBAVO SOFA", operations: [], base_urls: [],
  account_fields: [
    { ...secretField("base_url"), secret: false, kind: "url", label_key: "accounts.cybavo.base_url.label", help_key: "accounts.cybavo.base_url.help" },
    { ...secretField("wallet_id"), secret: false, kind: "integer", label_key: "accounts.cybavo.wallet_id.label", help_key: "accounts.cybavo.wallet_id.help" },
    secretField("api_code"),
    secretField("api_secret"),
  ],
};
const saved: AccountView = {
  id: 3, provider: "cybavo", label: "Store A", environment: "custom", base_url: "https://sofa.example.com",
  fields: { wallet_id: 55743 }, notes: "", certificate_fingerprint: null, secrets_need_reentry: false, created_at_ms: 0, updated_at_ms: 0,
  secrets: [{ name: "api_code", set: true, needs_reentry: false }, { name: "api_secret", set: true, needs_reentry: false }],
};

describe("editing an account's address", () => {
  it("asks for every saved secret again when the host changes, before saving", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      throw new Error(`unexpected command ${cmd}`);
    });
    render(<AccountForm descriptors={[CYBAVO]} account={saved} onCancel={() => {}} onSaved={() => {}} />);
    // Same host: secrets stay saved, no warning.
    expect(screen.getByTestId("secret-saved-api_code")).toBeTruthy();
    expect(screen.queryByTestId("new-host-warning")).toBeNull();
    fireEvent.change(screen.getByTestId("form-base_url"), { target: { value: "https://sofa.example.com/v2" } });
    expect(screen.queryByTestId("new-host-warning")).toBeNull();

    // Another host: a warning, and both secrets must be typed again.
    fireEvent.change(screen.getByTestId("form-base_url"), { target: { value: "https://other.example.net" } });
    const warning = screen.getByTestId("new-host-warning");
    expect(warning.textContent).toContain("API code");
    expect(warning.textContent).toContain("API secret");
    expect(screen.queryByTestId("secret-saved-api_code")).toBeNull();
    const code = screen.getByTestId("form-api_code") as HTMLInputElement;
    expect(code.required).toBe(true);
    expect((screen.getByTestId("form-api_secret") as HTMLInputElement).required).toBe(true);
    // Saving without them is stopped in the form; nothing is sent.
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    expect(calls.filter((c) => c.cmd === "update_account")).toEqual([]);
    expect(screen.getByTestId("field-error-api_code")).toBeTruthy();

    // Back to the saved host: the saved secrets are used again.
    fireEvent.change(screen.getByTestId("form-base_url"), { target: { value: "https://SOFA.example.com:443" } });
    expect(screen.queryByTestId("new-host-warning")).toBeNull();
    expect([...missingKeys]).toEqual([]);
  });

  it("asks for them when the environment changes", () => {
    render(<AccountForm descriptors={[CYBAVO]} account={saved} onCancel={() => {}} onSaved={() => {}} />);
    fireEvent.click(screen.getByTestId("form-env-sandbox").querySelector("input")!);
    expect(screen.getByTestId("new-host-warning")).toBeTruthy();
  });
});

describe("account field errors from the core", () => {
  // The errors `validate_input` returns for oversized values, header-unsafe credentials and an mTLS key
  // that does not fit its certificate; each is shown next to its field, translated, in every language.
  const cases = [
    { field: "api_code", reason: "not_header_text", params: {}, text: { en: "no line break", "zh-CN": "不能有换行", "pt-BR": "sem quebra de linha" } },
    { field: "api_secret", reason: "too_large", params: { max_kib: 64 }, text: { en: "at most 64 KiB", "zh-CN": "最多 64 KiB", "pt-BR": "no máximo 64 KiB" } },
    { field: "notes", reason: "too_large", params: { max_kib: 64 }, text: { en: "at most 64 KiB", "zh-CN": "最多 64 KiB", "pt-BR": "no máximo 64 KiB" } },
    { field: "base_url", reason: "too_large", params: { max_kib: 64 }, text: { en: "at most 64 KiB", "zh-CN": "最多 64 KiB", "pt-BR": "no máximo 64 KiB" } },
  ] as const;
  for (const lang of LANGUAGES) {
    for (const c of cases) {
      it(`shows ${c.reason} next to ${c.field} (${lang})`, async () => {
        await changeLanguage(lang);
        mockIPC((cmd) => {
          if (cmd === "create_account") throw { code: "input.invalid", params: { field: c.field, reason: c.reason, ...c.params }, detail: null };
          throw new Error(`unexpected command ${cmd}`);
        });
        render(<AccountForm descriptors={[CYBAVO]} onCancel={() => {}} onSaved={() => {}} />);
        await act(async () => fireEvent.click(screen.getByTestId("form-save")));
        const box = screen.getByTestId(`field-error-${c.field}`);
        expect(box.textContent).toContain(c.text[lang]);
        // Next to its field: inside the same label as the input.
        expect(box.closest(".field")?.querySelector(`[data-testid="form-${c.field}"]`)).toBeTruthy();
        expect(screen.queryByTestId("error-box")).toBeNull();
        expect([...missingKeys]).toEqual([]);
      });
    }
  }

  it("translates every reason of the account checks in every language", async () => {
    const reasons = ["too_large", "not_header_text", "invalid_client_key", "client_key_mismatch", "key_too_large", "not_public_host"];
    for (const lang of LANGUAGES) {
      const catalog = (await loadCatalog(lang)) as { reasons: Record<string, string>; fields: Record<string, string> };
      for (const r of reasons) expect(catalog.reasons[r], `${lang}: reasons.${r}`).toBeTruthy();
      for (const f of ["notes", "account"]) expect(catalog.fields[f], `${lang}: fields.${f}`).toBeTruthy();
    }
  });
});

describe("an account whose saved secrets can no longer be read", () => {
  const lost: AccountView = {
    ...saved,
    secrets_need_reentry: true,
    secrets: [{ name: "api_code", set: false, needs_reentry: true }, { name: "api_secret", set: false, needs_reentry: true }],
  };

  it("is marked on the Accounts screen, and each secret says it needs re-entry", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_accounts") return [lost, { ...saved, id: 4, label: "Store OK" }];
      if (cmd === "provider_descriptors") return [CYBAVO];
      throw new Error(`unexpected command ${cmd}`);
    });
    render(<AccountsScreen />);
    const badge = await screen.findByTestId("reentry-badge");
    expect(badge.textContent).toContain("Secrets need re-entry");
    expect(screen.getAllByTestId("reentry-badge")).toHaveLength(1);
    const card = screen.getByTestId("account-3");
    expect(card.querySelector("[data-testid=secret-state-api_code]")!.textContent).toBe("Needs re-entry");
    expect(screen.getByTestId("account-4").querySelector("[data-testid=secret-state-api_code]")!.textContent).toBe("Saved");
    expect([...missingKeys]).toEqual([]);
  });

  it("is saved only with every secret entered again", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      if (cmd === "update_account") return lost;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(<AccountForm descriptors={[CYBAVO]} account={lost} onCancel={() => {}} onSaved={() => {}} />);
    expect(screen.getByTestId("reentry-warning").textContent).toContain("API secret");
    expect(screen.queryByTestId("secret-saved-api_code")).toBeNull();
    expect((screen.getByTestId("form-api_code") as HTMLInputElement).required).toBe(true);
    fireEvent.change(screen.getByTestId("form-api_code"), { target: { value: "code-again" } });
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    expect(calls.filter((c) => c.cmd === "update_account")).toEqual([]);
    expect(screen.getByTestId("field-error-api_secret").dataset.code).toBe("vault.master_key_lost");
    fireEvent.change(screen.getByTestId("form-api_secret"), { target: { value: "secret-again" } });
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    const update = calls.find((c) => c.cmd === "update_account")!;
    expect((update.args.input as { secrets: Record<string, string> }).secrets).toEqual({ api_code: "code-again", api_secret: "secret-again" });
    expect([...missingKeys]).toEqual([]);
  });
});
