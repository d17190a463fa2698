import { describe, expect, it } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { i18n, changeLanguage, missingKeys } from "./i18n";
import { ResendScreen } from "./screens/Resend";
import { JobsPanel } from "./components/bulk/JobsPanel";
import type { JobLive } from "./hooks/useJobs";
import { describeLoad } from "./components/LoadIds";
import { parseIdFile } from "./lib/idfile";
import type { JobView } from "./api";
import { PROVIDERS, account, job, mockBackend, setupEach } from "./test/helpers";

const ACCOUNT = account("cybavo", { base_url: "https://sofa.example.com", fields: { wallet_id: 55743 } });
const live = (j: Partial<JobView>): JobLive => ({ ...job(j), eta_seconds: null, estimated_at_ms: null, waiting_until_ms: null, pace_from: null, last_done_at_ms: null });

setupEach();

/** Picks `file` in the "Load from file…" input with this test id. */
async function pick(testId: string, file: File) {
  const input = screen.getByTestId(`${testId}-input`) as HTMLInputElement;
  await act(async () => {
    fireEvent.change(input, { target: { files: [file] } });
  });
}

describe("load ids from a file", () => {
  it("says how many were loaded, how many duplicates were skipped and which lines were not ids", () => {
    const text = ["serial", ...Array.from({ length: 1204 }, (_, i) => String(90000000001 + i)), "90000000001", "x", "", "9E+10", "90000000002", "90000000003"].join("\n");
    const r = parseIdFile(text, "integer", "serials.csv");
    const d = describeLoad(i18n.t, "en", "serials.csv", "integer", r);
    expect(d.ok).toBe(true);
    expect(d.lines).toEqual([
      "IDs loaded from the column “serial” of “serials.csv”: 1,204",
      "Duplicates skipped: 3",
      "Lines without a valid ID (2): line 1207, line 1209",
      expect.stringContaining("9E+10"),
    ]);
    const many = parseIdFile(["a", "b", "c", "d", "e", "f", "g", "1"].join("\n"), "integer", "x.txt");
    expect(describeLoad(i18n.t, "en", "x.txt", "integer", many).lines[1]).toBe("Lines without a valid ID (7): line 1, line 2, line 3, line 4, line 5 and 2 more");
  });

  it("names the problem in the user's language", async () => {
    expect(describeLoad(i18n.t, "en", "e.csv", "integer", { error: "empty" })).toEqual({ ok: false, lines: ["“e.csv” is empty: there is nothing to load."] });
    expect(describeLoad(i18n.t, "en", "a.csv", "text", { error: "no_id_column", column: null, hint: null }).lines[0]).toContain("No transaction identifiers found in “a.csv”");
    expect(describeLoad(i18n.t, "en", "big.csv", "integer", { error: "too_many", max: 100000 }).lines[0]).toBe(
      "“big.csv” holds more than 100,000 IDs. Split it into smaller files and run one job per file.",
    );
    await changeLanguage("zh-CN");
    const r = parseIdFile("serial\n1\n1\nx\n", "integer", "s.csv");
    expect(describeLoad(i18n.t, "zh-CN", "s.csv", "integer", r).lines).toEqual([
      "已从“s.csv”的“serial”列载入 ID：1 个",
      "已跳过重复项：1 个",
      "没有有效 ID 的行（1 行）：第 4 行",
    ]);
    await changeLanguage("pt-BR");
    expect(describeLoad(i18n.t, "pt-BR", "s.csv", "integer", { error: "too_large_bytes", max: 10 }).lines[0]).toBe(
      "“s.csv” tem mais de 10 MB. Divida-o em arquivos menores e carregue um de cada vez.",
    );
    expect([...missingKeys]).toEqual([]);
  });

  it("fills the Resend screen's list of serials from a picked file", async () => {
    mockBackend({ accounts: [ACCOUNT] });
    render(<ResendScreen accountId={7} onAccount={() => undefined} intent={null} onGoToAccounts={() => undefined} onSeeHistory={() => undefined} />);
    fireEvent.click((await screen.findByTestId("mode-bulk")).querySelector("input")!);
    fireEvent.click(screen.getByTestId("bulk-ids-list"));
    await pick("bulk-list-file", new File(["date;serial\n2024-01-01;90000000005\n2024-01-02;90000000006\n2024-01-03;90000000005\n"], "export.csv"));
    await waitFor(() => expect(screen.getByTestId("bulk-list-file-summary").textContent).toContain("IDs loaded from the column “serial” of “export.csv”: 2"));
    expect((screen.getByTestId("bulk-list") as HTMLTextAreaElement).value).toBe("90000000005\n90000000006");
    expect(screen.getByTestId("bulk-list-count").textContent).toBe("2 entered");
    // A file without serials leaves the list alone and says why.
    await pick("bulk-list-file", new File(["name\nana\n"], "names.csv"));
    await waitFor(() => expect(screen.getByTestId("bulk-list-file-error").textContent).toContain("No serial numbers found in “names.csv”"));
    expect((screen.getByTestId("bulk-list") as HTMLTextAreaElement).value).toBe("90000000005\n90000000006");
  });
});

describe("jobs panel actions", () => {
  const noop = () => undefined;

  it("offers Save results on a stopped job and shows where the file went", () => {
    const saved: number[] = [];
    render(
      <JobsPanel
        descriptors={PROVIDERS}
        jobs={[live({ state: "done", next_index: 3, ok: 3 })]}
        busy={null}
        onPause={noop}
        onCancel={noop}
        onResume={noop}
        onSeeHistory={noop}
        onSave={(id) => saved.push(id)}
        onShowResults={noop}
        saved={{ 31: { path: "/tmp/x/callback-desk-job-31.csv", rows: 250 } }}
      />,
    );
    fireEvent.click(screen.getByTestId("job-save"));
    expect(saved).toEqual([31]);
    expect(screen.getByTestId("job-saved").textContent).toBe("Saved 250 rows to /tmp/x/callback-desk-job-31.csv");
    expect(screen.getByTestId("job-show-results")).toBeTruthy();
  });

  it("a job run by another process can only be watched here", () => {
    render(<JobsPanel descriptors={PROVIDERS} jobs={[live({ state: "running", next_index: 1, runner_pid: 4242 })]} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} onSave={noop} />);
    expect(screen.getByTestId("job-elsewhere").textContent).toContain("process 4242");
    expect(screen.queryByTestId("job-pause")).toBeNull();
    expect(screen.queryByTestId("job-cancel")).toBeNull();
    expect(screen.queryByTestId("job-save")).toBeNull();
  });

  it("shows the five newest jobs, then all on request", () => {
    const jobs = Array.from({ length: 7 }, (_, i) => live({ id: 100 - i, state: "done", next_index: 3 }));
    render(<JobsPanel descriptors={PROVIDERS} jobs={jobs} busy={null} onPause={noop} onCancel={noop} onResume={noop} onSeeHistory={noop} />);
    expect(screen.getAllByTestId("job-card")).toHaveLength(5);
    fireEvent.click(screen.getByTestId("jobs-show-all"));
    expect(screen.getAllByTestId("job-card")).toHaveLength(7);
    expect(screen.getByTestId("jobs-show-all").textContent).toBe("Show fewer jobs");
  });
});
