/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into ../static/dist and served by Django (WhiteNoise) under /static/dist/; the
// `vite_assets` template tag (studio/web) reads .vite/manifest.json to emit the tags.
export default defineConfig({
  plugins: [react()],
  base: "/static/dist/",
  build: {
    outDir: "../static/dist",
    emptyOutDir: true,
    manifest: true,
    sourcemap: true,
    rollupOptions: { input: { app: "src/main.tsx", auth: "src/styles/auth.css" } },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
