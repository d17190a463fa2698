import { clearSessionState } from "../hooks/useSessionState";
import { clearToasts } from "../hooks/useToast";
import { createElement, Fragment, type ReactNode } from "react";
import { Toasts } from "../components/Toasts";
// What the UI tests share: the registered providers' descriptors exactly as the window receives them
// (written by `cargo test` to bindings/providers.json), builders that make a descriptor the way
// src/providers/descriptor.rs does (for providers the UI has never heard of), accounts and jobs, and one
// IPC mock standing in for the app.
import { afterEach, beforeEach } from "vitest";
import { cleanup, fireEvent } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { AccountField, AccountView, FormField, JobView, OperationDescriptor, ProviderDescriptor } from "../api";
import type { BaseUrlPreset } from "../bindings/BaseUrlPreset";
import type { CellLook } from "../bindings/CellLook";
import type { Column } from "../bindings/Column";
import type { ColumnFormat } from "../bindings/ColumnFormat";
import { changeLanguage, initI18n } from "../i18n";
import { resetFirstScreen } from "../preload";
import providersJson from "../bindings/providers.json";

/** The registered providers, as `provider_descriptors` answers. */
export const PROVIDERS = providersJson as unknown as ProviderDescriptor[];

/** One registered provider's descriptor. */
export function provider(id: string): ProviderDescriptor {
  const d = PROVIDERS.find((p) => p.id === id);
  if (!d) throw new Error(`no provider ${id}`);
  return d;
}

/** A registered provider's operation (the one offered to accounts whose `fields` match, when given). */
export function operation(id: string, name: string, fields?: Record<string, unknown>): OperationDescriptor {
  const d = provider(id);
  const op = d.operations.find(
    (o) => o.name === name && (!fields || !o.only_when || o.only_when.values.includes(String(fields[o.only_when.field] ?? ""))),
  );
  if (!op) throw new Error(`no operation ${id}/${name}`);
  return op;
}

// ---- builders, as the provider descriptors are built in Rust ----

export function accountField(p: string, name: string, kind: AccountField["kind"], secret: boolean, required: boolean, more: Partial<AccountField> = {}): AccountField {
  return {
    name, secret, kind, required, label_key: `accounts.${p}.${name}.label`, help_key: `accounts.${p}.${name}.help`, choices: [], choices_key: null,
    default: null, optional_when: null, replace_warning_key: null, ...more,
  };
}

export function formField(p: string, name: string, kind: FormField["kind"], required: boolean, more: Partial<FormField> = {}): FormField {
  return {
    name, kind, required, label_key: `ops.${p}.${name}.label`, help_key: `ops.${p}.${name}.help`, choices: [], choices_key: `choices.${p}.${name}`,
    default: null, broad: null, broad_label_key: null, max: null, refuse: [], optional_with: [], from_account: null, ...more,
  };
}

export function op(p: string, name: string, kind: OperationDescriptor["kind"], fields: FormField[], more: Partial<OperationDescriptor> = {}): OperationDescriptor {
  return {
    name, method: "POST", kind, label_key: `ops.${p}.${name}.label`, help_key: `ops.${p}.${name}.help`, fields, only_when: null,
    rate_limit_key: null, bulk: null, confirm: [], lookup: null, deprecated: false, path: null, row_detail: null, paging: null, follow: null, ...more,
  };
}

export function column(keys: string[], label_key: string, format: ColumnFormat, primary: boolean, look: CellLook = { kind: "plain" }): Column {
  return { keys, label_key, format, primary, look };
}

export function preset(p: string, name: string, url: string, production: boolean, only_when: BaseUrlPreset["only_when"] = null): BaseUrlPreset {
  return { label_key: `accounts.${p}.preset.${name}`, url, production, only_when };
}

// ---- accounts and jobs ----

export function account(providerId: string, more: Partial<AccountView> = {}): AccountView {
  return {
    id: 7, provider: providerId, label: "Store BR", environment: "sandbox", base_url: "https://api.example.com", fields: {}, notes: "",
    secrets: [], certificate_fingerprint: null, secrets_need_reentry: false, created_at_ms: 0, updated_at_ms: 0, team_account_id: null, ...more,
  };
}

/** A registered look-up by ids: the kind of job the Query screen starts. */
const IDS_LOOKUP = PROVIDERS.flatMap((d) => d.operations.filter((o) => o.lookup?.asked).map((o) => ({ provider: d.id, operation: o.name })))[0];

/** A running job of 3 calls (by default a look-up by ids). */
export function job(more: Partial<JobView> = {}): JobView {
  return {
    id: 31, account_id: 7, account_label: "Store BR", ...IDS_LOOKUP, state: "running", total: 3,
    next_index: 0, ok: 0, failed: 0, unknown: 0, throttled: 0, last_error: null, created_at_ms: Date.now(), updated_at_ms: Date.now(),
    runner_pid: null, ...more,
  };
}

// ---- the app behind the window ----

export type Call = { cmd: string; args: Record<string, unknown> };

const UNLIMITED = { limited: false, per_minute: null, per_day: null, remaining_today: null, next_allowed_at_ms: 0, now_ms: 0 };

/**
 * Answers the window's commands: `on` first (anything but `undefined` is its answer; a throw is the app's
 * error), then the accounts and descriptors given, no jobs and no budget limit. Any other command fails
 * the test. Returns every call made, in order.
 */
export function mockBackend(opts: {
  accounts?: AccountView[];
  descriptors?: ProviderDescriptor[];
  jobs?: () => JobView[];
  on?: (cmd: string, args: Record<string, unknown>) => unknown;
  /** Let the test emit events (job progress) through the mock. */
  events?: boolean;
} = {}): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const answer = opts.on?.(cmd, args);
      if (answer !== undefined) return answer;
      if (cmd === "list_accounts") return opts.accounts ?? [];
      if (cmd === "provider_descriptors") return opts.descriptors ?? PROVIDERS;
      if (cmd === "list_jobs") return opts.jobs?.() ?? [];
      if (cmd === "team_jobs") return [];
      if (cmd === "budget_status") return UNLIMITED;
      if (cmd.startsWith("plugin:event|")) return 1;
      throw new Error(`unexpected command ${cmd}`);
    },
    opts.events ? { shouldMockEvents: true } : undefined,
  );
  return calls;
}

/** Every test starts in English with nothing preloaded, and ends with the window and the mock cleared. */
export function setupEach() {
  beforeEach(async () => {
    initI18n("en");
    await changeLanguage("en");
    resetFirstScreen();
  });
  afterEach(() => {
    cleanup();
    clearMocks();
    clearSessionState();
    clearToasts();
  });
}

/** A screen or component drawn with the app's confirmations region (as App draws it). */
export function withToasts(node: ReactNode) {
  return createElement(Fragment, null, node, createElement(Toasts));
}

/** Gives a field a value as the user does: typing into a text field sends `input` events (the browser's
 * `change` comes only when focus leaves it), picking in a select sends `change`. */
export function enterValue(field: Element, value: string) {
  if (field instanceof HTMLSelectElement) fireEvent.change(field, { target: { value } });
  else fireEvent.input(field, { target: { value } });
}

/** How long a test waits for a date field to appear: its code is a chunk of its own, and the first test of a
 * run to draw one also waits for that chunk (React Aria) to be compiled, seconds on a busy 2-core machine. */
export const DATE_FIELD_WAIT = { timeout: 10_000 };
