import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTE_MAX_LENGTH, type Note } from '@bff/shared';
import { buildApi } from '../index.js';
import { AUDIENCE, startFakeIdp, type FakeIdp } from './fakeIdp.js';
import { bearer } from './helpers.js';

let idp: FakeIdp;
let api: FastifyInstance;
let alice: Record<string, string>;
let bob: Record<string, string>;

beforeAll(async () => {
  idp = await startFakeIdp();
  alice = bearer(await idp.sign('alice', { claims: { name: 'Alice Liddell' } }));
  bob = bearer(await idp.sign('bob'));
});
afterAll(async () => {
  await api.close();
  await idp.close();
});
beforeEach(async () => {
  await api?.close();
  api = buildApi({ issuer: idp.issuer, audience: AUDIENCE });
});

const list = async (headers: Record<string, string>) => (await api.inject({ method: 'GET', url: '/notes', headers })).json<Note[]>();
const post = (headers: Record<string, string>, payload: unknown) =>
  api.inject({ method: 'POST', url: '/notes', headers, payload: payload as string });
const remove = (headers: Record<string, string>, id: string) => api.inject({ method: 'DELETE', url: `/notes/${id}`, headers });

describe('notes', () => {
  it('greets each user with one welcome note, by name when the token has one', async () => {
    expect(await list(alice)).toEqual([
      { id: expect.any(String), text: 'Welcome, Alice Liddell! This note comes from the demo API.', createdAt: expect.any(String) },
    ]);
    expect((await list(bob)).map((note) => note.text)).toEqual(['Welcome, bob! This note comes from the demo API.']);
  });

  it('creates a note with 201 and lists it first', async () => {
    const response = await post(alice, { text: '  Buy tea  ' });
    expect(response.statusCode).toBe(201);
    const note = response.json<Note>();
    expect(note).toEqual({ id: expect.any(String), text: 'Buy tea', createdAt: expect.any(String) });
    expect(new Date(note.createdAt).toISOString()).toBe(note.createdAt);
    expect((await list(alice)).map((n) => n.text)).toEqual(['Buy tea', expect.stringMatching(/^Welcome/)]);
  });

  it("keeps notes per user: bob can neither see nor delete alice's notes", async () => {
    const secret = (await post(alice, { text: 'for alice only' })).json<Note>();
    expect((await list(bob)).map((n) => n.id)).not.toContain(secret.id);
    expect((await remove(bob, secret.id)).statusCode).toBe(404);
    expect((await list(alice)).map((n) => n.id)).toContain(secret.id);
  });

  it('deletes a note with 204, after which the same id is 404', async () => {
    const [welcome] = await list(alice);
    const first = await remove(alice, welcome!.id);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    expect(await list(alice)).toEqual([]);
    expect((await remove(alice, welcome!.id)).statusCode).toBe(404);
  });

  it('answers 404 for an unknown note id', async () => {
    const response = await remove(alice, 'no-such-note');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found' });
  });

  it('accepts a note of exactly NOTE_MAX_LENGTH characters after trimming', async () => {
    const text = 'x'.repeat(NOTE_MAX_LENGTH);
    expect((await post(alice, { text: `  ${text}\n` })).json<Note>().text).toBe(text);
  });

  it.each([
    ['an empty text', { text: '' }],
    ['a text of spaces only', { text: ' \n\t ' }],
    ['a text longer than NOTE_MAX_LENGTH', { text: 'x'.repeat(NOTE_MAX_LENGTH + 1) }],
    ['a text that is not a string', { text: 42 }],
    ['a body without text', { title: 'hello' }],
    ['a JSON array', [{ text: 'hello' }]],
  ])('refuses %s with 400 invalid_request', async (_case, payload) => {
    const response = await post(alice, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('refuses a body that is not valid JSON with 400, without echoing it', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/notes',
      headers: { ...alice, 'content-type': 'application/json' },
      payload: '{"text": oops-secret',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'the request body is not valid JSON' });
    expect(response.body).not.toContain('oops-secret');
  });

  it('refuses an empty body with 400', async () => {
    const response = await api.inject({ method: 'POST', url: '/notes', headers: { ...alice, 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a plain-text body with 400', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/notes',
      headers: { ...alice, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a media type it has no parser for with 415', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/notes',
      headers: { ...alice, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'text=hello',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'the request body must be application/json' });
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const response = await post(alice, { text: 'x'.repeat(17 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('checks the token before it reads the body', async () => {
    const response = await api.inject({
      method: 'POST',
      url: '/notes',
      headers: { 'content-type': 'application/json' },
      payload: 'not json',
    });
    expect(response.statusCode).toBe(401);
  });
});
