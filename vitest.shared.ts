import { defaultServerConditions } from 'vite';

/**
 * Tests read the workspace's packages from their TypeScript sources: the
 * "source" export condition, then Vite's defaults (a package's "default" is
 * its compiled dist/). Spread into each package's vitest config.
 */
export const readSources = {
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
};
