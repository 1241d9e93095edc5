import type { FastifyInstance, preValidationAsyncHookHandler } from 'fastify';
import { NOTE_MAX_LENGTH, type NewNote, type Note } from '@bff/shared';
import { userOf } from '../auth.js';
import type { NoteStore } from '../notes.js';

const newNoteSchema = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: { text: { type: 'string', minLength: 1, maxLength: NOTE_MAX_LENGTH } },
} as const;

/** The length limits apply to the text without its surrounding whitespace, which is not stored. */
const trimText: preValidationAsyncHookHandler = async (request) => {
  const body: unknown = request.body;
  if (typeof body === 'object' && body !== null && 'text' in body && typeof body.text === 'string') {
    body.text = body.text.trim();
  }
};

/** The caller's own notes; another user's note id is answered like an unknown one (404). */
export async function notesRoutes(app: FastifyInstance, { store }: { store: NoteStore }): Promise<void> {
  app.get('/notes', async (request): Promise<Note[]> => store.list(userOf(request)));

  app.post<{ Body: NewNote }>(
    '/notes',
    { schema: { body: newNoteSchema }, preValidation: trimText },
    async (request, reply): Promise<Note> => {
      reply.code(201);
      return store.add(userOf(request), request.body.text);
    },
  );

  app.delete<{ Params: { id: string } }>('/notes/:id', async (request, reply) => {
    if (!store.remove(userOf(request), request.params.id)) {
      return reply.code(404).send({ error: 'not_found', error_description: 'no such note' });
    }
    return reply.code(204).send();
  });
}
