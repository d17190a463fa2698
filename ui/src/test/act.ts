// The testing library's `act` for the tests (vite.config.ts points `react-dom/test-utils` here). Preact's own
// `act` flushes the renders a callback caused as soon as the callback's promise settles; React's waits for a
// task to pass first, so the work the callback started (an answer from the app, the state it sets) is drawn
// before the test reads the screen. This does the same around Preact's.
import { act as preactAct } from "preact/test-utils";

// The timer as it is before a test fakes timers (React's act waits on a timer fake timers do not stop either).
const realSetTimeout = globalThis.setTimeout;

export function act(callback: () => unknown): Promise<void> {
  return preactAct(() => {
    const result = callback();
    if (result instanceof Promise) return result.then(() => new Promise<void>((done) => realSetTimeout(done, 0)));
  }) as Promise<void>;
}
