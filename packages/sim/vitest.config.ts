import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  test: {
    include: ['src/**/__tests__/**/*.test.ts'],
    // the CI budget prints its numbers; a slow machine may take longer than vitest's 5 s default
    testTimeout: 120_000,
    fileParallelism: false,
  },
});
