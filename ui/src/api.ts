// The only place the UI talks to the backend. Every call goes through Tauri's IPC `invoke`; the UI never
// makes HTTP calls and never receives a secret.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { Preferences } from "./bindings/Preferences";
import type { Error as CoreError } from "./bindings/Error";

export type { AppInfo, Preferences, CoreError };

export function isCoreError(e: unknown): e is CoreError {
  return typeof e === "object" && e !== null && "code" in e && "params" in e;
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  getPreferences: () => invoke<Preferences>("get_preferences"),
  setPreferences: (preferences: Preferences) => invoke<Preferences>("set_preferences", { preferences }),
};
