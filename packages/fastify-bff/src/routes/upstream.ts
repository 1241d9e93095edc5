import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { BffError, bffError } from '../errors.js';

/** Headers that belong to one connection, never forwarded (RFC 9110 7.6.1), plus what must not cross the BFF. */
const DROP_REQUEST = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'host', 'content-length', 'cookie', 'authorization', 'x-csrf',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'transfer-encoding', 'trailer', 'upgrade', 'set-cookie']);

export interface UpstreamOptions {
  /** Base URL; `/api/x` goes to `${base}/x`. */
  url: string;
  timeoutMs: number;
  /** Keep-alive connections to the upstream. Default 64. */
  connections?: number;
}

/**
 * Forwarding to the API: one keep-alive undici pool built once, header
 * filtering, the bearer token, streaming responses. The BFF's proxy route
 * and the benchmark's bare proxy both use exactly this.
 */
export class Upstream {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #timeoutMs: number;

  constructor(options: UpstreamOptions) {
    const url = new URL(options.url);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#pool = new Pool(url.origin, { connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** The upstream path for a `/api/...` URL; throws BAD_REQUEST for one that would climb out. */
  path(url: string): string {
    return upstreamPath(url, this.#basePath);
  }

  /** Sends the request on to `path` (from `path()`) with `Authorization: Bearer`. */
  async send(request: FastifyRequest, path: string, accessToken: string, body: Buffer | undefined): Promise<Dispatcher.ResponseData> {
    try {
      return await this.#pool.request({
        path,
        method: request.method as Dispatcher.HttpMethod,
        headers: forwardHeaders(request, accessToken, body),
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (err) {
      throw upstreamError(err);
    }
  }

  /** Streams the upstream's answer to the browser, minus hop-by-hop headers and cookies. */
  relay(reply: FastifyReply, response: Dispatcher.ResponseData): FastifyReply {
    reply.code(response.statusCode);
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || DROP_RESPONSE.has(name)) continue;
      reply.header(name, value);
    }
    return reply.send(response.body);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** The upstream path for `/api/rest`, refusing anything that could climb out of the upstream's base path. */
export function upstreamPath(url: string, basePath: string): string {
  const rest = url.slice('/api'.length);
  const queryAt = rest.indexOf('?');
  const pathname = queryAt === -1 ? rest : rest.slice(0, queryAt);
  for (const segment of pathname.split('/')) {
    if (!segment.includes('.') && !segment.includes('%') && !segment.includes('\\')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw bffError('BAD_REQUEST', 'The API path is not valid URL encoding.');
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) {
      throw bffError('BAD_REQUEST', 'The API path must not contain dot segments or encoded slashes.');
    }
  }
  return `${basePath}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

function forwardHeaders(request: FastifyRequest, accessToken: string, body: Buffer | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || DROP_REQUEST.has(name)) continue;
    headers[name] = value;
  }
  headers.authorization = `Bearer ${accessToken}`;
  if (body) headers['content-length'] = String(body.length);
  return headers;
}

/** Upstream failures: a timeout is 504, anything else that kept us from an answer 502. */
function upstreamError(err: unknown): BffError {
  const timedOut =
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError;
  return new BffError('UPSTREAM_UNAVAILABLE', timedOut ? 'The API did not answer in time.' : 'The API is not reachable right now.', {
    cause: err,
    statusCode: timedOut ? 504 : 502,
  });
}
