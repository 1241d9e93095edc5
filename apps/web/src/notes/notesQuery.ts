import { queryOptions } from '@tanstack/react-query';
import { ROUTES, type Note } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';

export const notesQueryKey = ['notes'] as const;
export const notesUrl = `${ROUTES.api}/notes`;

export const notesQueryOptions = queryOptions({
  queryKey: notesQueryKey,
  queryFn: ({ signal }) => bffFetch<Note[]>(notesUrl, { signal }),
});
