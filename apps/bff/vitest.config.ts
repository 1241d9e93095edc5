import { defineConfig } from 'vitest/config';
import { readSources } from '../../vitest.shared.js';

export default defineConfig({
  ...readSources,
  // each test starts the app as a process of its own
  test: { testTimeout: 30_000 },
});
