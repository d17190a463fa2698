import { defineConfig } from "vite";
import optimizeLocales from "@react-aria/optimize-locales-plugin";

// React's JSX is compiled by esbuild (automatic runtime); no plugin is needed for it.
export default defineConfig({
  base: "./",
  // The date fields' library carries its own texts (screen-reader labels) in 34 languages: keep only the
  // app's languages (LANGUAGES in src/i18n.ts; "en" keeps en-US, which en-GB uses).
  plugins: [optimizeLocales.vite({ locales: ["en", "zh-CN", "pt-BR"] })],
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
    setupFiles: ["src/testSetup.ts"],
    // Rendering tests run on 2-core CI machines next to other work: allow them time.
    testTimeout: 20_000,
  },
});
