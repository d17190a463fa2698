// The team workspace's bulk jobs on shared accounts in the window: each with its runner and progress, read
// again when the app says they changed; a job whose runner's app stopped taken over after a confirmation
// that says what happens; nothing shown when solo.
import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { TeamJobsSection } from "./components/bulk/TeamJobs";
import type { TeamJob } from "./api";
import { mockBackend, PROVIDERS, setupEach } from "./test/helpers";

setupEach();

const teamJob = (more: Partial<TeamJob> = {}): TeamJob => ({
  id: 7, team_account_id: 1, account_id: 3, account: "Cybavo team", provider: "cybavo",
  operation: "resend-withdrawal-callbacks", state: "running", created_by: "alice", runner: "alice", leased: true,
  takeable: false, local_job_id: null, total: 3, done: 1, in_flight: 1, ok: 1, failed: 0, unknown: 0, throttled: 0, updated_at: "2026-12-06T15:40:00.000Z",
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

  it("offers Take over on a job whose runner's app stopped, says what happens first, and takes it over", async () => {
    // Bob's app stopped with call 1 in flight: his lease ran out. Carol runs hers (live lease); Alice's own
    // earlier job stopped too, and is in her own jobs list.
    let jobs = [
      teamJob({ id: 9, runner: "bob", created_by: "bob", leased: false, takeable: true, done: 0, in_flight: 0, ok: 0 }),
      teamJob({ id: 8, runner: "carol", created_by: "carol" }),
      teamJob({ id: 7, runner: "alice", leased: false, takeable: true, local_job_id: 4 }),
    ];
    const calls = mockBackend({
      events: true,
      on: (cmd) => {
        if (cmd === "team_jobs") return jobs;
        if (cmd === "team_take_over_job") {
          jobs = [{ ...jobs[0], runner: "alice", leased: true, takeable: false, local_job_id: 12 }, jobs[1], jobs[2]];
          return { id: 12 };
        }
        return undefined;
      },
    });
    render(<TeamJobsSection descriptors={PROVIDERS} />);
    const bobs = await screen.findByTestId("team-job-9");
    expect(screen.getByTestId("team-job-8").querySelector("[data-testid=team-job-take-over]")).toBeNull();
    expect(screen.getByTestId("team-job-8").textContent).toContain("Run by carol");
    expect(screen.getByTestId("team-job-7").querySelector("[data-testid=team-job-take-over]")).toBeNull();
    expect(screen.getByTestId("team-job-7").textContent).toContain("resume it in your jobs list");

    // Asked first, in plain words; Cancel takes nothing over.
    fireEvent.click(bobs.querySelector("[data-testid=team-job-take-over]")!);
    const dialog = await screen.findByTestId("team-take-over-dialog");
    expect(dialog.textContent).toContain("Take over this job from bob?");
    expect(screen.getByTestId("team-take-over-in-flight").textContent).toBe(
      "Call 1 was under way when it stopped. It may have reached the provider, so it is counted as “outcome unknown” and is not sent again: check it in History or at the provider.",
    );
    expect(screen.getByTestId("team-take-over-rest").textContent).toBe(
      "The 2 remaining calls are sent from this computer, within the account's limits. The job then shows in your jobs list, where you can pause or cancel it.",
    );
    fireEvent.click(screen.getByTestId("team-take-over-cancel"));
    await waitFor(() => expect(screen.queryByTestId("team-take-over-dialog")).toBeNull());
    expect(calls.some((c) => c.cmd === "team_take_over_job")).toBe(false);

    // Confirmed: the app takes it over; the list then says Alice runs it.
    fireEvent.click(screen.getByTestId("team-job-9").querySelector("[data-testid=team-job-take-over]")!);
    fireEvent.click(await screen.findByTestId("team-take-over-confirm"));
    await waitFor(() => expect(screen.queryByTestId("team-take-over-dialog")).toBeNull());
    expect(calls.filter((c) => c.cmd === "team_take_over_job").map((c) => c.args)).toEqual([{ teamJobId: 9 }]);
    await waitFor(() => expect(screen.getByTestId("team-job-9").textContent).toContain("Run by alice"));
    expect(screen.getByTestId("team-job-9").querySelector("[data-testid=team-job-take-over]")).toBeNull();
  });

  it("says who runs a job when its runner came back before the take-over, in the dialog", async () => {
    const jobs = [teamJob({ runner: "bob", leased: false, takeable: true, in_flight: null })];
    mockBackend({
      on: (cmd) => {
        if (cmd === "team_jobs") return jobs;
        if (cmd === "team_take_over_job") throw { code: "team.job_leased", params: { member: "bob" }, detail: null };
        return undefined;
      },
    });
    render(<TeamJobsSection descriptors={PROVIDERS} />);
    fireEvent.click(await screen.findByTestId("team-job-take-over"));
    expect(screen.getByTestId("team-take-over-in-flight").textContent).toBe(
      "No call was under way when it stopped, so nothing is counted as unknown.",
    );
    fireEvent.click(screen.getByTestId("team-take-over-confirm"));
    const error = await screen.findByTestId("team-take-over-error");
    expect(error.textContent).toContain("This bulk job is being run by “bob” in the team workspace");
    expect(screen.getByTestId("team-take-over-dialog")).toBeTruthy();
  });

  it("shows nothing when solo", async () => {
    const calls = mockBackend({});
    render(<TeamJobsSection descriptors={PROVIDERS} />);
    await waitFor(() => expect(calls.some((c) => c.cmd === "team_jobs")).toBe(true));
    expect(screen.queryByTestId("team-jobs-panel")).toBeNull();
  });
});
