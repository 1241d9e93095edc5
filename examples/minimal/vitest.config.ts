import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  test: {
    include: ['test/**/*.test.ts'],
    // the test starts a real IdP, API and BFF on loopback
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
