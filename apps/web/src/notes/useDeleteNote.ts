import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Note } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';
import { notesQueryKey, notesUrl } from './notesQuery';

/** DELETE /api/notes/:id; the note leaves the list at once, then the list is re-read. */
export function useDeleteNote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => bffFetch<void>(`${notesUrl}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: (_, id) => {
      client.setQueryData<Note[]>(notesQueryKey, (notes) => notes?.filter((note) => note.id !== id));
      return client.invalidateQueries({ queryKey: notesQueryKey });
    },
  });
}
