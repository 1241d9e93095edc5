import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  test: {
    // the plugin's unit tests; its integration suite runs in packages/testing against the real dev IdP and demo API
    include: ['src/**/__tests__/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // the store contract runs against one shared Redis: files one after another
    fileParallelism: false,
  },
});
