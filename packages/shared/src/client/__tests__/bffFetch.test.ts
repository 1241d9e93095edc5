import { describe, expect, it } from 'vitest';
import { BffError } from '../BffError.js';
import { bffFetch } from '../bffFetch.js';

// These tests hand bffFetch a fake `fetch`: a stand-in for the network, so
// that the parsing and error translation can be checked without a server.
interface Seen {
  url: string;
  init: RequestInit;
}

function fakeFetch(respond: () => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fn: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), init: init ?? {} });
    return respond();
  };
  return { fn, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function rejection(promise: Promise<unknown>): Promise<BffError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BffError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('bffFetch', () => {
  it('sends X-CSRF: 1 and same-origin credentials on every call, GET included', async () => {
    const { fn, seen } = fakeFetch(() => json(200, { ok: true }));
    await bffFetch('/api/me', {}, fn);
    await bffFetch('/auth/refresh', { method: 'POST' }, fn);
    for (const { init } of seen) {
      expect(new Headers(init.headers).get('x-csrf')).toBe('1');
      expect(init.credentials).toBe('same-origin');
    }
  });

  it('sends a JSON body with its content type', async () => {
    const { fn, seen } = fakeFetch(() => json(201, { id: '1', text: 'hi', createdAt: '2030-01-01T00:00:00Z' }));
    const note = await bffFetch<{ id: string }>('/api/notes', { method: 'POST', json: { text: 'hi' } }, fn);
    expect(note.id).toBe('1');
    expect(seen[0]?.init.body).toBe('{"text":"hi"}');
    expect(new Headers(seen[0]?.init.headers).get('content-type')).toBe('application/json');
  });

  it('resolves with undefined for a 204', async () => {
    const { fn } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(bffFetch('/api/notes/1', { method: 'DELETE' }, fn)).resolves.toBeUndefined();
  });

  it('turns a BFF error body into a BffError with its code', async () => {
    const { fn } = fakeFetch(() => json(401, { error: 'Your session was revoked.', code: 'TOKEN_REVOKED' }));
    const error = await rejection(bffFetch('/api/notes', {}, fn));
    expect(error).toMatchObject({ status: 401, code: 'TOKEN_REVOKED', message: 'Your session was revoked.' });
  });

  it('keeps IDP_UNAVAILABLE as a 503 with its code', async () => {
    const { fn } = fakeFetch(() => json(503, { error: 'Reconnecting', code: 'IDP_UNAVAILABLE' }));
    expect(await rejection(bffFetch('/api/me', {}, fn))).toMatchObject({ status: 503, code: 'IDP_UNAVAILABLE' });
  });

  it('passes an upstream API error through without a code, using its description', async () => {
    const { fn } = fakeFetch(() => json(400, { error: 'invalid_request', error_description: 'text must be at most 500 characters' }));
    const error = await rejection(bffFetch('/api/notes', { method: 'POST', json: { text: 'x' } }, fn));
    expect(error).toMatchObject({ status: 400, code: undefined, message: 'text must be at most 500 characters' });
  });

  it('does not trust a code that is not in the closed union', async () => {
    const { fn } = fakeFetch(() => json(401, { error: 'nope', code: 'SOMETHING_ELSE' }));
    expect(await rejection(bffFetch('/api/me', {}, fn))).toMatchObject({ status: 401, code: undefined, message: 'nope' });
  });

  it('describes an error answer without a JSON body by its status', async () => {
    const { fn } = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(await rejection(bffFetch('/api/me', {}, fn))).toMatchObject({
      status: 502,
      code: undefined,
      message: 'The request failed with status 502.',
    });
  });

  it('reports a network failure as status 0 and keeps the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const { fn } = fakeFetch(() => Promise.reject(cause));
    const error = await rejection(bffFetch('/auth/session', {}, fn));
    expect(error.status).toBe(0);
    expect(error.code).toBeUndefined();
    expect(error.cause).toBe(cause);
  });

  it('rejects a 2xx answer that is not JSON', async () => {
    const { fn } = fakeFetch(() => new Response('<!doctype html>', { status: 200 }));
    expect(await rejection(bffFetch('/api/me', {}, fn))).toMatchObject({ status: 200, code: undefined });
  });

  it('lets a cancellation through untouched', async () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException('aborted', 'AbortError');
    const { fn } = fakeFetch(() => Promise.reject(abort));
    await expect(bffFetch('/api/me', { signal: controller.signal }, fn)).rejects.toBe(abort);
  });
});
