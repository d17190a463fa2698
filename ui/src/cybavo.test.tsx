// CYBAVO's additions as the window draws them from its real descriptor: "Test my endpoint" beside the
// resends (its answer worded as the merchant server's), and read-only API code accounts, which are offered
// the look-ups, the endpoint test and their wallet list, and no resend.
import { beforeEach, describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { missingKeys } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { QueryScreen } from "./screens/Query";
import { AccountForm } from "./components/AccountForm";
import { PROVIDERS, account, mockBackend, setupEach, enterValue } from "./test/helpers";

setupEach();
beforeEach(() => missingKeys.clear());

const noop = () => undefined;
const FULL = account("cybavo", { id: 3, label: "Wallet 55743", fields: { wallet_id: 55743 } });
const READ_ONLY = account("cybavo", { id: 4, label: "Finance reader", fields: { access: "read_only", wallet_id: 55743 } });
const INSPECTED = {
  history_id: 8, outcome: "ok", http_status: 200, error: null, calls: 1, request: null,
  response: { status: 200, headers: [], body: "{}", elapsed_ms: 5 },
  result: { notification_endpoint: { url_text: "https://shop.example/cb", status_code: 400, response_text: "unknown payload" } },
  summary: [
    { key: "result.cybavo_inspect.answered", params: { status: "400", url: "https://shop.example/cb" } },
    { key: "result.cybavo_inspect.body", params: { body: "unknown payload" } },
    { key: "result.cybavo_inspect.refused_hint", params: {} },
  ],
};

const renderResend = (id: number) =>
  render(<ResendScreen accountId={id} onAccount={noop} intent={null} onGoToAccounts={noop} onSeeHistory={noop} />);

describe("CYBAVO in the window", () => {
  it("offers Test my endpoint beside the resends and words the answer as the merchant server's", async () => {
    const calls = mockBackend({ accounts: [FULL], on: (cmd) => (cmd === "run_action" ? INSPECTED : undefined) });
    renderResend(FULL.id);
    await screen.findByTestId("op-choice-resend-withdrawal-callbacks");
    const test = screen.getByTestId("probe-inspect-callback-endpoint");
    expect(test.textContent).toBe("Test my endpoint");
    await act(async () => fireEvent.click(test));
    const panel = await screen.findByTestId("probe-result");
    expect(within(panel).getByTestId("result-summary").textContent).toBe(
      "Your server at https://shop.example/cb answered CYBAVO's connection test with HTTP 400.",
    );
    expect(within(panel).getAllByTestId("result-line").map((l) => l.textContent)).toEqual([
      "What your server answered: unknown payload",
      expect.stringContaining("The test message is not a callback"),
    ]);
    expect(calls.find((c) => c.cmd === "run_action")!.args.request).toEqual({ account_id: 3, operation: "inspect-callback-endpoint", params: {} });
    expect([...missingKeys]).toEqual([]);
  });

  it("offers a read-only API code account no resend, but the endpoint test and every look-up", async () => {
    mockBackend({ accounts: [READ_ONLY] });
    const { unmount } = renderResend(READ_ONLY.id);
    await screen.findByTestId("probe-inspect-callback-endpoint");
    expect(screen.queryByTestId("op-choice-resend-withdrawal-callbacks")).toBeNull();
    expect(screen.queryByTestId("resend-go")).toBeNull();
    expect(screen.getByTestId("resend-form").textContent).toContain("no resend operation available for this account");
    unmount();
    render(<QueryScreen accountId={READ_ONLY.id} onAccount={noop} onGoToAccounts={noop} onResend={noop} onSeeHistory={noop} />);
    await screen.findByTestId("query-tab-list-readonly-wallets");
    for (const op of ["query-callbacks", "list-callbacks", "lookup-deposit", "lookup-withdrawal"]) {
      expect(screen.getByTestId(`query-tab-${op}`)).toBeTruthy();
    }
    expect(screen.getByTestId("query-tab-list-readonly-wallets").textContent).toBe("Wallets this code can read");
    expect([...missingKeys]).toEqual([]);
  });

  it("asks the access of the API code, and the wallet only of a full code", () => {
    mockBackend({ descriptors: PROVIDERS });
    render(<AccountForm descriptors={PROVIDERS} onCancel={noop} onSaved={noop} />);
    enterValue(screen.getByTestId("form-provider"), "cybavo");
    const access = screen.getByTestId("form-access") as HTMLSelectElement;
    expect([...access.options].map((o) => o.textContent)).toEqual(["Full (wallet API code)", "Read-only API code"]);
    expect(access.value).toBe("full");
    const walletLabel = () => screen.getByTestId("form-wallet_id").parentElement!.querySelector(".field-label")!.textContent;
    expect(walletLabel()).toBe("Wallet ID");
    enterValue(access, "read_only");
    expect(walletLabel()).toBe("Wallet ID (optional)");
    expect([...missingKeys]).toEqual([]);
  });
});
