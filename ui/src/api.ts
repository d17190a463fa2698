// The only place the UI talks to the backend. Every call goes through Tauri's IPC `invoke`; the UI never
// makes HTTP calls and never receives a secret: secrets go in through create/update and never come back.
// Even "Copy with secrets" does not bring one here: the app puts the command on the clipboard itself.
import { invoke as tauriInvoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppInfo } from "./bindings/AppInfo";
import type { Preferences } from "./bindings/Preferences";
import type { Error as CoreError } from "./bindings/Error";
import type { AccountInput } from "./bindings/AccountInput";
import type { AccountBasis } from "./bindings/AccountBasis";
import type { AccountView } from "./bindings/AccountView";
import type { ProviderDescriptor } from "./bindings/ProviderDescriptor";
import type { TestResult } from "./bindings/TestResult";
import type { ActionRequest } from "./bindings/ActionRequest";
import type { ActionResult } from "./bindings/ActionResult";
import type { RedactedRequest } from "./bindings/RedactedRequest";
import type { HistoryFilter } from "./bindings/HistoryFilter";
import type { HistoryPage } from "./bindings/HistoryPage";
import type { HistoryRow } from "./bindings/HistoryRow";
import type { HistoryDetail } from "./bindings/HistoryDetail";
import type { Cursor } from "./bindings/Cursor";
import type { ExportResult } from "./bindings/ExportResult";
import type { ExportOptions } from "./bindings/ExportOptions";
import type { ScopeParam } from "./bindings/ScopeParam";
import type { OperationDescriptor } from "./bindings/OperationDescriptor";
import type { FormField } from "./bindings/FormField";
import type { AccountField } from "./bindings/AccountField";
import type { BulkShape } from "./bindings/BulkShape";
import type { WindowShape } from "./bindings/WindowShape";
import type { IdsShape } from "./bindings/IdsShape";
import type { EachShape } from "./bindings/EachShape";
import type { LookupShape } from "./bindings/LookupShape";
import type { Column } from "./bindings/Column";
import type { PlanRequest } from "./bindings/PlanRequest";
import type { Plan } from "./bindings/Plan";
import type { JobView } from "./bindings/JobView";
import type { TeamJob } from "./bindings/TeamJob";
import type { JobFailures } from "./bindings/JobFailures";
import type { FailureReason } from "./bindings/FailureReason";
import type { Phrase } from "./bindings/Phrase";
import type { Tone } from "./bindings/Tone";
import type { JobProgress } from "./bindings/JobProgress";
import type { JobState } from "./bindings/JobState";
import type { BudgetStatus } from "./bindings/BudgetStatus";
import type { RetentionResult } from "./bindings/RetentionResult";
import type { ResultsView } from "./bindings/ResultsView";
import type { ResultRow } from "./bindings/ResultRow";
import type { ResultOutcome } from "./bindings/ResultOutcome";
import type { CopyTicket } from "./bindings/CopyTicket";
import type { Copied } from "./bindings/Copied";
import type { SandboxInbox } from "./bindings/SandboxInbox";
import type { InboxEntry } from "./bindings/InboxEntry";
import type { SignatureCheck } from "./bindings/SignatureCheck";
import type { SandboxTraining } from "./bindings/SandboxTraining";
import type { TrainingFault } from "./bindings/TrainingFault";
import type { CallbackCheck } from "./bindings/CallbackCheck";
import type { CallbackAction } from "./bindings/CallbackAction";
import type { CallbackField } from "./bindings/CallbackField";
import type { Pasted } from "./bindings/Pasted";
import { i18n } from "./i18n";
import type { Appearance } from "./bindings/Appearance";
import type { ThemeChoice } from "./bindings/ThemeChoice";
import type { CloseChoice } from "./bindings/CloseChoice";
import type { HistoryPageView } from "./bindings/HistoryPageView";
import type { TeamStatus } from "./bindings/TeamStatus";
import type { TeamWorkspace } from "./bindings/TeamWorkspace";
import type { TeamMember } from "./bindings/TeamMember";
import type { TeamJoinTls } from "./bindings/TeamJoinTls";
import type { ApprovalItem } from "./bindings/ApprovalItem";
import type { ApprovalsView } from "./bindings/ApprovalsView";
import type { ShareResult } from "./bindings/ShareResult";
import type { RemoveResult } from "./bindings/RemoveResult";
import type { AccountShare } from "./bindings/AccountShare";
import type { AccountRules } from "./bindings/AccountRules";
import type { AccountMemberRole } from "./bindings/AccountMemberRole";
import type { Role } from "./bindings/Role";
import type { TrailPageView } from "./bindings/TrailPageView";
import type { MyAccountRole } from "./bindings/MyAccountRole";
import type { NotDeleted } from "./bindings/NotDeleted";
import { mark, type StartupMarks } from "./startup";

export type {
  AppInfo, Preferences, RetentionResult, CoreError, AccountInput, AccountView, ProviderDescriptor, TestResult, ActionRequest, ActionResult,
  RedactedRequest, HistoryFilter, HistoryPage, HistoryRow, HistoryDetail, Cursor, ExportResult, OperationDescriptor, FormField,
  PlanRequest, Plan, JobView, TeamJob, JobFailures, FailureReason, Phrase, Tone, JobProgress, JobState, BudgetStatus, ResultsView, ResultRow, ResultOutcome, CopyTicket, Copied,
  AccountField, BulkShape, WindowShape, IdsShape, EachShape, LookupShape, Column,
  SandboxInbox, InboxEntry, SignatureCheck, CallbackCheck, CallbackAction, CallbackField, Pasted, ExportOptions, ScopeParam, SandboxTraining, TrainingFault, Appearance, ThemeChoice,
  CloseChoice, HistoryPageView, TeamStatus, TeamWorkspace, TeamMember, TeamJoinTls, ApprovalItem, ApprovalsView, ShareResult, RemoveResult,
  AccountShare,
  AccountRules, AccountMemberRole, Role, TrailPageView, MyAccountRole, NotDeleted,
};

/** A row of the team's trail (every member's actions), with what it covered read back into params. */
export type TrailRowView = TrailPageView["rows"][number];

/** A History row with the team member who did it (null in solo use). */
export type HistoryRowView = HistoryPageView["rows"][number];

/** The window's language, for what the app writes or shows natively in it (Save dialogs). */
const language = () => i18n.language || "en";

/** Tauri's `invoke`, noting when the first answer arrives (a start-up mark). */
async function invoke<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  const answer = await tauriInvoke<T>(cmd, args);
  mark("firstIpc");
  return answer;
}

export function isCoreError(e: unknown): e is CoreError {
  return typeof e === "object" && e !== null && "code" in e && "params" in e;
}

/** Any thrown value as a core error (IPC failures become `internal`). */
export function asCoreError(e: unknown): CoreError {
  return isCoreError(e) ? e : { code: "internal", params: {}, detail: String(e) };
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  uiReady: (marks: StartupMarks & { painted: number }) => invoke<void>("ui_ready", { marks }),
  getPreferences: () => invoke<Preferences>("get_preferences"),
  setPreferences: (preferences: Preferences) => invoke<Preferences>("set_preferences", { preferences }),
  setHistoryRetention: (days: number | null) => invoke<RetentionResult>("set_history_retention", { days }),
  /** The theme to draw the window in now (the choice in Settings, else the desktop's). */
  currentTheme: () => invoke<Appearance>("current_theme"),
  /** The theme whenever it changes. */
  onThemeChanged: (cb: (theme: Appearance) => void): Promise<UnlistenFn> =>
    listen<Appearance>("theme-changed", (e) => cb(e.payload)),
  providerDescriptors: () => invoke<ProviderDescriptor[]>("provider_descriptors"),
  listAccounts: () => invoke<AccountView[]>("list_accounts"),
  createAccount: (input: AccountInput) => invoke<AccountView>("create_account", { input }),
  /** `basis`: the account as the form showed it; refused (`accounts.changed_elsewhere`) when it changed since. */
  updateAccount: (id: number, input: AccountInput, basis: AccountBasis) => invoke<AccountView>("update_account", { id, input, basis }),
  /**
   * Deletes the account a few seconds from now (or when the window closes); until the time answered (Unix
   * ms), `undoDeleteAccount` brings it back. The list leaves it out meanwhile.
   */
  deleteAccount: (id: number) => invoke<number>("delete_account", { id }),
  /** A held delete did not happen when its undo time ended (the account stays; e.g. the team database was unreachable). */
  onAccountNotDeleted: (cb: (n: NotDeleted) => void): Promise<UnlistenFn> =>
    listen<NotDeleted>("account-not-deleted", (e) => cb(e.payload)),
  /** Brings back an account whose delete has not happened yet; false when it is too late. */
  undoDeleteAccount: (id: number) => invoke<boolean>("undo_delete_account", { id }),
  testAccount: (id: number) => invoke<TestResult>("test_account", { id }),
  createSandboxAccounts: () => invoke<AccountView[]>("create_sandbox_accounts"),
  /**
   * What the sandbox's built-in receiver took (newest first, at most `limit`; signature and credential
   * headers masked), the receiver's URLs, and whether to offer the screen at all. Never starts the sandbox.
   */
  /** The Sandbox inbox; `start` starts the sandbox first when a sandbox account exists (for its receiver URLs). */
  /** "Check a callback": the pasted text, or a Sandbox inbox delivery by its id, checked with an account's secret in the core. */
  checkCallback: (accountId: number, pasted: Pasted | null, delivery: number | null) =>
    invoke<CallbackCheck>("check_callback", { accountId, pasted, delivery }),
  sandboxInbox: (limit: number | null = null, start = false) => invoke<SandboxInbox>("sandbox_inbox", start ? { limit, start } : { limit }),
  /** Settings › sandbox for training: whether offered, the faults waiting, what can be rehearsed. */
  sandboxTraining: () => invoke<SandboxTraining>("sandbox_training"),
  /** The next `count` requests to the provider's simulated APIs meet `fault`. */
  injectSandboxFault: (provider: string, fault: TrainingFault, count: number) => invoke<SandboxTraining>("inject_sandbox_fault", { provider, fault, count }),
  clearSandboxFaults: () => invoke<SandboxTraining>("clear_sandbox_faults"),
  /** The simulated providers start afresh and the inbox is emptied. */
  resetSandbox: () => invoke<SandboxTraining>("reset_sandbox"),
  previewAction: (request: ActionRequest) => invoke<RedactedRequest>("preview_action", { request }),
  /** "Copy with secrets", step 1: the one-time ticket the confirmation dialog sends back (for this request only). */
  prepareCopyWithSecrets: (request: ActionRequest) => invoke<CopyTicket>("prepare_copy_with_secrets", { request }),
  /**
   * Step 2, on the user's confirmation: the app puts the request, as a runnable cURL command with its real
   * secrets and a fresh signature, on the clipboard itself. Answers only that it did (never the command).
   */
  copyWithSecrets: (ticket: string, request: ActionRequest) => invoke<Copied>("copy_with_secrets", { ticket, request }),
  runAction: (request: ActionRequest) => invoke<ActionResult>("run_action", { request }),
  historyPage: (filter: HistoryFilter, cursor: Cursor | null, limit: number) =>
    invoke<HistoryPageView>("history_page", { filter, cursor, limit }),
  historyCount: (filter: HistoryFilter) => invoke<number>("history_count", { filter }),
  historyGet: (id: number) => invoke<HistoryDetail>("history_get", { id }),
  /**
   * Exports the filtered history as CSV where the user chooses in the system's Save dialog (asked by the app
   * itself); `null` when the user cancelled it.
   */
  historyExportCsv: (filter: HistoryFilter, options: ExportOptions) =>
    invoke<ExportResult | null>("history_export_csv", { filter, options }),
  /** Shows a file saved in this session in the system's file manager. */
  showInFolder: (path: string) => invoke<void>("show_in_folder", { path }),
  /** Progress of a running CSV export: `(done, total)` rows. */
  onExportProgress: (cb: (done: number, total: number) => void): Promise<UnlistenFn> =>
    listen<[number, number]>("history-export-progress", (e) => cb(e.payload[0], e.payload[1])),
  planJob: (request: PlanRequest) => invoke<Plan>("plan_job", { request }),
  /** Creates the job and starts it in the background; returns its id. */
  startJob: (request: PlanRequest) => invoke<number>("start_job", { request }),
  pauseJob: (id: number) => invoke<JobView>("pause_job", { id }),
  cancelJob: (id: number) => invoke<JobView>("cancel_job", { id }),
  resumeJob: (id: number) => invoke<JobView>("resume_job", { id }),
  listJobs: () => invoke<JobView[]>("list_jobs"),
  /** The team workspace's jobs on shared accounts, whoever runs them (none when solo). */
  teamJobs: () => invoke<TeamJob[]>("team_jobs"),
  teamTakeOverJob: (teamJobId: number) => invoke<JobView>("team_take_over_job", { teamJobId }),
  /** In a team workspace: a team job started, moved on or stopped (the app looks every few seconds). */
  onTeamJobsChanged: (cb: () => void): Promise<UnlistenFn> => listen<null>("team-jobs-changed", () => cb()),
  budgetStatus: (accountId: number, operation: string) =>
    invoke<BudgetStatus>("budget_status", { accountId, operation }),
  /** A job's results so far: counts by outcome and the first `limit` rows (one per id or call). */
  jobResults: (id: number, limit: number) => invoke<ResultsView>("job_results", { id, limit }),
  /** Why a job's calls failed (most calls first) and a plan request of exactly the failed ones. */
  jobFailures: (id: number) => invoke<JobFailures>("job_failures", { id }),
  /** Writes a job's results as CSV where the user chooses (Save dialog); `null` when cancelled. */
  saveJobResults: (id: number) => invoke<ExportResult | null>("save_job_results", { id, language: language() }),
  /** The results of one look-up (up to 100 serials), one row per serial. */
  actionResults: (historyId: number) => invoke<ResultsView>("action_results", { historyId }),
  /** Writes the results of one look-up as CSV where the user chooses (Save dialog); `null` when cancelled. */
  saveActionResults: (historyId: number) =>
    invoke<ExportResult | null>("save_action_results", { historyId, language: language() }),
  /** Progress of running bulk jobs (after each call, while waiting for the budget, and when one stops). */
  onJobProgress: (cb: (p: JobProgress) => void): Promise<UnlistenFn> =>
    listen<JobProgress>("job-progress", (e) => cb(e.payload)),
  // Closing the window while a job runs: the app asks (with how many run) and the window answers.
  onCloseRequested: (cb: (running: number) => void): Promise<UnlistenFn> =>
    listen<number>("close-requested", (e) => cb(e.payload)),
  closeWindow: (choice: CloseChoice) => invoke<null>("close_window", { choice }),
  // A click on a job's notification: the window shows that job.
  onShowJob: (cb: (jobId: number) => void): Promise<UnlistenFn> => listen<number>("show-job", (e) => cb(e.payload)),
  // The team workspace (Settings › Team, the Approvals screen).
  /** Solo (`workspace` null), or the workspace, this member's role and whether its database answers. */
  teamStatus: () => invoke<TeamStatus>("team_status"),
  teamMembers: () => invoke<TeamMember[]>("team_members"),
  /** Admins: creates the member and answers their invitation code (shown once, to pass on). */
  teamInvite: (member: string, role: string) => invoke<string>("team_invite", { member, role }),
  /** Joins with an invitation code; `tls`: a client certificate, its key and the server's authority as PEM text. */
  teamJoin: (invite: string, tls: TeamJoinTls | null = null) => invoke<TeamStatus>("team_join", { invite, tls }),
  /** Admins: seals a shared account's secrets to a member's key. */
  teamShare: (accountId: number, member: string) => invoke<ShareResult>("team_share", { accountId, member }),
  /** Admins of the account: who holds a share of it, and of which secrets. */
  teamShares: (accountId: number) => invoke<AccountShare[]>("team_shares", { accountId }),
  /** Admins of the account: takes a member's share back; answers the secrets to rotate. */
  teamUnshare: (accountId: number, member: string) => invoke<RemoveResult>("team_unshare", { accountId, member }),
  /** Admins: removes a member; answers the shared accounts whose credentials to rotate. */
  teamRemove: (member: string) => invoke<RemoveResult>("team_remove", { member }),
  /** A shared account's team rules as this member may see them (the account's id in this installation). */
  teamAccountRules: (accountId: number) => invoke<AccountRules>("team_account_rules", { accountId }),
  /** The account's admins: its approval policy (every resend, or the rule less the waived reasons). */
  teamSetAccountPolicy: (accountId: number, everyResend: boolean, waive: string[]) =>
    invoke<AccountRules>("team_set_account_policy", { accountId, everyResend, waive }),
  /** The account's admins: a member's role there (`workspace`: back to their workspace role). */
  teamSetAccountRole: (accountId: number, member: string, role: Role | "workspace") =>
    invoke<AccountRules>("team_set_account_role", { accountId, member, role }),
  /** A page of the team's trail, newest first, with History's filters and a member. */
  teamTrailPage: (filter: HistoryFilter, member: string | null, beforeId: number | null, limit: number) =>
    invoke<TrailPageView>("team_trail_page", { filter, member, beforeId, limit }),
  approvalsList: () => invoke<ApprovalsView>("approvals_list"),
  approveRequest: (id: number) => invoke<null>("approve_request", { id }),
  rejectRequest: (id: number, reason: string) => invoke<null>("reject_request", { id, reason }),
  /** Runs this member's own approved request, once. */
  runApproved: (id: number) => invoke<ActionResult>("run_approved", { id }),
  /** How many approval requests wait for this member (the app looks every few seconds). */
  onApprovalsChanged: (cb: (waiting: number) => void): Promise<UnlistenFn> =>
    listen<number>("approvals-changed", (e) => cb(e.payload)),
  /** In a team workspace: an account was shared with this member, or a shared one changed. */
  onAccountsChanged: (cb: () => void): Promise<UnlistenFn> => listen<null>("accounts-changed", () => cb()),
  /** A click on a notification of a decision: the window shows the Approvals screen. */
  onShowApprovals: (cb: (id: number) => void): Promise<UnlistenFn> => listen<number>("show-approvals", (e) => cb(e.payload)),
};
