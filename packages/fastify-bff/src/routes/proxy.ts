import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { BffError, bffError } from '../errors.js';
import type { ActiveSession } from '../session/store.js';

/** Headers that belong to one connection, never forwarded (RFC 9110 7.6.1), plus what must not cross the BFF. */
const DROP_REQUEST = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'host', 'content-length', 'cookie', 'authorization', 'x-csrf',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'transfer-encoding', 'trailer', 'upgrade', 'set-cookie']);

/**
 * `/api/*` -> API_UPSTREAM with the prefix removed, the access token added and
 * the browser's cookies stripped (DESIGN.md). One keep-alive pool to the
 * upstream; request bodies are buffered (up to proxyBodyLimit) so that the
 * one replay after an upstream 401 can resend them; responses stream.
 */
export async function proxyRoutes(app: FastifyInstance): Promise<void> {
  const { options, sessions, tokens } = app.bff;
  const upstream = new URL(options.apiUpstream);
  const basePath = upstream.pathname.replace(/\/+$/, '');
  const timeoutMs = options.upstreamTimeoutSeconds * 1000;
  const pool = new Pool(upstream.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  app.addHook('onClose', async () => pool.close());

  // the proxy forwards bytes, it does not interpret them
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.proxyBodyLimit }, (_request, body, done) => done(null, body));

  app.all('/*', async (request, reply) => {
    const path = upstreamPath(request.url, basePath);
    const session = await sessions.require(request, reply);
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;

    let current = await bearer(session, false);
    let response = await send(current.accessToken);
    if (response.statusCode === 401) {
      // reactive: the upstream refused a token we thought valid; refresh once and replay once, never loop
      await response.body.dump();
      current = await bearer(current.session, true);
      response = await send(current.accessToken);
    }
    await sessions.touch(current.session, reply);
    return relay(reply, response);

    async function bearer(s: ActiveSession, force: boolean) {
      const result = await tokens.accessToken(s, { force });
      if (result.type === 'error') {
        if (result.ended) sessions.clearCookie(reply);
        throw result.error;
      }
      return result;
    }

    async function send(accessToken: string): Promise<Dispatcher.ResponseData> {
      try {
        return await pool.request({
          path,
          method: request.method as Dispatcher.HttpMethod,
          headers: forwardHeaders(request, accessToken, body),
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        throw upstreamError(err);
      }
    }
  });
}

/** The upstream path for `/api/rest`, refusing anything that could climb out of the upstream's base path. */
export function upstreamPath(url: string, basePath: string): string {
  const rest = url.slice('/api'.length);
  const queryAt = rest.indexOf('?');
  const pathname = queryAt === -1 ? rest : rest.slice(0, queryAt);
  for (const segment of pathname.split('/')) {
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

function relay(reply: FastifyReply, response: Dispatcher.ResponseData): FastifyReply {
  reply.code(response.statusCode);
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || DROP_RESPONSE.has(name)) continue;
    reply.header(name, value);
  }
  return reply.send(response.body);
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
