// "Acme Pay": a provider the UI has never heard of, declared the way a provider's folder declares itself
// (src/providers/<name>/mod.rs), with the catalog lines its folder would add. Every shape the descriptors
// can take is used: a time window split per call with one call per channel, a list of ids or "everything",
// look-ups by ids (two per call, each row with its attempts) and by time (paged by cursor) with their own
// columns, a list of choices, a replay that is a job of Acme's own (followed), base URLs per region, confirmation
// rules, a warning when a secret is replaced.
import { addTranslations } from "../i18n";
import type { ProviderDescriptor } from "../api";
import { accountField, column, formField, op, preset } from "./helpers";

const P = "acme";

const lookupShape = (label_key: string, asked: string | null) => ({
  label_key,
  rows: ["events", "event"],
  id: "event_id",
  asked,
  max_ids_per_call: asked ? 2 : null,
  columns: [
    column(["event_id"], "query.col.acme_event", { kind: "text" }, true, { kind: "code" }),
    column(["status"], "query.col.acme_status", { kind: "label", prefix: "acme.status" }, true, { kind: "status", tone: "tone" }),
    column(["amount_minor", "amount"], "query.col.acme_amount", { kind: "text" }, true, { kind: "amount" }),
    column(["at_ms"], "query.col.acme_at", { kind: "unix_millis" }, false),
  ],
  resend: { operation_field: "redeliver_with", param: "event_id", from: "event_id" },
  file_columns: [],
  delivery: { kind: "reported" as const, field: "delivery" },
  found_key: "query.acme_found",
  none_key: "query.acme_none",
});

export const ACME: ProviderDescriptor = {
  id: P,
  display_name: "Acme Pay",
  account_fields: [
    accountField(P, "base_url", "url", false, true),
    accountField(P, "region", "choice", false, true, { choices: ["eu", "us"], choices_key: "accounts.acme.region.choice", default: "eu" }),
    accountField(P, "merchant_id", "text", false, true, { optional_when: { field: "region", values: ["us"] } }),
    accountField(P, "api_token", "secret", true, true, { replace_warning_key: "accounts.acme.api_token.replace_warning" }),
  ],
  operations: [
    op(P, "replay-events", "resend", [
      formField(P, "merchant_ref", "text", true),
      formField(P, "from", "unix_seconds", true),
      formField(P, "scope", "choice", false, {
        choices: ["failed", "everything"], default: "failed", broad: "everything", broad_label_key: "choices.acme.scope.everything",
      }),
      formField(P, "channel", "choice", true, { choices: ["card", "bank", "wallet"] }),
      formField(P, "notify_url", "url", false),
    ], {
      follow: {
        operation: "replay-status", param: "job_id", from: "job_id", state: "state", done: "done", total: "total",
        finished: ["done", "failed"], failed: ["failed"], state_prefix: "acme.job", every_seconds: 1,
      },
      bulk: {
        window: { has_end: true, max_seconds_per_call: 1800, max_age_ms: null, help_key: "bulk.since_help.acme" },
        ids: null,
        each: { field: "channels", of_field: "channel", label_key: "bulk.acme_channels", empty_key: "bulk.acme_no_channel" },
        owns: ["from", "channel"],
        label_key: "bulk.mode_bulk.acme_window",
        help_key: "bulk.mode_bulk_help.acme_window",
      },
      confirm: [
        { kind: "older_than", field: "from", ms: 2 * 3600_000, reason: "acme_far_back" },
        { kind: "filled", field: "notify_url", reason: "acme_notify" },
      ],
    }),
    op(P, "redeliver", "resend", [
      formField(P, "event_id", "text", true, { refuse: [{ pattern: "^tmp-[0-9]+$", reason: "acme_temporary_id" }], optional_with: ["event_ref"] }),
      formField(P, "event_ref", "text", false),
      formField(P, "kinds", "choice_list", false, { choices: ["created", "paid", "refunded"] }),
    ], {
      rate_limit_key: "rate_limits.acme",
      bulk: {
        window: null,
        ids: { field: "event_ids", kind: "text_list", label_key: "bulk.ids.acme", per_call: 1, all_label_key: "bulk.acme_all", empty_key: "bulk.acme_no_ids" },
        each: null,
        owns: ["event_id"],
        label_key: "bulk.mode_bulk.acme_ids",
        help_key: "bulk.mode_bulk_help.acme_ids",
      },
    }),
    op(P, "ping-endpoint", "probe", [formField(P, "ping_id", "integer", false)]),
    op(P, "find-events", "lookup", [formField(P, "event_ids", "text_list", true)], {
      lookup: lookupShape("query.tab.acme_ids", "event_ids"),
      row_detail: {
        operation: "event-attempts", param: "event_id", from: "event_id", label_key: "query.acme_attempts", rows: ["attempts"],
        columns: [column(["at_ms"], "query.col.acme_at", { kind: "unix_millis" }, true), column(["code"], "query.col.acme_code", { kind: "text" }, true)],
        empty_key: "query.acme_no_attempts",
      },
    }),
    op(P, "events-since", "lookup", [formField(P, "since", "unix_seconds", true)], { lookup: lookupShape("query.tab.acme_since", null), paging: { next: "next", param: "cursor" } }),
    op(P, "event-attempts", "lookup", [formField(P, "event_id", "text", true)]),
    op(P, "replay-status", "lookup", [formField(P, "job_id", "text", true)]),
  ],
  base_urls: [
    preset(P, "eu", "https://eu.acme.example/api", true, { field: "region", values: ["eu"] }),
    preset(P, "us", "https://us.acme.example/api", true, { field: "region", values: ["us"] }),
    preset(P, "test", "https://test.acme.example/api", false),
  ],
};

/** The lines Acme's folder adds to the English catalog. */
const CATALOG = {
  accounts: {
    acme: {
      base_url: { label: "Acme base URL", help: "Acme's API address for your region." },
      region: { label: "Region", help: "Where your Acme merchant lives.", choice: { eu: "Europe", us: "United States" } },
      merchant_id: { label: "Merchant ID", help: "From the Acme dashboard (not needed in the United States)." },
      preset: { eu: "Acme Europe", us: "Acme United States", test: "Acme test environment" },
      api_token: {
        label: "API token", help: "Sent as a bearer token.",
        replace_warning: "A new Acme token retires the current one at once.",
      },
    },
  },
  ops: {
    acme: {
      "replay-events": { label: "Replay events", help: "Acme sends the events of a period again." },
      redeliver: { label: "Redeliver one event", help: "Acme sends one event again." },
      "find-events": { label: "Find events by ID", help: "Events by their IDs." },
      "events-since": { label: "Events since", help: "Events from a moment on." },
      "event-attempts": { label: "Attempts of an event", help: "Each time Acme tried." },
      "replay-status": { label: "Replay progress", help: "How far a replay is." },
      "ping-endpoint": { label: "Ping my endpoint", help: "Acme calls your endpoint and says what it answered." },
      ping_id: { label: "Ping number", help: "Chosen by Acme." },
      merchant_ref: { label: "Merchant reference", help: "Your reference." },
      from: { label: "From", help: "Start of the period." },
      scope: { label: "Which events", help: "Failed ones, or all." },
      channel: { label: "Channel", help: "Card, bank or wallet." },
      notify_url: { label: "Notify URL", help: "A one-off address." },
      event_id: { label: "Event ID", help: "As Acme shows it." },
      kinds: { label: "Kinds", help: "Only events of these kinds." },
      event_ref: { label: "Event reference", help: "Instead of the event ID." },
      event_ids: { label: "Event IDs", help: "Two per request." },
      since: { label: "Since", help: "From this moment." },
      job_id: { label: "Replay", help: "As Acme named it." },
    },
  },
  choices: {
    acme: {
      scope: { failed: "Only failed events", everything: "Every event, delivered or not" },
      channel: { card: "Cards", bank: "Bank transfers", wallet: "Wallets" },
      kinds: { created: "Created", paid: "Paid", refunded: "Refunded" },
    },
  },
  bulk: {
    since_help: { acme: "Acme takes at most 30 minutes per request." },
    acme_channels: "Channels",
    acme_no_channel: "Tick at least one channel.",
    ids: { acme: "These event IDs" },
    acme_all: "Every undelivered event (one request)",
    acme_no_ids: "Paste at least one event ID.",
    mode_bulk: { acme_window: "Replay a period, per channel", acme_ids: "Redeliver many events" },
    mode_bulk_help: { acme_window: "Half-hour requests, one per channel.", acme_ids: "One request per event ID." },
  },
  rate_limits: { acme: "10 per minute" },
  confirm: {
    reason: { acme_far_back: "This replay reaches back more than 2 hours.", acme_notify: "Acme sends this event to another address." },
    tick_for: { acme_notify: "That address is ours." },
  },
  query: {
    acme_found: "Events found: {{n}}",
    acme_none: "No event matched.",
    tab: { acme_ids: "By event ID", acme_since: "Since a moment" },
    col: { acme_event: "Event", acme_status: "Status", acme_amount: "Amount", acme_at: "At", acme_code: "Answer" },
    acme_attempts: "Attempts",
    acme_no_attempts: "Acme has not tried yet.",
  },
  acme: {
    status: { delivered: "Delivered", failed: "Not delivered", unknown: "Other" },
    job: { queued: "Waiting", running: "Replaying", done: "Replayed", failed: "Stopped", unknown: "—" },
  },
  result: { acme_endpoint_answered: "Your server answered HTTP {{status}}: {{body}}" },
  reasons: { acme_temporary_id: "Acme cannot redeliver an event by its temporary ID (tmp-…): use the event ID." },
};

/** Adds Acme's catalog lines to the English catalog (as its folder's entries in the catalogs would). */
export function addAcmeCatalog() {
  addTranslations("en", CATALOG);
}
