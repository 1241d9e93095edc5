import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { BffError, bffError } from '../errors.js';
import { requestHeaders, responseHeaders, rewriteLocation, type Credentials, type ForwardingContext } from './forwarding.js';
import { isStreamed, type ProxyBody } from './requestBody.js';

export interface UpstreamOptions {
  /** Base URL; `/api/x` goes to `${base}/x`. */
  url: string;
  /** The BFF's public URL: what X-Forwarded-Proto and X-Forwarded-Host say. */
  publicUrl: string;
  /** Where the API is mounted on the BFF. Default `/api`. */
  prefix?: string;
  /** How long the API may take to start its answer (the response headers). */
  headersTimeoutMs: number;
  /** How long the API may stay silent between two chunks of its answer's body. */
  idleTimeoutMs: number;
  /** Keep-alive connections to the upstream. Default 64. */
  connections?: number;
}

/**
 * Forwarding to the API: one keep-alive undici pool built once, the header
 * policy (forwarding.ts), the bearer token, streaming both ways. The BFF's
 * proxy route and the benchmark's bare proxy both use exactly this.
 */
export class Upstream {
  readonly #pool: Pool;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #prefix: string;
  readonly #forwarding: ForwardingContext;
  readonly #headersTimeoutMs: number;
  readonly #idleTimeoutMs: number;

  constructor(options: UpstreamOptions) {
    const url = new URL(options.url);
    const publicUrl = new URL(options.publicUrl);
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#prefix = options.prefix ?? '/api';
    this.#forwarding = { proto: publicUrl.protocol.slice(0, -1), host: publicUrl.host, prefix: this.#prefix };
    this.#headersTimeoutMs = options.headersTimeoutMs;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#pool = new Pool(url.origin, { connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** The upstream path for a `/api/...` URL; throws BAD_REQUEST for one that would climb out. */
  path(url: string): string {
    return upstreamPath(url, this.#basePath, this.#prefix);
  }

  /** The absolute URL of an upstream `path` without its query: a DPoP proof's `htu`. */
  target(path: string): URL {
    const queryAt = path.indexOf('?');
    return new URL(queryAt === -1 ? path : path.slice(0, queryAt), this.#origin);
  }

  /**
   * Sends the request on to `path` (from `path()`) with the credentials
   * (`Authorization: Bearer`, or `DPoP` with its proof).
   * `signal` aborts it: the browser went away, or the proxy gave up on it.
   */
  async send(
    request: FastifyRequest,
    path: string,
    credentials: Credentials,
    body: ProxyBody,
    signal?: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    const sent = isStreamed(body) || body?.length ? body : undefined;
    try {
      return await this.#pool.request({
        path,
        method: request.method as Dispatcher.HttpMethod,
        headers: requestHeaders(request, credentials, this.#forwarding, sent),
        body: isStreamed(sent) ? sent.stream : sent,
        headersTimeout: this.#headersTimeoutMs,
        bodyTimeout: this.#idleTimeoutMs,
        signal,
      });
    } catch (err) {
      if (signal?.aborted) {
        // nobody is left to answer: nginx logs this as 499, so do we
        throw new BffError('BAD_REQUEST', 'The client closed the request before the API answered.', { cause: err, statusCode: 499 });
      }
      throw upstreamError(err);
    }
  }

  /** Streams the upstream's answer to the browser under the header policy (forwarding.ts), its own Location mapped to ours. */
  relay(reply: FastifyReply, response: Dispatcher.ResponseData, path: string): FastifyReply {
    const headers = responseHeaders(response.headers);
    if (typeof headers.location === 'string') {
      headers.location = rewriteLocation(headers.location, new URL(path, this.#origin), this.#basePath, this.#prefix);
    }
    return reply.code(response.statusCode).headers(headers).send(response.body);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** The upstream path for `/api/rest`, refusing anything that could climb out of the upstream's base path. */
export function upstreamPath(url: string, basePath: string, prefix = '/api'): string {
  const rest = url.slice(prefix.length);
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
