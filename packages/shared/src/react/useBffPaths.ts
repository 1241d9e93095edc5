import { useQueryClient } from '@tanstack/react-query';
import type { BffPaths } from '../client/paths.js';
import { bffClientParts } from './bffClientParts.js';

/** Where the BFF's routes are, as `createBffQueryClient` was told: for `loginUrl`, `signIn` and API calls. */
export function useBffPaths(): BffPaths {
  return bffClientParts(useQueryClient()).paths;
}
