// The time zone the app reads and writes times in (Settings), re-rendering when it changes.
import { useSyncExternalStore } from "react";
import { appZone, onAppZoneChange, type ZoneChoice } from "../lib/datetime";

export function useZone(): ZoneChoice {
  return useSyncExternalStore(onAppZoneChange, appZone);
}
