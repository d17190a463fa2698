// A screen whose code is a chunk of its own, fetched when first drawn or earlier with `load()`. Once fetched it
// is drawn at once, with no suspended frame; while it is being fetched the nearest <Suspense> waits (moving
// to it inside a transition, React keeps the screen already shown meanwhile).
import { use, type ComponentType } from "react";

export function lazyScreen<P extends object>(fetch: () => Promise<ComponentType<P>>) {
  let chunk: Promise<ComponentType<P>> | undefined;
  let fetched = false;
  const load = () => {
    if (!chunk) {
      const c = fetch();
      // React reads these fields: a chunk already fetched is drawn without suspending.
      c.then(
        (screen) => {
          Object.assign(c, { status: "fulfilled", value: screen });
          fetched = true;
        },
        () => (chunk = undefined),
      );
      chunk = c;
    }
    return chunk;
  };
  function LazyScreen(props: P) {
    const Screen = use(load());
    return <Screen {...props} />;
  }
  return Object.assign(LazyScreen, { load, fetched: () => fetched });
}
