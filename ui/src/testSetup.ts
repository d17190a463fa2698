// Fills in for what every browser the app runs in has but jsdom lacks, before each test file.
// CSS.escape: React Aria's overlays look up <meta> tags with it.
if (typeof globalThis.CSS === "undefined" || typeof globalThis.CSS.escape !== "function") {
  const escape = (value: string) => value.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
  Object.defineProperty(globalThis, "CSS", { value: { ...(globalThis.CSS ?? {}), escape }, configurable: true, writable: true });
}
