import { isErrorBody } from '../errors.js';
import { CSRF_HEADER, CSRF_VALUE } from '../http.js';
import { BffError, NETWORK_ERROR_STATUS } from './BffError.js';

export interface BffRequestInit extends Omit<RequestInit, 'body' | 'credentials'> {
  /** Sent as a JSON body with `Content-Type: application/json`. */
  json?: unknown;
}

/**
 * Calls the BFF on the same origin and resolves with the parsed JSON body
 * (undefined for an empty answer such as 204). Every call carries `X-CSRF: 1`:
 * the BFF requires it on all `/api/*` and non-GET `/auth/*` calls, and it is
 * harmless elsewhere. Anything but a 2xx rejects with a BffError.
 */
export async function bffFetch<T>(
  path: string,
  init: BffRequestInit = {},
  fetchFn: typeof fetch = (input, options) => fetch(input, options),
): Promise<T> {
  const { json, headers: extraHeaders, ...rest } = init;
  const headers = new Headers(extraHeaders);
  headers.set(CSRF_HEADER, CSRF_VALUE);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (json !== undefined) headers.set('content-type', 'application/json');

  let response: Response;
  try {
    response = await fetchFn(path, {
      ...rest,
      headers,
      credentials: 'same-origin',
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
  } catch (cause) {
    // A cancelled query is TanStack Query's business, not an error to show.
    if (init.signal?.aborted) throw cause;
    throw new BffError('The server could not be reached.', { status: NETWORK_ERROR_STATUS, cause });
  }

  const body = await readBody(response);
  if (!response.ok) throw errorFrom(response.status, body);
  if (body === INVALID_JSON) {
    throw new BffError('The server sent an answer this app cannot read.', { status: response.status });
  }
  return body as T;
}

const INVALID_JSON = Symbol('invalid JSON');

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** Turns a non-2xx answer and its parsed body into a BffError. */
export function errorFrom(status: number, body: unknown): BffError {
  if (isErrorBody(body)) return new BffError(body.error, { status, code: body.code });
  // An upstream API error passed through unchanged: OAuth-style or plain `{ error }`.
  if (typeof body === 'object' && body !== null) {
    const { error, error_description: description } = body as Record<string, unknown>;
    if (typeof description === 'string' && description !== '') return new BffError(description, { status });
    if (typeof error === 'string' && error !== '') return new BffError(error, { status });
  }
  return new BffError(`The request failed with status ${status}.`, { status });
}
