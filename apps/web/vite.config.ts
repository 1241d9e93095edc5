import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { readSources } from '../../vitest.shared.js';

// In development the SPA runs on Vite's server and the BFF on :3000; the proxy
// keeps every call same-origin, exactly as when the BFF serves the built files.
const BFF = 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  // @bff/shared from its TypeScript sources, in the build as in the tests (readSources)
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ...readSources,
  server: {
    proxy: {
      '/auth': BFF,
      '/api': BFF,
      '/healthz': BFF,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
