/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { fileURLToPath, URL } from "node:url";

// The local runner serves the API on the same origin as the built SPA; in dev we proxy to it.
const apiTarget = process.env.API_TARGET ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: true },
      "/local": { target: apiTarget, changeOrigin: true },
    },
  },
  build: {
    target: "es2022",
    sourcemap: false,
    // Read by scripts/check-bundle-size.mjs to find what the first page load pulls in.
    manifest: true,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    restoreMocks: true,
    // Component tests render and type through jsdom: on a busy 2-core CI machine one can take several
    // seconds, which is load, not a hang (a hang still fails, after 30 s).
    testTimeout: 30_000,
  },
});
