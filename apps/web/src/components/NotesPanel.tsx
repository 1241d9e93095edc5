import { NoteForm } from './NoteForm';
import { NoteList } from './NoteList';

export interface NotesPanelProps {
  /** 1 when the panel is the page (/notes), 2 inside the overview. */
  headingLevel?: 1 | 2;
}

export function NotesPanel({ headingLevel = 2 }: NotesPanelProps) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section className="card" aria-labelledby="notes-heading">
      <Heading id="notes-heading">Notes</Heading>
      <NoteList />
      <NoteForm />
    </section>
  );
}
