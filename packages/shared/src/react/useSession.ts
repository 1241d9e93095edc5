import { useQuery } from '@tanstack/react-query';
import { sessionQueryOptions } from './sessionQuery.js';

/** /auth/session (`data.info`) and the clock skew measured with it (`data.skewMs`). */
export function useSession() {
  return useQuery(sessionQueryOptions);
}
