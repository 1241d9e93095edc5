import { NOTE_MAX_LENGTH } from '@bff/shared';

/** Why `text` cannot be saved as a note, or null when it can. */
export function validateNote(text: string): string | null {
  if (text.trim() === '') return 'Write something first.';
  if (text.length > NOTE_MAX_LENGTH) {
    return `A note can be at most ${NOTE_MAX_LENGTH} characters (this one has ${text.length}).`;
  }
  return null;
}
