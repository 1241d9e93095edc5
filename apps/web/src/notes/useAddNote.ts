import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { NewNote, Note } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';
import { notesQueryKey, notesUrl } from './notesQuery';

/** POST /api/notes; the new note joins the list at once, then the list is re-read. */
export function useAddNote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (note: NewNote) => bffFetch<Note>(notesUrl, { method: 'POST', json: note }),
    onSuccess: (note) => {
      client.setQueryData<Note[]>(notesQueryKey, (notes) => (notes ? [...notes.filter((n) => n.id !== note.id), note] : notes));
      return client.invalidateQueries({ queryKey: notesQueryKey });
    },
  });
}
