// A screen whose code is a chunk of its own, fetched when first drawn or earlier with `load()`. Once fetched it
// is drawn at once, with no suspended frame; while it is being fetched the nearest <Suspense> waits (the app
// moves to a screen only once `load()` has settled, so the screen already shown stays meanwhile).
import type { ComponentType } from "react";

export function lazyScreen<P extends object>(fetch: () => Promise<ComponentType<P>>) {
  let chunk: Promise<ComponentType<P>> | undefined;
  let screen: ComponentType<P> | undefined;
  let failure: { error: unknown } | undefined;
  const load = () => {
    if (!chunk) {
      const c = fetch();
      c.then(
        (s) => (screen = s),
        (error) => {
          // Shown once by the nearest error boundary; the next attempt fetches again.
          failure = { error };
          chunk = undefined;
        },
      );
      chunk = c;
    }
    return chunk;
  };
  function LazyScreen(props: P) {
    if (screen) {
      const Screen = screen;
      return <Screen {...props} />;
    }
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
    // Suspends: the nearest <Suspense> waits for the chunk and draws this again once it has settled (React's
    // own `lazy` works the same way).
    throw load();
  }
  return Object.assign(LazyScreen, { load, fetched: () => screen !== undefined });
}
