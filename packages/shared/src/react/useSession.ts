import { useQuery, useQueryClient } from '@tanstack/react-query';
import { bffClientParts } from './bffClientParts.js';
import { sessionQueryOptions } from './sessionQuery.js';

/** /auth/session (`data.info`) and the clock skew measured with it (`data.skewMs`). */
export function useSession() {
  const { paths } = bffClientParts(useQueryClient());
  return useQuery(sessionQueryOptions(paths));
}
