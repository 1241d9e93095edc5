import { randomUUID } from 'node:crypto';
import type { Me, Note } from '@bff/shared';

/**
 * The demo's notes, in memory and per user (`sub`), newest first. Each user starts with one
 * welcome note, created on their first request, so that a fresh sign-in shows data.
 */
export class NoteStore {
  readonly #notes = new Map<string, Note[]>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  list(user: Me): Note[] {
    return [...this.#notesOf(user)];
  }

  add(user: Me, text: string): Note {
    const note = this.#create(text);
    this.#notesOf(user).unshift(note);
    return note;
  }

  /** False when the user has no note with this id (another user's notes are not theirs to see). */
  remove(user: Me, id: string): boolean {
    const notes = this.#notesOf(user);
    const index = notes.findIndex((note) => note.id === id);
    if (index === -1) return false;
    notes.splice(index, 1);
    return true;
  }

  #notesOf(user: Me): Note[] {
    let notes = this.#notes.get(user.sub);
    if (notes === undefined) {
      notes = [this.#create(`Welcome, ${user.name ?? user.sub}! This note comes from the demo API.`)];
      this.#notes.set(user.sub, notes);
    }
    return notes;
  }

  #create(text: string): Note {
    return { id: randomUUID(), text, createdAt: this.#now().toISOString() };
  }
}
