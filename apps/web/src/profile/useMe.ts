import { queryOptions, useQuery } from '@tanstack/react-query';
import { ROUTES, type Me } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';

export const meQueryOptions = queryOptions({
  queryKey: ['me'],
  queryFn: ({ signal }) => bffFetch<Me>(`${ROUTES.api}/me`, { signal }),
});

/** Who I am, according to the demo API (GET /api/me). */
export function useMe() {
  return useQuery(meQueryOptions);
}
