// Fills in for what every browser the app runs in has but jsdom lacks, before each test file.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

// CSS.escape: React Aria's overlays look up <meta> tags with it.
if (typeof globalThis.CSS === "undefined" || typeof globalThis.CSS.escape !== "function") {
  const escape = (value: string) => value.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
  Object.defineProperty(globalThis, "CSS", { value: { ...(globalThis.CSS ?? {}), escape }, configurable: true, writable: true });
}

// <dialog>.showModal() and close(): jsdom has the element without them. The stand-ins open and close it,
// and Escape asks it to cancel as a browser does; focus and the inert page behind are checked in the real
// window (tests/e2e).
if (typeof HTMLDialogElement !== "undefined" && typeof HTMLDialogElement.prototype.showModal !== "function") {
  const onEscape = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    const open = [...document.querySelectorAll("dialog[open]")].pop() as HTMLDialogElement | undefined;
    if (!open) return;
    const cancel = new Event("cancel", { cancelable: true });
    if (open.dispatchEvent(cancel)) open.close();
  };
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.setAttribute("open", "");
      document.addEventListener("keydown", onEscape);
      this.querySelector<HTMLElement>("input, select, textarea, button, [tabindex]")?.focus();
    },
    show(this: HTMLDialogElement) {
      this.setAttribute("open", "");
    },
    close(this: HTMLDialogElement) {
      if (!this.hasAttribute("open")) return;
      this.removeAttribute("open");
      this.dispatchEvent(new Event("close"));
    },
  });
}

// The catalogs: the window fetches them from the app's own files (ui/src/i18n.ts); here they are read from
// the same files on disk.
{
  const browserFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const catalog = /^\/src\/locales\/([\w-]+\.json)$/.exec(url);
    if (!catalog) return browserFetch(input, init);
    const text = await readFile(join(__dirname, "locales", catalog[1]), "utf8");
    return new Response(text, { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

// Preact runs effects after the next frame, on a timer where nothing is painted (jsdom): one could fire after a
// test file's environment is gone. Here they run once the render that caused them is done, as React's run in
// tests, so none is left waiting when a file ends.
{
  const { options } = await import("preact");
  (options as { requestAnimationFrame?: (flush: () => void) => void }).requestAnimationFrame = (flush) => queueMicrotask(flush);
}
