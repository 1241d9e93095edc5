import { defineConfig } from 'vitest/config';

// consumer/ holds the adopter's files, a Playwright spec among them: only test/ is ours
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } });
