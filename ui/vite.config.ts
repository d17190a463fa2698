import { defineConfig } from "vite";
import optimizeLocales from "@react-aria/optimize-locales-plugin";

const here = (path: string) => new URL(path, import.meta.url).pathname;

// The interface is written against React's API and rendered by Preact (`preact/compat`, docs/architecture.md):
// every import of React, the app's own and its libraries', is resolved to Preact. The JSX is compiled by
// esbuild (automatic runtime); no plugin is needed for it.
export default defineConfig({
  base: "./",
  // The date fields' library carries its own texts (screen-reader labels) in 34 languages: keep only the
  // app's languages (LANGUAGES in src/i18n.ts; "en" keeps en-US, which en-GB uses).
  plugins: [optimizeLocales.vite({ locales: ["en", "zh-CN", "pt-BR"] })],
  esbuild: { jsx: "automatic" },
  resolve: {
    alias: [
      { find: /^react$/, replacement: "preact/compat" },
      { find: /^react-dom$/, replacement: "preact/compat" },
      { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
      { find: /^react\/jsx-runtime$/, replacement: "preact/jsx-runtime" },
      { find: /^react\/jsx-dev-runtime$/, replacement: "preact/jsx-runtime" },
    ],
  },
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
    setupFiles: ["src/testSetup.ts"],
    // Rendering tests run on 2-core CI machines next to other work: allow them time.
    testTimeout: 20_000,
    // The testing library as an ES module, its `act` Preact's (src/test/act.ts), and the libraries that import
    // React run through the aliases above rather than loaded by Node as they are.
    alias: [
      { find: /^react-dom\/test-utils$/, replacement: here("./src/test/act.ts") },
      { find: /^@testing-library\/react$/, replacement: here("./node_modules/@testing-library/react/dist/@testing-library/react.esm.js") },
    ],
    server: { deps: { inline: [/@testing-library\/react/, /react-aria/, /react-stately/, /use-sync-external-store/] } },
  },
});
