import { describeError } from '../api/describeError';
import { useDeleteNote } from '../notes/useDeleteNote';
import { useNotes } from '../notes/useNotes';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatCreated(iso: string): string {
  const time = Date.parse(iso);
  return Number.isFinite(time) ? dateFormat.format(time) : '';
}

export function NoteList() {
  const notes = useNotes();
  const deleteNote = useDeleteNote();

  if (notes.data === undefined) {
    if (!notes.isError) return <p className="muted">Loading notes...</p>;
    return (
      <p className="error-text">
        {describeError(notes.error, 'loading your notes')}{' '}
        <button type="button" className="button link" onClick={() => void notes.refetch()}>
          Try again
        </button>
      </p>
    );
  }

  return (
    <>
      {notes.data.length === 0 && <p className="muted">No notes yet.</p>}
      <ul className="notes" data-testid="notes-list">
        {notes.data.map((note) => (
          <li key={note.id} className="note">
            <div>
              <p className="note-text">{note.text}</p>
              <time className="muted small" dateTime={note.createdAt}>
                {formatCreated(note.createdAt)}
              </time>
            </div>
            <button
              type="button"
              className="button"
              aria-label={`Delete note: ${note.text}`}
              disabled={deleteNote.isPending && deleteNote.variables === note.id}
              onClick={() => deleteNote.mutate(note.id)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      {deleteNote.isError && <p className="error-text">{describeError(deleteNote.error, 'deleting the note')}</p>}
    </>
  );
}
