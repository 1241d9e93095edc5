import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The BFF runs beside Vite. The proxy keeps the browser on Vite's origin, so
// the session cookie is first-party and the SPA needs no CORS. `vite preview`
// uses the same proxy.
const bff = process.env.BFF_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      // no changeOrigin: the BFF sees Vite's host, where its cookie belongs
      '/auth': bff,
      '/api': bff,
    },
  },
});
