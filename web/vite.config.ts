/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API serves the build (skyfare/webapp.py); `npm run dev` proxies the API for a live reload.
export default defineConfig({
  plugins: [react()],
  build: { target: "es2022", assetsInlineLimit: 0, sourcemap: false },
  server: {
    proxy: { "/v1": "http://127.0.0.1:8080" },
  },
  test: { environment: "node", include: ["src/**/*.test.{ts,tsx}"] },
});
