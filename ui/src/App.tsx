import { Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation, changeLanguage, matchLanguage, type Language } from "./i18n";
import { api, type AccountView, type AppInfo, type InboxEntry, type TeamStatus } from "./api";
import { Sidebar, shownSections, type Section } from "./components/Sidebar";
import { ShortcutsDialog } from "./components/ShortcutsDialog";
import { StatusLine } from "./components/StatusLine";
import { EnvBadge } from "./components/EnvBadge";
import type { QueryIntent } from "./screens/Query";
import type { ActOn, CheckIntent } from "./screens/Check";
import { ResendScreen, type ResendIntent } from "./screens/Resend";
import { mark, startupMarks } from "./startup";
import { savePreferences } from "./lib/prefs";
import { useJobBadges } from "./hooks/useJobs";
import { CloseDialog } from "./components/CloseDialog";
import { Toasts } from "./components/Toasts";
import { useShortcuts } from "./hooks/useShortcuts";
import { useHeldDeleteFailures } from "./hooks/useHeldDeleteFailures";
import { lazyScreen } from "./lib/lazyScreen";

// The first screen (Resend) is in the start-up script; the others are chunks of their own, fetched as soon as
// the first screen is painted (and at the latest when chosen). Moving to a screen whose chunk has not arrived
// yet is a transition: the screen shown stays until the next one can be drawn, so there is never an empty frame.
const QueryScreen = lazyScreen(() => import("./screens/Query").then((m) => m.QueryScreen));
const HistoryScreen = lazyScreen(() => import("./screens/History").then((m) => m.HistoryScreen));
const AccountsScreen = lazyScreen(() => import("./screens/Accounts").then((m) => m.AccountsScreen));
const SettingsScreen = lazyScreen(() => import("./screens/Settings").then((m) => m.SettingsScreen));
const InboxScreen = lazyScreen(() => import("./screens/Inbox").then((m) => m.InboxScreen));
const CheckScreen = lazyScreen(() => import("./screens/Check").then((m) => m.CheckScreen));
const ApprovalsScreen = lazyScreen(() => import("./screens/Approvals").then((m) => m.ApprovalsScreen));

const lazyScreens: Partial<Record<Section, { load: () => Promise<unknown>; fetched: () => boolean }>> = {
  query: QueryScreen,
  history: HistoryScreen,
  check: CheckScreen,
  accounts: AccountsScreen,
  settings: SettingsScreen,
  inbox: InboxScreen,
  approvals: ApprovalsScreen,
};

/** Fetches every screen's chunk (after the first paint; tests await it before moving between screens). */
export function loadScreens() {
  return Promise.all(Object.values(lazyScreens).map((s) => s.load()));
}

export function App() {
  const { t, i18n } = useTranslation();
  const [section, showSection] = useState<Section>("resend");
  // A screen whose chunk has not arrived yet is shown once it has: the screen shown stays until then (never an
  // empty frame), and a later choice wins over one still waiting.
  const chosen = useRef<Section>("resend");
  const setSection = useCallback((s: Section) => {
    chosen.current = s;
    const lazy = lazyScreens[s];
    if (!lazy || lazy.fetched()) return showSection(s);
    const show = () => chosen.current === s && showSection(s);
    lazy.load().then(show, show);
  }, []);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [backendError, setBackendError] = useState(false);
  // The account in use on Resend and Query (shared, so the top bar shows its environment).
  const [account, setAccount] = useState<AccountView | null>(null);
  const [intent, setIntent] = useState<ResendIntent | null>(null);
  const [queryIntent, setQueryIntent] = useState<QueryIntent | null>(null);
  const [checkIntent, setCheckIntent] = useState<CheckIntent | null>(null);
  const [historyFocus, setHistoryFocus] = useState<{ id: number; nonce: number } | null>(null);
  const [historyJob, setHistoryJob] = useState<{ jobId: number; nonce: number } | null>(null);
  const [historyResends, setHistoryResends] = useState<{ accountId: number; nonce: number } | null>(null);
  // Whether to offer the Sandbox inbox: a sandbox account exists or the sandbox runs (asked after the first
  // paint and again at each navigation, since accounts change on other screens).
  const [sandbox, setSandbox] = useState(false);
  // Whether this installation is in a team workspace (Approvals and its count of requests waiting for me).
  const [team, setTeam] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const [approvalFocus, setApprovalFocus] = useState<number | null>(null);
  const checkTeam = useCallback(() => {
    api
      .teamStatus()
      .then((s) => setTeam(!!s.workspace))
      .catch(() => undefined);
  }, []);
  const onTeamChanged = useCallback((s: TeamStatus) => setTeam(!!s.workspace), []);
  // A delete whose undo time ended and that did not happen is told wherever the user is.
  useHeldDeleteFailures();
  useEffect(() => {
    let unlisten: (() => void)[] = [];
    let alive = true;
    const keep = (u: () => void) => (alive ? unlisten.push(u) : u());
    void api.onApprovalsChanged((n) => {
      setTeam(true);
      setWaiting(n);
    }).then(keep).catch(() => undefined);
    // A click on a notification of a decision on my request shows Approvals.
    void api.onShowApprovals((id) => {
      setApprovalFocus(id);
      setSection("approvals");
    }).then(keep).catch(() => undefined);
    return () => {
      alive = false;
      unlisten.forEach((u) => u());
      unlisten = [];
    };
  }, [setSection]);
  const checkSandbox = useCallback(() => {
    api
      .sandboxInbox(0)
      .then((i) => setSandbox(i.available))
      .catch(() => undefined);
  }, []);

  // A layout effect: it runs as the first render is committed, before the browser paints it, so the first
  // animation frame below is the one that paints the first screen and the second comes once it has been
  // painted (the hello-world baseline asks for its frames the same way, before its first paint).
  useLayoutEffect(() => {
    let alive = true;
    mark("mounted");
    // Tell the shell once the first screen is painted (start-up time in the log; see scripts/perf.sh);
    // then ask for what the first paint does not need: the status line (it waits for the keyring
    // self-test).
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        void api.uiReady({ ...startupMarks, painted: performance.now() }).catch(() => undefined);
        api
          .appInfo()
          .then((i) => alive && setInfo(i))
          .catch(() => alive && setBackendError(true));
        checkSandbox();
        checkTeam();
        void loadScreens().catch(() => undefined);
      }),
    );
    return () => {
      alive = false;
    };
  }, [checkSandbox, checkTeam]);

  const onLanguage = useCallback(async (lang: Language) => {
    await changeLanguage(lang);
    await savePreferences({ language: lang });
  }, []);

  // Sidebar navigation: prefill and focus requests from other screens are one-shot.
  const go = (s: Section) => {
    setIntent(null);
    setQueryIntent(null);
    setCheckIntent(null);
    setHistoryFocus(null);
    setHistoryJob(null);
    setHistoryResends(null);
    setApprovalFocus(null);
    setSection(s);
    checkSandbox();
  };
  const openResend = (i: Omit<ResendIntent, "nonce">) => {
    setIntent({ ...i, nonce: Date.now() });
    setSection("resend");
  };
  const openQuery = (a: ActOn) => {
    setQueryIntent({ ...a, nonce: Date.now() });
    setSection("query");
  };
  const openCheck = (entry: InboxEntry) => {
    setCheckIntent({ entry, nonce: Date.now() });
    setSection("check");
  };
  const seeHistory = (id: number) => {
    setHistoryFocus({ id, nonce: Date.now() });
    setHistoryJob(null);
    setSection("history");
  };
  const seeJob = (jobId: number) => {
    setHistoryFocus(null);
    setHistoryJob({ jobId, nonce: Date.now() });
    setSection("history");
  };
  const seeResends = (accountId: number) => {
    setHistoryFocus(null);
    setHistoryJob(null);
    setHistoryResends({ accountId, nonce: Date.now() });
    setSection("history");
  };
  // A click on a job's notification brings the window to that job.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let alive = true;
    void api
      .onShowJob((jobId) => {
        setHistoryFocus(null);
        setHistoryResends(null);
        setHistoryJob({ jobId, nonce: Date.now() });
        setSection("history");
      })
      .then((u) => (alive ? (unlisten = u) : u()))
      .catch(() => undefined);
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);
  const onAccount = useCallback((a: AccountView | null) => setAccount(a), []);
  // A screen's default (or refreshed) account, applied only if the account is still the one the screen saw:
  // a choice the user made meanwhile is never replaced.
  const onAccountSync = useCallback(
    (a: AccountView, seenId: number | null) => setAccount((prev) => ((prev?.id ?? null) === seenId ? a : prev)),
    [],
  );
  const jobBadges = useJobBadges(section);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const sections = shownSections(section, sandbox, team);
  useShortcuts({
    screen: (n) => sections[n - 1] && go(sections[n - 1]),
    searchElsewhere: () => go("history"),
    help: () => setShortcutsOpen(true),
  });
  const showEnv = section === "resend" || section === "query" || section === "check";
  const language = matchLanguage(i18n.language);

  return (
    <div className="shell" data-testid="app-shell" lang={language}>
      <Sidebar current={section} onSelect={go} onShortcuts={() => setShortcutsOpen(true)} sandbox={sandbox} team={team} waiting={waiting} badges={jobBadges} />
      <div className="main">
        <header className="topbar">
          <h1 className="topbar-title" data-testid="screen-title">
            {t(`screens.${section}.title`)}
          </h1>
          <EnvBadge environment={showEnv && account ? account.environment : null} />
        </header>
        <main className="content" data-testid={`screen-${section}`}>
          <Suspense fallback={null}>
          {section === "resend" && (
            <ResendScreen
              accountId={account?.id ?? null}
              onAccount={onAccount}
              onAccountSync={onAccountSync}
              intent={intent}
              onGoToAccounts={() => go("accounts")}
              onSeeHistory={seeHistory}
              onSeeJob={seeJob}
              onOpenInbox={() => go("inbox")}
              onOpenApprovals={() => go("approvals")}
            />
          )}
          {section === "query" && (
            <QueryScreen
              intent={queryIntent}
              accountId={account?.id ?? null}
              onAccount={onAccount}
              onAccountSync={onAccountSync}
              onGoToAccounts={() => go("accounts")}
              onResend={openResend}
              onSeeHistory={seeHistory}
              onSeeJob={seeJob}
              onSeeResends={seeResends}
            />
          )}
          {section === "history" && (
            <HistoryScreen focus={historyFocus} job={historyJob} resendsOf={historyResends} onRepeat={openResend} />
          )}
          {section === "check" && (
            <CheckScreen
              intent={checkIntent}
              accountId={account?.id ?? null}
              onAccount={onAccount}
              onAccountSync={onAccountSync}
              onGoToAccounts={() => go("accounts")}
              onLookUp={openQuery}
              onResend={openResend}
            />
          )}
          {section === "inbox" && <InboxScreen onCheck={openCheck} />}
          {section === "approvals" && <ApprovalsScreen onSeeHistory={seeHistory} onWaiting={setWaiting} focus={approvalFocus} />}
          {section === "accounts" && <AccountsScreen />}
          {section === "settings" && <SettingsScreen info={info} language={language} onLanguage={onLanguage} onTeamChanged={onTeamChanged} />}
          </Suspense>
        </main>
        <StatusLine info={info} backendError={backendError} />
      </div>
      <CloseDialog />
      <Toasts />
      {shortcutsOpen && <ShortcutsDialog sections={sections} onClose={() => setShortcutsOpen(false)} />}
    </div>
  );
}
