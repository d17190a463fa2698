// Inline SVG icons (no icon font, no remote assets).
export type IconName = "resend" | "search" | "history" | "inbox" | "check" | "approvals" | "accounts" | "settings" | "key" | "info" | "collapse" | "expand" | "keyboard";

const PATHS: Record<IconName, string> = {
  resend: "M4 12a8 8 0 0 1 14-5.3M20 4v5h-5M20 12a8 8 0 0 1-14 5.3M4 20v-5h5",
  approvals: "M12 3l7 3v5c0 4.5-3 8-7 10c-4-2-7-5.5-7-10V6l7-3zM9 12l2 2l4-4",
  search: "M11 4a7 7 0 1 1 0 14a7 7 0 0 1 0-14zM16.5 16.5L21 21",
  history: "M12 7v5l3 2M3.5 12a8.5 8.5 0 1 0 2.5-6M3 4v4h4",
  inbox: "M4 13l2.5-8h11l2.5 8M4 13v6h16v-6M4 13h5l1 2h4l1-2h5",
  check: "M12 3l7 3v5c0 4.5-3 8.2-7 10c-4-1.8-7-5.5-7-10V6zM8.5 12l2.5 2.5l4.5-5",
  accounts: "M4 7h16v12H4zM8 7V5h8v2M4 12h16",
  settings: "M12 9a3 3 0 1 1 0 6a3 3 0 0 1 0-6zM12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1",
  key: "M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z",
  info: "M12 3a9 9 0 1 1 0 18a9 9 0 0 1 0-18zM12 11v6M12 7.5v.5",
  collapse: "M4 4v16M20 12H9M13 8l-4 4l4 4",
  expand: "M4 4v16M9 12h11M16 8l4 4l-4 4",
  keyboard: "M3 6h18v12H3zM7 10h1M11 10h1M15 10h1M7 14h10",
};

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
