import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves dist/ at "/" (services/gateway/src/gateway/entrypoints/web_app.py): hashed
// files under /assets/ are cached for a year, index.html never. `npm run dev` proxies the API to
// a gateway on :8000.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 500,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
});
