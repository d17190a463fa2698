import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { changeLanguage, LANGUAGES, loadCatalog, missingKeys } from "./i18n";
import { AccountForm } from "./components/AccountForm";
import { AccountsScreen } from "./screens/Accounts";
import { strongReasons } from "./lib/confirm";
import { toCsv } from "./lib/csv";
import type { AccountView } from "./api";
import { account, mockBackend, operation, provider, setupEach, enterValue } from "./test/helpers";

setupEach();

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

const avistaResend = operation("avista", "resend-webhook");

describe("confirmation of an Avista resend to a one-off URL", () => {
  it("is strong when a url is given, and names the reason", () => {
    const acc = { environment: "sandbox" as const };
    const reasons = (...args: Parameters<typeof strongReasons>) => strongReasons(...args).reasons;
    expect(reasons(acc, avistaResend, { transaction_identifier: "1" }, 0)).toEqual([]);
    expect(reasons(acc, avistaResend, { transaction_identifier: "1", url: " " }, 0)).toEqual([]);
    expect(reasons(acc, avistaResend, { transaction_identifier: "1", url: "https://hooks.example.com/x" }, 0)).toEqual([
      { reason: "one_off_url", ask: "tick_own" },
    ]);
    expect(reasons({ environment: "production" }, avistaResend, { transaction_identifier: "1", url: "https://h.example.com" }, 0)).toEqual([
      { reason: "production", ask: "read" },
      { reason: "one_off_url", ask: "tick_own" },
    ]);
  });
});

// CYBAVO's account fields as registered, without its optional calls per minute (not needed here).
const CYBAVO = { ...provider("cybavo"), account_fields: provider("cybavo").account_fields.filter((f) => f.name !== "calls_per_minute") };
const saved: AccountView = account("cybavo", {
  id: 3, label: "Store A", environment: "custom", base_url: "https://sofa.example.com", fields: { wallet_id: 55743 },
  secrets: [{ name: "api_code", set: true, needs_reentry: false }, { name: "api_secret", set: true, needs_reentry: false }],
});

describe("editing an account's address", () => {
  it("asks for every saved secret again when the host changes, before saving", async () => {
    const calls = mockBackend();
    render(<AccountForm descriptors={[CYBAVO]} account={saved} onCancel={() => {}} onSaved={() => {}} />);
    // Same host: secrets stay saved, no warning.
    expect(screen.getByTestId("secret-saved-api_code")).toBeTruthy();
    expect(screen.queryByTestId("new-host-warning")).toBeNull();
    enterValue(screen.getByTestId("form-base_url"), "https://sofa.example.com/v2");
    expect(screen.queryByTestId("new-host-warning")).toBeNull();

    // Another host: a warning, and both secrets must be typed again.
    enterValue(screen.getByTestId("form-base_url"), "https://other.example.net");
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
    enterValue(screen.getByTestId("form-base_url"), "https://SOFA.example.com:443");
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
        mockBackend({
          on: (cmd) => {
            if (cmd === "create_account") throw { code: "input.invalid", params: { field: c.field, reason: c.reason, ...c.params }, detail: null };
            return undefined;
          },
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
    mockBackend({ accounts: [lost, { ...saved, id: 4, label: "Store OK" }], descriptors: [CYBAVO] });
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
    const calls = mockBackend({ on: (cmd) => (cmd === "update_account" ? lost : undefined) });
    render(<AccountForm descriptors={[CYBAVO]} account={lost} onCancel={() => {}} onSaved={() => {}} />);
    expect(screen.getByTestId("reentry-warning").textContent).toContain("API secret");
    expect(screen.queryByTestId("secret-saved-api_code")).toBeNull();
    expect((screen.getByTestId("form-api_code") as HTMLInputElement).required).toBe(true);
    enterValue(screen.getByTestId("form-api_code"), "code-again");
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    expect(calls.filter((c) => c.cmd === "update_account")).toEqual([]);
    expect(screen.getByTestId("field-error-api_secret").dataset.code).toBe("vault.master_key_lost");
    enterValue(screen.getByTestId("form-api_secret"), "secret-again");
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    const update = calls.find((c) => c.cmd === "update_account")!;
    expect((update.args.input as { secrets: Record<string, string> }).secrets).toEqual({ api_code: "code-again", api_secret: "secret-again" });
    expect([...missingKeys]).toEqual([]);
  });
});
