import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userOf } from '../auth.js';

/**
 * What a proxy in front of this API sends and how it copes with long
 * answers, for test suites (the BFF's proxy tests). Behind the same
 * authentication as every other route; nothing of the token is echoed.
 *
 * - `ANY /echo[/...]`: what arrived: method, URL, every header as sent
 *   (repeats kept), the body's size and SHA-256 (read as a stream: any size).
 * - `GET /echo/respond?status=&location=&header=name:value`: answers with that
 *   status, Location and headers.
 * - `GET /echo/events?count=&intervalMs=`: server-sent events, one per interval.
 * - `GET /echo/slow?ms=`: answers after `ms`.
 * - `GET /echo/open`: how many other /echo requests are still open here.
 */
export async function echoRoutes(app: FastifyInstance): Promise<void> {
  let open = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/echo/open') return;
    open += 1;
    reply.raw.once('close', () => {
      open -= 1;
    });
  });

  // any body, any type, any size: counted and hashed as it streams, never held
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => {
    const hash = createHash('sha256');
    let bytes = 0;
    payload.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    payload.on('end', () => done(null, { bytes, sha256: hash.digest('hex') }));
    payload.on('error', done);
  });

  const echo = async (request: FastifyRequest) => ({
    sub: userOf(request).sub,
    method: request.method,
    url: request.url,
    headers: headersAsSent(request.raw.rawHeaders),
    body: request.body ?? null,
  });
  app.all('/echo', echo);
  app.all('/echo/*', echo);

  app.get<{ Querystring: { status?: string; location?: string; header?: string | string[] } }>('/echo/respond', async (request, reply) => {
    const { status = '200', location, header = [] } = request.query;
    if (location !== undefined) reply.header('location', location);
    for (const line of [header].flat()) {
      const at = line.indexOf(':');
      if (at > 0) reply.header(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
    return reply.code(Number(status)).send({ status: Number(status) });
  });

  app.get<{ Querystring: { count?: string; intervalMs?: string } }>('/echo/events', async (request, reply) => {
    const count = Number(request.query.count ?? 5);
    const intervalMs = Number(request.query.intervalMs ?? 100);
    const stream = new PassThrough();
    let sent = 0;
    const tick = () => {
      stream.write(`id: ${sent}\ndata: ${JSON.stringify({ n: sent, at: Date.now() })}\n\n`);
      sent += 1;
      if (sent >= count) stream.end();
    };
    const timer = setInterval(tick, intervalMs);
    stream.once('close', () => clearInterval(timer));
    reply.raw.once('close', () => stream.destroy());
    tick();
    return reply.type('text/event-stream').header('cache-control', 'no-store').send(stream);
  });

  app.get<{ Querystring: { ms?: string } }>('/echo/slow', async (request, reply) => {
    const ms = Number(request.query.ms ?? 1000);
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    await sleep(ms, undefined, { signal: gone.signal }).catch(() => undefined);
    return { waitedMs: ms };
  });

  app.get('/echo/open', async () => ({ open }));
}

/** Header names lowercased, in arrival order; a name sent twice keeps both values. The token is not echoed. */
function headersAsSent(raw: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = name === 'authorization' ? raw[i + 1]!.replace(/ .*/, ' [redacted]') : raw[i + 1]!;
    const seen = headers[name];
    headers[name] = seen === undefined ? value : [seen, value].flat();
  }
  return headers;
}
