// An operation shown without being chosen (the first of the account the screen opens on) holds the choices
// it shows: a required choice drawn with its first option is sent with it, not refused as empty.
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { ResendScreen } from "./screens/Resend";
import { account, mockBackend, setupEach, type Call, enterValue, DATE_FIELD_WAIT } from "./test/helpers";

setupEach();

const PREVIEW = { method: "POST", url: "https://sandbox.example/open-api/v1/webhook/resend", headers: [], body: "{}" };

describe("the Resend screen as it opens", () => {
  it("sends the choice a required field shows, without the operation being chosen first", async () => {
    const ceffu = account("ceffu", { id: 3, label: "Treasury", environment: "sandbox" });
    let calls: Call[] = [];
    calls = mockBackend({ accounts: [ceffu], on: (cmd) => (cmd === "preview_action" ? PREVIEW : undefined) });
    render(<ResendScreen accountId={3} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    const select = (await screen.findByTestId("op-eventType")) as HTMLSelectElement;
    expect(select.value).toBe("1");
    const webhook = screen.queryByTestId("op-webhookId") as HTMLInputElement | null;
    if (webhook && webhook.tagName === "INPUT") enterValue(webhook, "1721442311151521794");
    fireEvent.click(await screen.findByTestId("op-resendFromDateTime-preset-hour_ago", {}, DATE_FIELD_WAIT));
    await act(async () => fireEvent.click(screen.getByTestId("resend-preview")));
    expect(screen.queryByTestId("form-error-eventType")).toBeNull();
    await waitFor(() => expect(calls.some((c) => c.cmd === "preview_action")).toBe(true));
    const asked = calls.find((c) => c.cmd === "preview_action")!.args.request as { params: Record<string, unknown> };
    expect(asked.params.eventType).toBe("1");
  });
});
