// Settings › the sandbox for training: offered only when a sandbox account exists; "Reset the sandbox"
// asks first; faults to rehearse are added per provider (a wrong signature only where answers are signed),
// listed in words and removed. And "Try it with simulated providers" stays on the Accounts screen once
// other accounts exist.
import { beforeEach, describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { missingKeys, changeLanguage } from "./i18n";
import { SandboxTrainingCard } from "./components/SandboxTraining";
import { AccountsScreen } from "./screens/Accounts";
import type { SandboxTraining } from "./api";
import { account, mockBackend, PROVIDERS, setupEach, withToasts, enterValue } from "./test/helpers";

setupEach();
beforeEach(() => missingKeys.clear());

const SIGNING = PROVIDERS[0].id;
const UNSIGNED = PROVIDERS[PROVIDERS.length - 1].id;
const base = (more: Partial<SandboxTraining> = {}): SandboxTraining => ({
  available: true, pending: [], signing: [SIGNING] as never, slow_seconds: 8, max_count: 20, ...more,
});

describe("the sandbox for training", () => {
  it("is not offered without a sandbox account", async () => {
    const calls = mockBackend({ on: (cmd) => (cmd === "sandbox_training" ? base({ available: false }) : undefined) });
    render(withToasts(<SandboxTrainingCard />));
    await waitFor(() => expect(calls.some((c) => c.cmd === "sandbox_training")).toBe(true));
    await act(async () => undefined);
    expect(screen.queryByTestId("sandbox-training")).toBeNull();
  });

  it("resets the sandbox only after asking", async () => {
    const calls = mockBackend({ on: (cmd) => (cmd === "sandbox_training" || cmd === "reset_sandbox" ? base() : undefined) });
    render(withToasts(<SandboxTrainingCard />));
    fireEvent.click(await screen.findByTestId("sandbox-reset"));
    expect(screen.getByTestId("sandbox-reset-confirm").textContent).toContain("Sandbox inbox is emptied");
    fireEvent.click(screen.getByTestId("sandbox-reset-cancel"));
    expect(calls.some((c) => c.cmd === "reset_sandbox")).toBe(false);
    fireEvent.click(screen.getByTestId("sandbox-reset"));
    await act(async () => fireEvent.click(screen.getByTestId("sandbox-reset-apply")));
    expect(calls.filter((c) => c.cmd === "reset_sandbox")).toHaveLength(1);
    expect(screen.getByTestId("sandbox-reset-done").textContent).toBe("The sandbox starts afresh.");
    expect([...missingKeys]).toEqual([]);
  });

  it("adds a problem for the next requests of one provider, lists it in words, removes it", async () => {
    let training = base();
    const calls = mockBackend({
      on: (cmd, args) => {
        if (cmd === "inject_sandbox_fault") training = base({ pending: [{ provider: args.provider as never, api: String(args.provider), fault: args.fault as never, count: Number(args.count) }] });
        if (cmd === "clear_sandbox_faults") training = base();
        return cmd === "sandbox_training" || cmd === "inject_sandbox_fault" || cmd === "clear_sandbox_faults" ? training : undefined;
      },
    });
    render(withToasts(<SandboxTrainingCard />));
    await screen.findByTestId("fault-none");
    enterValue(screen.getByTestId("fault-provider"), UNSIGNED);
    const wrong = [...(screen.getByTestId("fault-kind") as HTMLSelectElement).options].find((o) => o.value === "wrong_signature")!;
    expect(wrong.disabled).toBe(true);
    enterValue(screen.getByTestId("fault-kind"), "slow");
    expect(screen.getByTestId("fault-explain").textContent).toBe("The provider answers only after 8 seconds.");
    enterValue(screen.getByTestId("fault-count"), "0");
    expect((screen.getByTestId("fault-add") as HTMLButtonElement).disabled).toBe(true);
    enterValue(screen.getByTestId("fault-count"), "3");
    await act(async () => fireEvent.click(screen.getByTestId("fault-add")));
    expect(calls.find((c) => c.cmd === "inject_sandbox_fault")!.args).toEqual({ provider: UNSIGNED, fault: "slow", count: 3 });
    const name = PROVIDERS.find((d) => d.id === UNSIGNED)!.display_name;
    expect(screen.getByTestId("fault-row").textContent).toBe(`${name} · Provider slow · the next 3 requests`);
    await act(async () => fireEvent.click(screen.getByTestId("fault-clear")));
    expect(screen.getByTestId("fault-none")).toBeTruthy();
    enterValue(screen.getByTestId("fault-provider"), SIGNING);
    const wrongNow = [...(screen.getByTestId("fault-kind") as HTMLSelectElement).options].find((o) => o.value === "wrong_signature")!;
    expect(wrongNow.disabled).toBe(false);
    expect([...missingKeys]).toEqual([]);
  });

  it("speaks the app language", async () => {
    await changeLanguage("pt-BR");
    mockBackend({ on: (cmd) => (cmd === "sandbox_training" ? base({ pending: [{ provider: SIGNING as never, api: SIGNING, fault: "down", count: 1 }] }) : undefined) });
    render(withToasts(<SandboxTrainingCard />));
    expect((await screen.findByTestId("fault-row")).textContent).toContain("Provedor fora do ar · a próxima solicitação");
    expect(screen.getByTestId("sandbox-reset").textContent).toBe("Redefinir o sandbox");
    expect([...missingKeys]).toEqual([]);
  });
});

describe("Try it with simulated providers", () => {
  it("stays on the Accounts screen once other accounts exist, until a sandbox account does", async () => {
    const production = account(PROVIDERS[0].id, { environment: "production", label: "Store BR" });
    mockBackend({ accounts: [production] });
    const { unmount } = render(<AccountsScreen />);
    expect((await screen.findByTestId("sandbox-try")).textContent).toBe("Try it with simulated providers");
    unmount();
    mockBackend({ accounts: [production, account(PROVIDERS[0].id, { id: 8, environment: "sandbox", label: "Sandbox · X" })] });
    render(<AccountsScreen />);
    await screen.findAllByTestId("account-edit");
    expect(screen.queryByTestId("sandbox-try")).toBeNull();
  });
});
