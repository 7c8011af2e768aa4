import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to a running `licensedesk serve`
// (LD_API, default http://127.0.0.1:8080) so the page and the API share an origin,
// exactly as in production where the server serves web/dist itself.
const api = process.env.LD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': api,
      '/v1.0': api,
      '/healthz': api,
    },
  },
});
