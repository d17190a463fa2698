// The only place the UI talks to the backend. Every call goes through Tauri's IPC `invoke`; the UI never
// makes HTTP calls and never receives a secret (secrets go in through create/update and never come back).
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { Preferences } from "./bindings/Preferences";
import type { Error as CoreError } from "./bindings/Error";
import type { AccountInput } from "./bindings/AccountInput";
import type { AccountView } from "./bindings/AccountView";
import type { ProviderDescriptor } from "./bindings/ProviderDescriptor";
import type { TestResult } from "./bindings/TestResult";

export type { AppInfo, Preferences, CoreError, AccountInput, AccountView, ProviderDescriptor, TestResult };

export function isCoreError(e: unknown): e is CoreError {
  return typeof e === "object" && e !== null && "code" in e && "params" in e;
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  getPreferences: () => invoke<Preferences>("get_preferences"),
  setPreferences: (preferences: Preferences) => invoke<Preferences>("set_preferences", { preferences }),
  providerDescriptors: () => invoke<ProviderDescriptor[]>("provider_descriptors"),
  listAccounts: () => invoke<AccountView[]>("list_accounts"),
  createAccount: (input: AccountInput) => invoke<AccountView>("create_account", { input }),
  updateAccount: (id: number, input: AccountInput) => invoke<AccountView>("update_account", { id, input }),
  deleteAccount: (id: number) => invoke<void>("delete_account", { id }),
  testAccount: (id: number) => invoke<TestResult>("test_account", { id }),
  createSandboxAccounts: () => invoke<AccountView[]>("create_sandbox_accounts"),
};
