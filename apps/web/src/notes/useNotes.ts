import { useQuery } from '@tanstack/react-query';
import { notesQueryOptions } from './notesQuery';

/** My notes (GET /api/notes). */
export function useNotes() {
  return useQuery(notesQueryOptions);
}
