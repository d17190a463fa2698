// Builds the WebKit check page (index.html here) with the app's own build settings.
import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vite";
import app from "../vite.config";

export default mergeConfig(
  app,
  defineConfig({
    root: fileURLToPath(new URL(".", import.meta.url)),
    build: { outDir: "dist", emptyOutDir: true },
  }),
);
