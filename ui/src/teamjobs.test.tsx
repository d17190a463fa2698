// The team workspace's bulk jobs on shared accounts in the window: each with its runner and progress, read
// again when the app says they changed; nothing shown when solo.
import { describe, expect, it } from "vitest";
import { act, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { TeamJobsSection } from "./components/bulk/TeamJobs";
import type { TeamJob } from "./api";
import { mockBackend, PROVIDERS, setupEach } from "./test/helpers";

setupEach();

const teamJob = (more: Partial<TeamJob> = {}): TeamJob => ({
  id: 7, team_account_id: 1, account_id: 3, account: "Cybavo team", provider: "cybavo",
  operation: "resend-withdrawal-callbacks", state: "running", created_by: "alice", runner: "alice", leased: true,
  total: 3, done: 1, in_flight: 1, ok: 1, failed: 0, unknown: 0, throttled: 0, updated_at: "2026-12-06T15:40:00.000Z",
  ...more,
});

describe("team jobs", () => {
  it("shows another member's job with its runner and progress, and reads them again when they change", async () => {
    let jobs = [teamJob()];
    mockBackend({ events: true, on: (cmd) => (cmd === "team_jobs" ? jobs : undefined) });
    render(<TeamJobsSection descriptors={PROVIDERS} />);
    const card = await screen.findByTestId("team-job-7");
    expect(card.textContent).toContain("Cybavo team");
    expect(screen.getByTestId("team-job-runner").textContent).toBe("Run by alice");
    expect(screen.getByTestId("team-job-progress").textContent).toBe(
      "1 of 3 calls · 1 ok · 0 failed · 0 unknown · call 2 in flight",
    );

    // Bob took it over and finished it: the list follows the app's event.
    jobs = [teamJob({ state: "done", runner: "bob", leased: false, done: 3, in_flight: null, ok: 2, unknown: 1 })];
    await act(async () => {
      await emit("team-jobs-changed", null);
    });
    await waitFor(() => expect(screen.getByTestId("team-job-runner").textContent).toBe("Last run by bob"));
    expect(screen.getByTestId("team-job-progress").textContent).toBe("3 of 3 calls · 2 ok · 0 failed · 1 unknown");
    expect(screen.getByTestId("team-job-7").textContent).toContain("Done");
  });

  it("shows nothing when solo", async () => {
    const calls = mockBackend({});
    render(<TeamJobsSection descriptors={PROVIDERS} />);
    await waitFor(() => expect(calls.some((c) => c.cmd === "team_jobs")).toBe(true));
    expect(screen.queryByTestId("team-jobs-panel")).toBeNull();
  });
});
