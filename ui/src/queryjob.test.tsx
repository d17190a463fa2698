// The Query screen's look-up of many serials, as a job: in its own file, because the job-progress
// listener is registered once per app (here with mocked events).
import { expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import { QueryScreen } from "./screens/Query";
import type { JobProgress, JobView, ResultsView } from "./api";
import { account, job, mockBackend, setupEach, enterValue } from "./test/helpers";

const ACCOUNT = account("cybavo", { base_url: "https://sofa.example.com", fields: { wallet_id: 55743 } });
const JOB = job();
const RESULTS: ResultsView = {
  operation: "query-callbacks", total: 250, ok: 60, not_found: 190, failed: 0, unknown: 0, not_sent: 0,
  rows: [
    { id: "90000000001", call: 1, outcome: "ok", http_status: 200, provider_code: null, error: null, history_id: 5,
      callback: { serial: 90000000001, type: 1, type_label: "deposit", state: 3, state_label: "txid_in_chain", processing_state: 2,
                  processing_state_label: "done", currency: "BTC", amount: "150000000", amount_units: "1.5", outcome: "succeeded" } },
    { id: "90000000250", call: 3, outcome: "not_found", http_status: 200, provider_code: null, error: null, history_id: 7, callback: null },
  ],
};
const progress = (p: Partial<JobProgress>): JobProgress => ({
  job_id: 31, state: "running", done: 0, total: 3, ok: 0, failed: 0, unknown: 0, throttled: 0, eta_seconds: 0, estimated_at_ms: null, waiting_until_ms: null, ...p,
});

setupEach();

it("a look-up of more than 100 serials runs as a job with progress, then shows and saves its results", async () => {
  let jobs: JobView[] = [];
  const calls = mockBackend({
    accounts: [ACCOUNT],
    jobs: () => jobs,
    events: true,
    on: (cmd) => {
      if (cmd === "start_job") {
        jobs = [{ ...JOB }];
        return 31;
      }
      if (cmd === "job_results") return RESULTS;
      if (cmd === "save_job_results") return { path: "/home/u/Downloads/callback-desk-job-31-20250101-000000.csv", rows: 250 };
      return undefined;
    },
  });
  const seen: number[] = [];
  render(<QueryScreen accountId={7} onAccount={() => undefined} onGoToAccounts={() => undefined} onResend={() => undefined} onSeeHistory={() => undefined} onSeeJob={(id) => seen.push(id)} />);
  await screen.findByTestId("op-ids");

  // 100 serials are one request: no job.
  enterValue(screen.getByTestId("op-ids"), Array.from({ length: 100 }, (_, i) => 1 + i).join(" "));
  expect(screen.queryByTestId("query-job-note")).toBeNull();

  // 250 serials (and a duplicate) from a CSV file.
  const ids = Array.from({ length: 250 }, (_, i) => String(90000000001 + i));
  await act(async () => {
    fireEvent.change(screen.getByTestId("op-ids-file-input"), { target: { files: [new File([["serial", ...ids, ids[0]].join("\r\n")], "serials.csv")] } });
  });
  await waitFor(() => expect(screen.getByTestId("op-ids-file-summary").textContent).toContain("“serials.csv”: 250"));
  expect(screen.getByTestId("op-ids-file-summary").textContent).toContain("Duplicates skipped: 1");
  expect(screen.getByTestId("op-ids-count").textContent).toBe("250 entered");
  expect(screen.getByTestId("query-job-note").textContent).toContain("a job of 3 requests");
  expect(screen.getByTestId("query-run").textContent).toBe("Look up 250 serial numbers");

  fireEvent.click(screen.getByTestId("query-run"));
  await waitFor(() => expect(screen.getByTestId("query-job-progress").textContent).toBe("Looking up: 0 of 3 requests done"));
  const req = calls.find((c) => c.cmd === "start_job")!.args.request as { operation: string; params: { ids: number[] } };
  expect(req.operation).toBe("query-callbacks");
  expect(req.params.ids).toHaveLength(250);
  expect(req.params.ids[0]).toBe(90000000001);
  expect(calls.some((c) => c.cmd === "run_action")).toBe(false);
  expect(screen.getAllByTestId("job-card")).toHaveLength(1);

  await act(async () => {
    await emit("job-progress", progress({ done: 1, ok: 1 }));
  });
  await waitFor(() => expect(screen.getByTestId("query-job-progress").textContent).toBe("Looking up: 1 of 3 requests done"));
  expect(calls.some((c) => c.cmd === "job_results")).toBe(false);

  // Finished: the results replace the progress, and can be saved.
  jobs = [{ ...JOB, state: "done", next_index: 3, ok: 3 }];
  await act(async () => {
    await emit("job-progress", progress({ state: "done", done: 3, ok: 3 }));
  });
  await waitFor(() => expect(screen.getByTestId("query-count").textContent).toBe("60 of 250 serial numbers found"));
  expect(screen.getAllByTestId("query-row")).toHaveLength(1);
  expect(screen.getByTestId("query-not-found").textContent).toBe("Not found: 190");
  expect(calls.find((c) => c.cmd === "job_results")!.args).toEqual({ id: 31, limit: 1000 });
  fireEvent.click(screen.getByTestId("query-save"));
  await waitFor(() => expect(screen.getByTestId("query-saved").getAttribute("data-path")).toBe("/home/u/Downloads/callback-desk-job-31-20250101-000000.csv"));
  expect(screen.getByTestId("query-saved").textContent).toContain("Saved 250 rows to /home/u/Downloads/callback-desk-job-31-20250101-000000.csv");
  fireEvent.click(screen.getByTestId("query-see-history"));
  expect(seen).toEqual([31]);
});
