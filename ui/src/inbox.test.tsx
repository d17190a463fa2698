// The Sandbox inbox screen and its sidebar entry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { App, loadScreens } from "./App";
import { InboxScreen } from "./screens/Inbox";
import { changeLanguage, initI18n, missingKeys } from "./i18n";
import type { SandboxInbox } from "./bindings/SandboxInbox";
import { formatLocal } from "./lib/time";

const ROOT = "http://127.0.0.1:41234";
const AT = 1_760_000_000_000;

const INBOX: SandboxInbox = {
  available: true,
  running: true,
  receivers: [{ api: "avista", provider: "avista", url: `${ROOT}/__sandbox/inbox/receive/avista` }],
  entries: [
    {
      id: 3, received_at_ms: AT + 2000, api: "ccpayment-v1", provider: "ccpayment",
      url: `${ROOT}/__sandbox/inbox/receive/ccpayment-v1`,
      headers: [["appid", "2024"], ["sign", "<redacted>"]], body: '{"record_id":"R1"}',
      signature: { state: "invalid", reason: "Sign does not match" },
    },
    {
      id: 2, received_at_ms: AT + 1000, api: "avista", provider: "avista",
      url: `${ROOT}/__sandbox/inbox/receive/avista`,
      headers: [["x-webhook-secret", "<redacted>"]], body: '{"type":"cash_in"}', signature: { state: "not_signed" },
    },
    {
      id: 1, received_at_ms: AT, api: "cybavo", provider: "cybavo", url: `${ROOT}/__sandbox/inbox/receive/cybavo`,
      headers: [["x-checksum", "<redacted>"], ["content-type", "application/json"]], body: '{"serial":90000000002}',
      signature: { state: "valid" },
    },
  ],
};

let answer: SandboxInbox = INBOX;
const asked: unknown[] = [];

beforeEach(async () => {
  // Screens other than the first are chunks, fetched after the first paint: here before moving between them.
  await loadScreens();
  answer = INBOX;
  asked.length = 0;
  initI18n("en");
  await changeLanguage("en");
  mockIPC((cmd, args) => {
    if (cmd === "sandbox_inbox") {
      asked.push(args);
      return answer;
    }
    if (cmd === "provider_descriptors")
      return [
        { id: "cybavo", display_name: "CYBAVO SOFA" },
        { id: "avista", display_name: "Avista" },
        { id: "ccpayment", display_name: "CCPayment" },
      ];
    if (cmd === "app_info") throw new Error("not needed");
    if (cmd === "list_accounts") return [];
    if (cmd === "get_preferences") return { language: null };
    throw new Error(`unexpected command ${cmd}`);
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Sandbox inbox", () => {
  it("lists each delivery newest first with its time, provider and signature badge", async () => {
    render(<InboxScreen />);
    await waitFor(() => expect(screen.getAllByTestId("inbox-row")).toHaveLength(3));
    const rows = screen.getAllByTestId("inbox-row");
    expect(rows.map((r) => r.dataset.api)).toEqual(["ccpayment-v1", "avista", "cybavo"]);
    const badges = screen.getAllByTestId("inbox-signature");
    expect(badges.map((b) => [b.dataset.signature, b.textContent])).toEqual([
      ["invalid", "Signature invalid"],
      ["not_signed", "Not signed"],
      ["valid", "Signature valid"],
    ]);
    expect(within(rows[2]).getByText(formatLocal(AT, "en"))).toBeTruthy();
    expect(rows[2].textContent).toContain("CYBAVO SOFA");
    expect(rows[2].textContent).toContain("/__sandbox/inbox/receive/cybavo");
    expect(screen.getByTestId("inbox-count").textContent).toBe("3 deliveries");
    expect(screen.queryByTestId("inbox-detail")).toBeNull();
    expect(missingKeys.size).toBe(0);
  });

  it("shows the headers, the body and what the signature means on expand", async () => {
    render(<InboxScreen />);
    await waitFor(() => expect(screen.getAllByTestId("inbox-row")).toHaveLength(3));
    fireEvent.click(screen.getAllByTestId("inbox-toggle")[0]);
    const detail = screen.getByTestId("inbox-detail");
    expect(detail.textContent).toContain("not valid for CCPayment");
    expect(detail.textContent).toContain("Sign does not match");
    expect(detail.textContent).toContain("appid:");
    expect(detail.textContent).toContain('"record_id": "R1"');
    fireEvent.click(screen.getAllByTestId("inbox-row")[1]);
    expect(screen.getAllByTestId("inbox-detail")).toHaveLength(1);
    expect(screen.getByTestId("inbox-detail").textContent).toContain("Avista does not sign its callbacks");
    expect(screen.getByTestId("inbox-receivers").textContent).toContain(`${ROOT}/__sandbox/inbox/receive/avista`);
  });

  it("explains an empty inbox, and that the sandbox starts with a sandbox account", async () => {
    answer = { available: true, running: false, receivers: [], entries: [] };
    render(<InboxScreen />);
    const empty = await screen.findByTestId("inbox-empty");
    expect(empty.textContent).toContain("Nothing delivered yet");
    expect(empty.textContent).toContain("Resend screen");
    expect(empty.textContent).toContain("The sandbox starts the first time a sandbox account is used.");
    expect(missingKeys.size).toBe(0);
  });

  it("is in the sidebar only while a sandbox account exists or the sandbox runs", async () => {
    answer = { available: false, running: false, receivers: [], entries: [] };
    const { unmount } = render(<App />);
    await waitFor(() => expect(asked.length).toBeGreaterThan(0));
    expect(screen.queryByTestId("nav-inbox")).toBeNull();
    expect(asked[0]).toEqual({ limit: 0 });
    unmount();
    answer = { ...INBOX };
    render(<App />);
    const nav = await screen.findByTestId("nav-inbox");
    // Last in the sidebar: appearing moves no other entry under the pointer.
    const order = [...document.querySelectorAll("[data-testid^=nav-]")].map((e) => e.getAttribute("data-testid"));
    expect(order.at(-1)).toBe("nav-inbox");
    expect(order.indexOf("nav-settings")).toBe(order.length - 2);
    fireEvent.click(nav);
    expect(screen.getByTestId("screen-title").textContent).toBe("Sandbox inbox");
    await waitFor(() => expect(screen.getAllByTestId("inbox-row")).toHaveLength(3));
  });
});
