// One lint for the workspace: typescript-eslint's recommended rules on every
// package, React hooks rules on the SPA and the browser client. Formatting is
// Prettier's job (`pnpm format`), not ESLint's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/test-results/**', '**/playwright-report/**', '**/.vite/**', 'pnpm-lock.yaml'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      // `_name` marks a binding kept on purpose (destructuring that drops a field)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}', 'packages/shared/src/react/**/*.{ts,tsx}', 'packages/shared/src/client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // tests, benchmarks, examples and the dev tools print on purpose
    files: [
      '**/__tests__/**',
      '**/test/**',
      '**/*.test.ts',
      '**/*.test-d.ts',
      'bench/**',
      'examples/**',
      'e2e/**',
      'packages/dev-idp/**',
      'packages/demo-api/**',
      'apps/demo/**',
      'apps/bff/scripts/**',
      '**/scripts/**',
    ],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Playwright fixtures that use no other fixture are written `async ({}, use) => ...`: its API
    files: ['e2e/**', 'packages/*/src/fixtures*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
);
