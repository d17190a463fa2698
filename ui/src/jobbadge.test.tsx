import { beforeAll, describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { App, loadScreens } from "./App";
import { changeLanguage, missingKeys } from "./i18n";
import { job, mockBackend, setupEach } from "./test/helpers";
import type { JobProgress } from "./api";

setupEach();

const INFO = { version: "1", data_dir: "/d", log_dir: "/d/logs", keyring: { state: "available", backend: "test", detail: null }, painting: "default" };

function progress(more: Partial<JobProgress>): JobProgress {
  return { job_id: 2, state: "running", done: 1, total: 3, ok: 1, failed: 0, unknown: 0, throttled: 0, eta_seconds: 10, estimated_at_ms: null, waiting_until_ms: null, ...more };
}

const badge = (id: string) => screen.queryByTestId(id)?.textContent ?? null;

describe("the sidebar's jobs badge", () => {
  // Screens other than the first are chunks, fetched after the first paint: here before moving between them.
  beforeAll(() => loadScreens());

  it("counts running jobs and, in red, interrupted ones and those that failed since the screen was left", async () => {
    const long_ago = Date.now() - 86_400_000;
    const jobs = [
      job({ id: 1, state: "interrupted", next_index: 1, updated_at_ms: long_ago }),
      job({ id: 2, state: "running" }),
      // Failed before this start: the panel shows it, the badge does not call for it.
      job({ id: 3, state: "done", next_index: 3, ok: 0, failed: 3, updated_at_ms: long_ago }),
    ];
    mockBackend({
      events: true,
      jobs: () => jobs,
      on: (cmd) => {
        if (cmd === "app_info") return INFO;
        if (cmd === "ui_ready") return null;
        if (cmd === "sandbox_inbox") return { available: false, receivers: [], entries: [] };
        return undefined;
      },
    });
    render(<App />);
    await waitFor(() => expect(badge("nav-query-running")).toBe("1"));
    expect(badge("nav-query-attention")).toBe("1");
    expect(badge("nav-resend-running")).toBe("1");
    expect(badge("nav-resend-attention")).toBe("1");
    expect(screen.getByTestId("nav-query-attention").getAttribute("aria-label")).toBe("1 job failed or interrupted");
    expect(screen.getByTestId("nav-query-running").getAttribute("aria-label")).toBe("1 job running");
    expect(screen.queryByTestId("nav-history-running")).toBeNull();

    // Job 2 stops with failures while Resend (which shows it in its panel) is open.
    jobs[1] = { ...jobs[1], state: "done", next_index: 3, ok: 1, failed: 2 };
    await act(async () => {
      await emit("job-progress", progress({ state: "done", done: 3, ok: 1, failed: 2 }));
    });
    await waitFor(() => expect(badge("nav-query-attention")).toBe("2"));
    expect(screen.getByTestId("nav-query-attention").getAttribute("aria-label")).toBe("2 jobs failed or interrupted");
    expect(badge("nav-query-running")).toBeNull();
    expect(badge("nav-resend-attention")).toBe("1");

    // Seen on Query: once left, only the interrupted job still calls for the user.
    fireEvent.click(screen.getByTestId("nav-query"));
    expect(badge("nav-query-attention")).toBe("1");
    fireEvent.click(screen.getByTestId("nav-history"));
    expect(badge("nav-query-attention")).toBe("1");
    expect(badge("nav-resend-attention")).toBe("1");

    await act(async () => changeLanguage("pt-BR"));
    expect(screen.getByTestId("nav-query-attention").getAttribute("aria-label")).toBe("1 trabalho com falhas ou interrompido");
    expect(missingKeys.size).toBe(0);
  });
});
