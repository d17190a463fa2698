// The sandbox accounts' labels ("Sandbox · …", stored in English) read in the app language wherever History
// names an account: its rows and its account filter.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import type { HistoryRow } from "./api";
import { HistoryTable } from "./components/history/HistoryTable";
import { HistoryScreen } from "./screens/History";
import { changeLanguage } from "./i18n";
import { account, mockBackend, PROVIDERS, setupEach } from "./test/helpers";

setupEach();

const LABEL = "Sandbox · CYBAVO SOFA";
const ROW: HistoryRow = {
  id: 1, job_id: null, created_at_ms: 1_700_000_000_000, finished_at_ms: 1_700_000_000_500,
  account_id: 7, account_label: LABEL, provider: "cybavo", environment: "sandbox", operation: "query-callbacks",
  scope: "ids=1", scope_params: [], outcome: "ok", http_status: 200, provider_code: null, error: null, duration_ms: 12,
};

describe("History in Chinese", () => {
  it("names a sandbox account in the app language in its rows", async () => {
    await changeLanguage("zh-CN");
    render(<HistoryTable rows={[ROW]} descriptors={PROVIDERS} selected={null} onSelect={() => undefined} onNearEnd={() => undefined} />);
    expect(screen.getByTestId("history-row").textContent).toContain("沙盒 · CYBAVO SOFA");
    expect(screen.getByTestId("history-row").textContent).not.toContain("Sandbox ·");
  });

  it("offers the sandbox account under its shown name in the account filter", async () => {
    await changeLanguage("zh-CN");
    mockBackend({
      accounts: [account("cybavo", { id: 7, label: LABEL })],
      on: (cmd) => (cmd === "history_page" ? { rows: [], next_cursor: null } : cmd === "history_count" ? 0 : undefined),
    });
    render(<HistoryScreen focus={null} job={null} resendsOf={null} onRepeat={() => undefined} />);
    const filter = await screen.findByTestId("filter-account");
    await within(filter).findByText("沙盒 · CYBAVO SOFA");
  });
});
