import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Browser } from '@bff/fastify-bff/testing';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  // any: test helper reading arbitrary JSON bodies
  body: any;
}

/**
 * One request through node:http, which sends headers exactly as given
 * (fetch refuses Connection, Keep-Alive, TE and folds repeated names), as the
 * browser whose session cookie and X-CSRF it carries.
 */
export function send(
  browser: Browser | undefined,
  url: string,
  init: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | Readable; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const headers: OutgoingHttpHeaders = { 'x-csrf': '1', ...init.headers };
  if (browser) headers.cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method ?? 'GET', headers, signal: init.signal, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    if (init.body === undefined) request.end();
    else if (Buffer.isBuffer(init.body)) request.end(init.body);
    else init.body.pipe(request);
  });
}

/** Polls `read` one call at a time until `done` says so or `timeoutMs` passes; the last value. (expect.poll can leave a request open.) */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
