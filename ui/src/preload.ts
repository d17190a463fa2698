import { api, type AccountView, type ProviderDescriptor } from "./api";

/** What the first screen (Resend) needs before it can show its form. */
export interface FirstScreen {
  accounts: AccountView[];
  descriptors: ProviderDescriptor[];
}

// Not asked yet / asked and not yet taken (with the data once it arrived) / taken: from then on, data that
// arrives late is dropped, so no later screen is ever given the start-up's list.
let first: { taken: false; data: FirstScreen | null } | { taken: true } = { taken: false, data: null };

/**
 * Asks for the first screen's data while the page starts (alongside the saved language), so the first render
 * already shows the form instead of "Loading…" and then the form: one full paint fewer at start-up
 * (docs/performance.md). Never fails: on an error the screen loads (and reports the error) as usual.
 */
export function preloadFirstScreen(): Promise<void> {
  return loadFirstScreen()
    .then((data) => {
      if (!first.taken) first = { taken: false, data };
    })
    .catch(() => undefined);
}

/** Asks the backend for what the first screen needs (the preload above, and the screen when it loads itself). */
export function loadFirstScreen(): Promise<FirstScreen> {
  return Promise.all([api.listAccounts(), api.providerDescriptors()]).then(([accounts, descriptors]) => ({ accounts, descriptors }));
}

/** The preloaded data, once: the first screen mounted takes it (null if it has not arrived); later mounts load fresh. */
export function takeFirstScreen(): FirstScreen | null {
  const data = first.taken ? null : first.data;
  first = { taken: true };
  return data;
}

/** For tests: back to "not asked yet". */
export function resetFirstScreen() {
  first = { taken: false, data: null };
}
