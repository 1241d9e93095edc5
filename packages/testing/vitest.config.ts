import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // every file starts real servers: run files one after another on 2 cores
    fileParallelism: false,
  },
});
