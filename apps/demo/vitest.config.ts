import { defineConfig } from 'vitest/config';

export default defineConfig({
  // each test starts the app as a process of its own
  test: { testTimeout: 30_000 },
});
