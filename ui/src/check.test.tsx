// "Check a callback": what the screen sends (only the pasted text, or a Sandbox inbox delivery's id, and the
// account id), how it says the verdict and the fields, and where its buttons lead. Drawn with a provider the
// UI has never heard of ("Acme Pay"): every word comes from the core's answer and the catalogs.
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { changeLanguage, missingKeys } from "./i18n";
import { CheckScreen, type ActOn, type CheckIntent } from "./screens/Check";
import type { CallbackCheck, CoreError, InboxEntry } from "./api";
import { ACME, addAcmeCatalog } from "./test/acme";
import { PROVIDERS, account, mockBackend, setupEach, enterValue } from "./test/helpers";
import { formatLocal, timeZoneName } from "./lib/time";

setupEach();
beforeEach(() => {
  addAcmeCatalog();
  missingKeys.clear();
});

const DESCRIPTORS = [ACME, ...PROVIDERS];
const SHOP = account("acme", { id: 9, label: "Shop EU", environment: "production" });
const SANDBOX_A = account("acme", { id: 11, label: "Sandbox · Acme A", environment: "sandbox" });
const SANDBOX_B = account("acme", { id: 12, label: "Sandbox · Acme B", environment: "sandbox" });
const AT = 1_700_000_000_000;

function answer(accountId: number, more: Partial<CallbackCheck> = {}): CallbackCheck {
  return {
    account_id: accountId,
    provider: "acme",
    signature: { verdict: "valid", reason: null, note: null },
    description: {
      fields: [
        { label_key: "query.col.acme_status", value: "delivered", value_key: "acme.status.delivered", look: "plain" },
        { label_key: "query.col.acme_amount", value: "2500.5", value_key: null, look: "amount" },
        { label_key: "query.col.acme_event", value: "evt_123", value_key: null, look: "code" },
        { label_key: "query.col.acme_at", value: String(AT), value_key: null, look: "time" },
        { label_key: "query.col.acme_code", value: "X9", value_key: "acme.no_such_key", look: "plain" },
      ],
      lookup: { operation: "find-events", params: { event_ids: ["evt_123"] } },
      resend: { operation: "redeliver", params: { event_id: "evt_123" } },
    },
    header_names: ["X-Acme-Signature", "Content-Type"],
    body_bytes: 1234,
    ...more,
  };
}

function draw(opts: { intent?: CheckIntent | null; accounts?: typeof SHOP[]; on?: (cmd: string, args: Record<string, unknown>) => unknown } = {}) {
  const looked: ActOn[] = [];
  const resent: ActOn[] = [];
  let chosen: number | null = (opts.accounts ?? [SHOP])[0].id;
  const calls = mockBackend({ accounts: opts.accounts ?? [SHOP], descriptors: DESCRIPTORS, on: opts.on });
  const props = {
    intent: opts.intent ?? null,
    accountId: chosen,
    onAccount: (a: { id: number } | null) => {
      chosen = a?.id ?? null;
    },
    onGoToAccounts: () => undefined,
    onLookUp: (a: ActOn) => looked.push(a),
    onResend: (a: ActOn) => resent.push(a),
  };
  const view = render(<CheckScreen {...props} />);
  return { calls, looked, resent, view, chosen: () => chosen };
}

describe("Check a callback", () => {
  it("sends only the pasted headers, body and the account id, and says the verdict and the fields in words", async () => {
    const { calls, looked, resent } = draw({ on: (cmd, args) => (cmd === "check_callback" ? answer(args.accountId as number) : undefined) });
    await screen.findByTestId("check-form");
    enterValue(screen.getByTestId("check-headers"), "X-Acme-Signature: abc\nContent-Type: application/json");
    enterValue(screen.getByTestId("check-body"), '{"event":"evt_123"}\n');
    fireEvent.click(screen.getByTestId("check-run"));
    const result = await screen.findByTestId("check-result");
    const sent = calls.filter((c) => c.cmd === "check_callback");
    expect(sent.map((c) => c.args)).toEqual([
      { accountId: 9, pasted: { kind: "parts", headers: "X-Acme-Signature: abc\nContent-Type: application/json", body: '{"event":"evt_123"}\n' }, delivery: null },
    ]);
    expect(result.dataset.verdict).toBe("valid");
    expect(within(result).getByTestId("check-verdict").textContent).toContain("Genuine");
    expect(within(result).getByTestId("check-verdict").textContent).toContain("Acme Pay signed this callback with this account's secret");
    const fields = within(result).getAllByTestId("check-field").map((f) => [f.querySelector("dt")?.textContent, f.querySelector("dd")?.textContent]);
    expect(fields).toEqual([
      ["Status", "Delivered"],
      ["Amount", "2,500.5"],
      ["Event", "evt_123"],
      ["At", `${formatLocal(AT, "en")} (${timeZoneName()})`],
      // A code the catalogs do not word is shown as the provider wrote it.
      ["Answer", "X9"],
    ]);
    expect(within(result).getByTestId("check-read").textContent).toBe("Checked 1,234 bytes of body. Headers read: X-Acme-Signature, Content-Type.");
    fireEvent.click(within(result).getByTestId("check-lookup"));
    fireEvent.click(within(result).getByTestId("check-resend"));
    expect(looked).toEqual([{ accountId: 9, operation: "find-events", params: { event_ids: ["evt_123"] } }]);
    expect(resent).toEqual([{ accountId: 9, operation: "redeliver", params: { event_id: "evt_123" } }]);
    expect(within(result).getByTestId("check-lookup").title).toBe("Find events by ID");
    expect([...missingKeys]).toEqual([]);
  });

  it("says why a signature is not this account's, with the field to fill named by its label, in the window's language", async () => {
    await changeLanguage("pt-BR");
    addAcmeCatalog();
    const mismatch = answer(9, {
      signature: { verdict: "unverifiable", reason: { key: "callbacks.fireblocks.needs_key", params: { field: "webhook_public_key" }, tone: "note" }, note: null },
      description: null,
    });
    draw({ on: (cmd) => (cmd === "check_callback" ? mismatch : undefined) });
    fireEvent.click(await screen.findByTestId("check-mode-request"));
    enterValue(screen.getByTestId("check-request"), "POST /cb HTTP/1.1\n\n{}");
    fireEvent.click(screen.getByTestId("check-run"));
    const verdict = await screen.findByTestId("check-verdict");
    expect(verdict.textContent).toContain("Não dá para conferir");
    expect(verdict.textContent).toContain("“Chave pública do webhook”");
    expect(screen.getByTestId("check-not-callback").textContent).toContain("não é um callback que a Acme Pay envia");
  });

  it("shows a mistake in what was pasted on its field, translated, with the fix", async () => {
    const refused: CoreError = { code: "input.invalid", params: { field: "callback_request", reason: "not_http_request" }, detail: null };
    draw({ on: (cmd) => { if (cmd === "check_callback") throw refused; return undefined; } });
    fireEvent.click(await screen.findByTestId("check-mode-request"));
    enterValue(screen.getByTestId("check-request"), "X-Acme-Signature: abc\n\n{}");
    fireEvent.click(screen.getByTestId("check-run"));
    const box = await screen.findByTestId("error-box");
    expect(box.textContent).toContain("“HTTP request”");
    expect(box.textContent).toContain("It must start with the request line, for example “POST /callback HTTP/1.1”");
    expect(screen.getByTestId("check-request").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("check-result")).toBeNull();
  });

  it("checks a Sandbox inbox delivery by its id with the sandbox accounts of its provider until one signed it", async () => {
    const entry: InboxEntry = {
      id: 42, received_at_ms: AT, api: "acme", provider: "acme", url: "http://127.0.0.1:4000/__sandbox/inbox/receive/acme",
      headers: [["X-Acme-Signature", "<redacted>"]], body: '{"event":"evt_123"}', signature: { state: "valid" },
    };
    const { calls, chosen } = draw({
      accounts: [SHOP, SANDBOX_A, SANDBOX_B],
      intent: { entry, nonce: 1 },
      on: (cmd, args) => {
        if (cmd !== "check_callback") return undefined;
        const id = args.accountId as number;
        return id === SANDBOX_B.id ? answer(id) : answer(id, { signature: { verdict: "mismatch", reason: null, note: null } });
      },
    });
    await waitFor(() => expect(chosen()).toBe(SANDBOX_B.id));
    const sent = calls.filter((c) => c.cmd === "check_callback").map((c) => c.args);
    expect(sent).toEqual([
      { accountId: 11, pasted: null, delivery: 42 },
      { accountId: 12, pasted: null, delivery: 42 },
    ]);
    expect(screen.getByTestId("check-delivery").textContent).toContain(formatLocal(AT, "en"));
    expect(screen.queryByTestId("check-body")).toBeNull();
    fireEvent.click(screen.getByTestId("check-paste-instead"));
    expect(screen.getByTestId("check-body")).toBeTruthy();
  });

  it("shows no earlier result while a delivery opened from the inbox is being checked", async () => {
    const entry: InboxEntry = {
      id: 7, received_at_ms: AT, api: "acme", provider: "acme", url: "http://127.0.0.1:4000/__sandbox/inbox/receive/acme",
      headers: [], body: "{}", signature: { state: "valid" },
    };
    const { view } = draw({
      accounts: [SANDBOX_A],
      on: (cmd, args) => {
        if (cmd !== "check_callback") return undefined;
        // The delivery's check has not answered yet.
        return args.delivery === null ? answer(SANDBOX_A.id) : new Promise(() => undefined);
      },
    });
    enterValue(await screen.findByTestId("check-body"), "{}");
    fireEvent.click(screen.getByTestId("check-run"));
    await screen.findByTestId("check-result");
    view.rerender(
      <CheckScreen intent={{ entry, nonce: 2 }} accountId={SANDBOX_A.id} onAccount={() => undefined} onGoToAccounts={() => undefined}
        onLookUp={() => undefined} onResend={() => undefined} />,
    );
    await screen.findByTestId("check-delivery");
    expect(screen.queryByTestId("check-result")).toBeNull();
  });
});
