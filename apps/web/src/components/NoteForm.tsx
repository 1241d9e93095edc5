import { useRef, useState, type FormEvent } from 'react';
import { NOTE_MAX_LENGTH } from '@bff/shared';
import { describeError } from '../api/describeError';
import { useAddNote } from '../notes/useAddNote';
import { useNoteDraft } from '../notes/useNoteDraft';
import { validateNote } from '../notes/validateNote';

/** The add-note form; its draft survives signing in again. */
export function NoteForm() {
  const [draft, setDraft] = useNoteDraft();
  const [problem, setProblem] = useState<string | null>(null);
  const addNote = useAddNote();
  const fieldRef = useRef<HTMLTextAreaElement>(null);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = draft.trim();
    const invalid = validateNote(text);
    setProblem(invalid);
    if (invalid !== null) {
      fieldRef.current?.focus();
      return;
    }
    addNote.mutate({ text }, { onSuccess: () => setDraft('') });
  };

  const message = problem ?? (addNote.isError ? describeError(addNote.error, 'saving the note') : '');
  const length = draft.trim().length;

  return (
    <form className="note-form" onSubmit={onSubmit} noValidate>
      <label htmlFor="new-note">New note</label>
      <textarea
        id="new-note"
        ref={fieldRef}
        rows={3}
        value={draft}
        aria-invalid={problem !== null}
        aria-describedby="new-note-error new-note-count"
        onChange={(event) => {
          setDraft(event.target.value);
          if (problem !== null) setProblem(null);
        }}
      />
      <div className="form-row">
        <span id="new-note-count" className={length > NOTE_MAX_LENGTH ? 'error-text small' : 'muted small'}>
          {length}/{NOTE_MAX_LENGTH} characters
        </span>
        <button type="submit" className="button primary" disabled={addNote.isPending}>
          Add note
        </button>
      </div>
      <p id="new-note-error" className="error-text" aria-live="polite">
        {message}
      </p>
    </form>
  );
}
