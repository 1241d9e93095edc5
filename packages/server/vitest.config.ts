import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  test: { testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: false },
});
