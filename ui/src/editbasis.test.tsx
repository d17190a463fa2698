// An edit saved over an account that changed after its form opened is refused by the core; the form says so
// and opens the account again as it is now.
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { missingKeys } from "./i18n";
import { AccountsScreen } from "./screens/Accounts";
import { account, mockBackend, setupEach, enterValue } from "./test/helpers";

setupEach();

describe("the account form over an account changed elsewhere", () => {
  it("sends the account as it opened, says why nothing was saved and opens it again as it is now", async () => {
    const opened = account("cybavo", { environment: "custom", fields: { wallet_id: 55743 }, notes: "", updated_at_ms: 1 });
    const theirs = { ...opened, label: "Store BR (payouts)", updated_at_ms: 2 };
    let stored = opened;
    const calls = mockBackend({
      events: true,
      on: (cmd) => {
        if (cmd === "team_status") return { workspace: null };
        if (cmd === "list_accounts") return [stored];
        if (cmd === "update_account") throw { code: "accounts.changed_elsewhere", params: { label: theirs.label }, detail: null };
        return undefined;
      },
    });
    render(<AccountsScreen />);
    const edit = await screen.findByTestId("account-edit");
    await act(async () => fireEvent.click(edit));
    // Another admin renames it meanwhile; this form still shows the old name.
    stored = theirs;
    enterValue(screen.getByTestId("form-notes"), "rotated in December");
    await act(async () => fireEvent.click(screen.getByTestId("form-save")));

    const update = calls.find((c) => c.cmd === "update_account")!;
    expect(update.args.basis).toEqual({ label: "Store BR", environment: "custom", base_url: opened.base_url, fields: { wallet_id: 55743 }, notes: "" });
    const error = screen.getByTestId("error-box");
    expect(error.dataset.code).toBe("accounts.changed_elsewhere");
    expect(error.textContent).toContain("“Store BR (payouts)” was changed after you opened this form");
    // Saving again would be refused again: the form's main action is to open the account anew.
    expect(screen.queryByTestId("form-save")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("form-reopen"));

    await act(async () => fireEvent.click(screen.getByTestId("form-reopen")));
    const form = screen.getByTestId("account-form");
    expect(within(form).getByRole("heading").textContent).toContain("Store BR (payouts)");
    expect((screen.getByTestId("form-notes") as HTMLTextAreaElement).value).toBe("");
    expect(screen.queryByTestId("error-box")).toBeNull();
    expect([...missingKeys]).toEqual([]);
  });
});
