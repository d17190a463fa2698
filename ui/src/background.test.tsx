import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { mockBackend, setupEach, withToasts } from "./test/helpers";
import { CloseDialog } from "./components/CloseDialog";
import { SettingsScreen } from "./screens/Settings";
import { applySavedPreferences } from "./lib/prefs";

setupEach();

describe("closing the window while a job runs", () => {
  it("asks only when the app says a job runs, and sends the answer back", async () => {
    const calls = mockBackend({ events: true, on: (cmd) => (cmd === "close_window" ? null : undefined) });
    render(<CloseDialog />);
    expect(screen.queryByTestId("close-dialog")).toBeNull();
    await act(async () => {
      await emit("close-requested", 2);
    });
    const dialog = await screen.findByTestId("close-dialog");
    expect(dialog.textContent).toContain("2 jobs are still sending requests.");
    expect(["close-background", "close-pause", "close-cancel"].map((id) => screen.getByTestId(id).textContent)).toEqual([
      expect.stringContaining("Keep running in the background"),
      expect.stringContaining("Pause the job"),
      expect.stringContaining("Cancel the job"),
    ]);
    // "Keep the window open" asks nothing of the app.
    fireEvent.click(screen.getByTestId("close-stay"));
    await waitFor(() => expect(screen.queryByTestId("close-dialog")).toBeNull());
    expect(calls.some((c) => c.cmd === "close_window")).toBe(false);
    await act(async () => {
      await emit("close-requested", 1);
    });
    fireEvent.click(await screen.findByTestId("close-background"));
    await waitFor(() => expect(calls).toContainEqual({ cmd: "close_window", args: { choice: "background" } }));
    await waitFor(() => expect(screen.queryByTestId("close-dialog")).toBeNull());
    // Pausing waits, with the question shown, for the call in flight before the app quits.
    await act(async () => {
      await emit("close-requested", 1);
    });
    fireEvent.click(await screen.findByTestId("close-pause"));
    await waitFor(() => expect(calls).toContainEqual({ cmd: "close_window", args: { choice: "pause" } }));
    expect(screen.getByTestId("close-waiting").textContent).toBe("Waiting for the request in flight…");
  });
});

describe("notifications setting", () => {
  it("is on by default and turning it off saves it with the other preferences", async () => {
    const calls = mockBackend({
      on: (cmd, args) => {
        if (cmd === "get_preferences") return { language: "en", time_zone: "UTC", theme: "dark" };
        if (cmd === "set_preferences") return args.preferences;
        if (cmd === "sandbox_training") return { available: false, running: false, pending: [], providers: [] };
        return undefined;
      },
    });
    applySavedPreferences({ language: "en", time_zone: "UTC", theme: "dark" });
    render(withToasts(<SettingsScreen info={null} language="en" onLanguage={async () => {}} />));
    const toggle = screen.getByTestId("notifications-toggle") as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    await act(async () => {
      fireEvent.click(toggle);
    });
    expect((await screen.findByTestId("notifications-saved")).textContent).toContain("Notifications turned off.");
    expect(toggle.checked).toBe(false);
    expect(calls).toContainEqual({
      cmd: "set_preferences",
      args: { preferences: { language: "en", time_zone: "UTC", theme: "dark", notifications: false } },
    });
  });
});
