import { useState } from "react";
import { useTranslation } from "../i18n";
import { Icon, type IconName } from "./Icon";
import type { JobBadge } from "../hooks/useJobs";
import { keysLabel, screenKeys, SHORTCUTS } from "../lib/shortcuts";

/** Where the window remembers whether the sidebar is collapsed (this computer's web storage; not a secret). */
const COLLAPSED_KEY = "callback-desk.sidebar-collapsed";

function rememberedCollapsed(): boolean {
  try {
    return window.localStorage.getItem(COLLAPSED_KEY) === "1";
  } catch {
    return false;
  }
}

function remember(collapsed: boolean) {
  try {
    window.localStorage.setItem(COLLAPSED_KEY, collapsed ? "1" : "0");
  } catch {
    // Without web storage the choice lasts until the window closes.
  }
}

export type Section = "resend" | "query" | "history" | "check" | "approvals" | "inbox" | "accounts" | "settings";

const GROUPS: { key: string; items: { id: Section; icon: IconName }[] }[] = [
  {
    key: "nav.group_work",
    items: [
      { id: "resend", icon: "resend" },
      { id: "query", icon: "search" },
      { id: "history", icon: "history" },
      { id: "check", icon: "check" },
      // Team workspaces only.
      { id: "approvals", icon: "approvals" },
    ],
  },
  {
    key: "nav.group_setup",
    items: [
      { id: "accounts", icon: "accounts" },
      { id: "settings", icon: "settings" },
    ],
  },
  // Last, so that appearing once the sandbox is known moves no other entry under the pointer.
  {
    key: "nav.group_sandbox",
    items: [{ id: "inbox", icon: "inbox" }],
  },
];

/**
 * Sections shown only when their condition holds: the Sandbox inbox while a sandbox account exists or runs,
 * Approvals in a team workspace.
 */
const OPTIONAL: Partial<Record<Section, "sandbox" | "team">> = { inbox: "sandbox", approvals: "team" };

/** The screens the sidebar shows, in its order (Ctrl+1 is the first). */
export function shownSections(current: Section, sandbox: boolean, team = false): Section[] {
  const on = { sandbox, team };
  return GROUPS.flatMap((g) => g.items.map((i) => i.id)).filter((id) => {
    const when = OPTIONAL[id];
    return !when || on[when] || current === id;
  });
}

export function Sidebar({ current, onSelect, onShortcuts, sandbox = false, team = false, waiting = 0, badges = {} }: {
  current: Section;
  onSelect: (s: Section) => void;
  /** Opens the list of keyboard shortcuts. */
  onShortcuts?: () => void;
  /** Whether a sandbox account exists or the sandbox runs (offers the Sandbox inbox). */
  sandbox?: boolean;
  /** Whether this installation is in a team workspace (offers Approvals). */
  team?: boolean;
  /** How many approval requests wait for this member (the Approvals entry's badge). */
  waiting?: number;
  /** What the entries of the screens holding the Jobs panel say of the jobs. */
  badges?: Partial<Record<Section, JobBadge>>;
}) {
  const { t } = useTranslation();
  const [collapsed, setCollapsed] = useState(rememberedCollapsed);
  const order = shownSections(current, sandbox, team);
  const shown = (id: Section) => order.includes(id);
  const helpKeys = SHORTCUTS.find((s) => s.action === "help")!.keys;
  const toggle = () => {
    setCollapsed(!collapsed);
    remember(!collapsed);
  };
  return (
    <nav className={`sidebar${collapsed ? " collapsed" : ""}`} aria-label="Main" data-testid="sidebar" data-collapsed={collapsed}>
      <div className="brand">
        <img className="brand-logo" src="./icon.png" alt="" width={32} height={32} />
        <div>
          <div className="brand-name">{t("app.name")}</div>
          <div className="brand-tagline">{t("app.tagline")}</div>
        </div>
      </div>
      {GROUPS.map((g) => ({ ...g, items: g.items.filter((item) => shown(item.id)) }))
        .filter((g) => g.items.length > 0)
        .map((g) => (
          <div className="nav-group" key={g.key}>
            <div className="nav-group-title">{t(g.key)}</div>
            {g.items.map((item) => {
              const keys = screenKeys(order.indexOf(item.id) + 1);
              return (
              <button
                key={item.id}
                type="button"
                className={`nav-item${current === item.id ? " active" : ""}`}
                aria-current={current === item.id ? "page" : undefined}
                data-testid={`nav-${item.id}`}
                onClick={() => onSelect(item.id)}
                title={keys ? `${t(`nav.${item.id}`)} (${keysLabel(keys)})` : t(`nav.${item.id}`)}
                aria-keyshortcuts={keys ?? undefined}
              >
                <Icon name={item.icon} />
                <span className="nav-text">{t(`nav.${item.id}`)}</span>
                <Badges badge={badges[item.id]} id={item.id} />
                {item.id === "approvals" && waiting > 0 && (
                  <span className="nav-badge nav-badge-attention" role="img" aria-label={t("nav.approvals_waiting", { count: waiting })} data-testid="nav-approvals-waiting">
                    {waiting}
                  </span>
                )}
              </button>
              );
            })}
          </div>
        ))}
      {onShortcuts && (
        <button
          type="button"
          className="nav-item nav-help"
          onClick={onShortcuts}
          title={`${t("shortcuts.title")} (${keysLabel(helpKeys[0])})`}
          aria-keyshortcuts={helpKeys.join(" ")}
          aria-haspopup="dialog"
          data-testid="shortcuts-open"
        >
          <Icon name="keyboard" />
          <span className="nav-text">{t("shortcuts.title")}</span>
        </button>
      )}
      <button
        type="button"
        className="nav-item nav-toggle"
        onClick={toggle}
        aria-expanded={!collapsed}
        title={collapsed ? t("nav.expand") : t("nav.collapse")}
        data-testid="sidebar-toggle"
      >
        <Icon name={collapsed ? "expand" : "collapse"} />
        <span className="nav-text">{collapsed ? t("nav.expand") : t("nav.collapse")}</span>
      </button>
    </nav>
  );
}

/** A small count of running jobs, and a red one of the jobs that need the user (failed or interrupted). */
function Badges({ badge, id }: { badge: JobBadge | undefined; id: Section }) {
  const { t } = useTranslation();
  if (!badge) return null;
  return (
    <>
      {badge.running > 0 && (
        <span className="nav-badge nav-badge-running" role="img" aria-label={t("nav.jobs_running", { count: badge.running })} data-testid={`nav-${id}-running`}>
          {badge.running}
        </span>
      )}
      {badge.attention > 0 && (
        <span className="nav-badge nav-badge-attention" role="img" aria-label={t("nav.jobs_attention", { count: badge.attention })} data-testid={`nav-${id}-attention`}>
          {badge.attention}
        </span>
      )}
    </>
  );
}
