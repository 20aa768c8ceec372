// Vite build for the Cachescope webview (WebKitGTK on Linux, WKWebView on macOS) and the Vitest setup.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Relative asset URLs: Tauri serves the built UI from its own protocol, not from a web root.
  base: "./",
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "safari15",
    outDir: "dist",
    // One bundle read from disk by the webview: code-splitting would buy nothing here.
    chunkSizeWarningLimit: 1024,
  },
  test: { include: ["src/**/*.test.ts"] },
});
