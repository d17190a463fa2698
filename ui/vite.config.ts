import { defineConfig } from "vite";

// React's JSX is compiled by esbuild (automatic runtime); no plugin is needed.
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // Keep the bundle self-contained: no remote fonts, no inline scripts (the CSP forbids them).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { port: 1420, strictPort: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    // Rendering tests run on 2-core CI machines next to other work: allow them time.
    testTimeout: 20_000,
  },
});
