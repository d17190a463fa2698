import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { preloadFirstScreen, resetFirstScreen, takeFirstScreen } from "./preload";

const account = { id: 7, label: "Sandbox CYBAVO", provider: "cybavo" };

function backend(release?: Promise<void>) {
  mockIPC(async (cmd) => {
    await release;
    if (cmd === "list_accounts") return [account];
    if (cmd === "provider_descriptors") return [{ id: "cybavo", operations: [] }];
    throw new Error(`unexpected command ${cmd}`);
  });
}

afterEach(() => {
  clearMocks();
  resetFirstScreen();
});

describe("first screen preload", () => {
  it("hands the data to the first screen once", async () => {
    backend();
    await preloadFirstScreen();
    const first = takeFirstScreen();
    expect(first?.accounts.map((a) => a.id)).toEqual([7]);
    expect(first?.descriptors.map((d) => d.id)).toEqual(["cybavo"]);
    expect(takeFirstScreen()).toBeNull();
  });

  it("drops data that arrives after the screen loaded without it", async () => {
    let release!: () => void;
    backend(new Promise<void>((r) => (release = r)));
    const asked = preloadFirstScreen();
    expect(takeFirstScreen()).toBeNull();
    release();
    await asked;
    expect(takeFirstScreen()).toBeNull();
  });

  it("never fails: on a backend error the screen loads as usual", async () => {
    mockIPC(() => {
      throw new Error("backend down");
    });
    await expect(preloadFirstScreen()).resolves.toBeUndefined();
    expect(takeFirstScreen()).toBeNull();
  });
});
