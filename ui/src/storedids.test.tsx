// Identifiers a provider gave the merchant (a webhook endpoint's id) are kept on the account and picked
// from a list in the operation forms: the first one chosen already, another one still typeable.
import { beforeEach, describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { missingKeys } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { AccountForm } from "./components/AccountForm";
import { AccountsScreen } from "./screens/Accounts";
import { account, mockBackend, operation, PROVIDERS, setupEach, enterValue } from "./test/helpers";

setupEach();
beforeEach(() => missingKeys.clear());

const MAIN = "1721442311151521794";
const BACKUP = "1721442311151529999";
/** The registered provider whose resend takes a stored id, found by its descriptor. */
const PROVIDER = PROVIDERS.find((d) => d.operations.some((o) => o.fields.some((f) => f.from_account)))!;
const OP = PROVIDER.operations.find((o) => o.fields.some((f) => f.from_account))!;
const FIELD = OP.fields.find((f) => f.from_account)!;
const STORED = FIELD.from_account!;
const WITH_IDS = account(PROVIDER.id, { fields: { [STORED]: [{ name: "Main", id: MAIN }, { name: "", id: BACKUP }] } });
const noop = () => undefined;
const OK = { history_id: 5, outcome: "ok", http_status: 200, error: null, summary: [], result: {}, request: null, response: null, calls: 1 };
const PREVIEW = { method: "POST", url: "https://api.example.com/x", headers: [], body: "{}" };
const testId = `op-${FIELD.name}`;
const select = () => screen.getByTestId(testId) as HTMLSelectElement;

/** The other fields filled (as a Repeat from History fills them), the stored id's field left out. */
const INTENT = {
  accountId: WITH_IDS.id, operation: OP.name, nonce: 1,
  params: Object.fromEntries(OP.fields.filter((f) => f !== FIELD && f.required).map((f) => [f.name, f.kind === "choice" ? f.choices[0] : Date.now() - 3600_000])),
};

function renderResend(a = WITH_IDS, intent: typeof INTENT | null = null) {
  const calls = mockBackend({ accounts: [a], on: (cmd) => (cmd === "preview_action" ? PREVIEW : cmd === "run_action" ? OK : undefined) });
  render(<ResendScreen accountId={a.id} onAccount={noop} intent={intent} onGoToAccounts={noop} onSeeHistory={noop} />);
  return calls;
}

describe("an id stored on the account", () => {
  it("is the one a resend sends, chosen already: nothing typed", async () => {
    expect(operation(PROVIDER.id, OP.name)).toBe(OP);
    const calls = renderResend(WITH_IDS, INTENT);
    await waitFor(() => expect(calls.some((c) => c.cmd === "budget_status")).toBe(true));
    await act(async () => undefined);
    expect(select().value).toBe(MAIN);
    expect([...select().options].map((o) => o.textContent)).toEqual([`Main — ${MAIN}`, BACKUP, "Another ID…"]);
    await act(async () => fireEvent.click(screen.getByTestId("resend-go")));
    await act(async () => fireEvent.click(await screen.findByTestId("confirm-send")));
    await waitFor(() => expect(calls.some((c) => c.cmd === "run_action")).toBe(true));
    const run = calls.find((c) => c.cmd === "run_action")!;
    expect((run.args.request as { params: Record<string, unknown> }).params[FIELD.name]).toBe(MAIN);
    expect([...missingKeys]).toEqual([]);
  });

  it("can be another of the stored ones, or one typed", async () => {
    renderResend();
    await waitFor(() => expect(select().value).toBe(MAIN));
    enterValue(select(), BACKUP);
    expect(select().value).toBe(BACKUP);
    expect(screen.queryByTestId(`${testId}-other`)).toBeNull();
    enterValue(select(), "__other__");
    const typed = screen.getByTestId(`${testId}-other`) as HTMLInputElement;
    expect(typed.value).toBe("");
    enterValue(typed, "42");
    expect((screen.getByTestId(`${testId}-other`) as HTMLInputElement).value).toBe("42");
    expect(select().value).toBe("__other__");
  });

  it("is offered in the bulk form too", async () => {
    renderResend();
    await waitFor(() => expect(select().value).toBe(MAIN));
    fireEvent.click(screen.getByTestId("mode-bulk").querySelector("input")!);
    expect(select().value).toBe(MAIN);
    expect(select().options).toHaveLength(3);
  });

  it("when none is stored, the field is typed and says where to keep one", async () => {
    renderResend(account(PROVIDER.id));
    const input = (await screen.findByTestId(testId)) as HTMLInputElement;
    expect(input.tagName).toBe("INPUT");
    expect(input.value).toBe("");
    expect(screen.getByTestId(`${testId}-none`).textContent).toContain("Accounts › Edit");
  });
});

describe("the account form", () => {
  it("keeps named ids: shows the stored ones, adds, removes and saves them as a list", async () => {
    const calls = mockBackend({ on: (cmd) => (cmd === "update_account" ? null : undefined) });
    const a = { ...WITH_IDS, environment: "custom" as const, secrets: PROVIDER.account_fields.filter((f) => f.secret).map((f) => ({ name: f.name, set: true, needs_reentry: false })) };
    render(<AccountForm descriptors={PROVIDERS} account={a} onCancel={noop} onSaved={noop} />);
    expect((screen.getByTestId(`form-${STORED}-name-0`) as HTMLInputElement).value).toBe("Main");
    expect((screen.getByTestId(`form-${STORED}-id-1`) as HTMLInputElement).value).toBe(BACKUP);
    expect(screen.getByTestId(`help-${STORED}`).textContent).toMatch(/portal/);
    fireEvent.click(screen.getByTestId(`form-${STORED}-remove-0`));
    fireEvent.click(screen.getByTestId(`form-${STORED}-add`));
    enterValue(screen.getByTestId(`form-${STORED}-name-1`), " Backup ");
    enterValue(screen.getByTestId(`form-${STORED}-id-1`), " 77 ");
    fireEvent.click(screen.getByTestId(`form-${STORED}-add`));
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));
    const saved = calls.find((c) => c.cmd === "update_account")!;
    const input = saved.args.input as { fields: Record<string, unknown> };
    expect(input.fields[STORED]).toEqual([{ name: "", id: BACKUP }, { name: "Backup", id: "77" }]);
    expect([...missingKeys]).toEqual([]);
  });
});

describe("the account card", () => {
  it("shows the stored ids as names and ids, not as raw data", async () => {
    mockBackend({ accounts: [WITH_IDS] });
    render(<AccountsScreen />);
    const card = await screen.findByTestId(`account-${WITH_IDS.id}`);
    expect(card.textContent).not.toContain("[object Object]");
    expect(card.textContent).toContain(`Main — ${MAIN}, ${BACKUP}`);
  });
});
