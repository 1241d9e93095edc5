import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // every file starts real servers: run files one after another on 2 cores
    fileParallelism: false,
  },
});
