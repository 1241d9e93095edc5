import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { BffError } from '../errors.js';
import type { ActiveSession } from '../session/store.js';
import { isStreamed, readBody, type ProxyBody } from './requestBody.js';
import { Upstream } from './upstream.js';

/**
 * `/api/*` -> API_UPSTREAM with the prefix removed, the access token added and
 * the browser's cookies stripped (README, "HTTP contract"; what crosses in
 * each direction: forwarding.ts). Request bodies up to proxyBodyLimit are
 * buffered so that the one replay after an upstream 401 can resend them;
 * larger ones stream, and cannot be replayed. Responses stream. The token is
 * checked when a request starts: a long answer (server-sent events) goes on
 * past its expiry.
 */
export async function proxyRoutes(app: FastifyInstance): Promise<void> {
  const { options, sessions, tokens } = app.bff;
  const upstream = new Upstream({
    url: options.apiUpstream,
    publicUrl: options.publicUrl,
    prefix: app.prefix,
    headersTimeoutMs: options.upstreamTimeoutSeconds * 1000,
    idleTimeoutMs: options.upstreamIdleTimeoutSeconds * 1000,
  });
  app.addHook('onClose', async () => upstream.close());
  // a graceful close waits for the requests in flight, and an event stream never ends by itself: end them first
  // (EventSource reconnects, to a replica that is up)
  const eventStreams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const stream of eventStreams) stream.abort();
  });

  // the proxy forwards bytes, it does not interpret them
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => readBody(payload, options.proxyBodyLimit, done));

  app.all('/*', async (request, reply) => {
    const body = request.body as ProxyBody;
    const upload = isStreamed(body) ? body : undefined;
    let response: Dispatcher.ResponseData | undefined;
    try {
      const path = upstream.path(request.url);
      const session = await sessions.require(request, reply);
      const abort = abortWhenGone(reply);

      let current = await bearer(session, false);
      response = await upstream.send(request, path, current.accessToken, body, abort.signal);
      if (response.statusCode === 401) {
        // reactive: the upstream refused a token we thought valid; refresh once and replay once, never loop.
        // A streamed upload cannot be replayed (the bytes already sent are gone): stop sending the rest,
        // refresh all the same, and tell the browser to send it again
        if (upload) abort.abort();
        else await response.body.dump();
        current = await bearer(current.session, true);
        if (upload) {
          reply.header('retry-after', '0');
          throw new BffError(
            'UPSTREAM_UNAVAILABLE',
            'The API refused the access token during an upload too large to replay. The token is renewed: send the request again.',
            { statusCode: 503 },
          );
        }
        response = await upstream.send(request, path, current.accessToken, body, abort.signal);
      }
      await sessions.extend(current.session, request.log);
      if (String(response.headers['content-type']).startsWith('text/event-stream')) {
        eventStreams.add(abort);
        reply.raw.once('close', () => eventStreams.delete(abort));
      }
      return upstream.relay(reply, response, path);
    } catch (err) {
      // nothing stays open: neither the browser's upload nor an answer of the API nobody will read
      upload?.discard();
      response?.body.destroy();
      throw err;
    }

    async function bearer(s: ActiveSession, force: boolean) {
      const result = await tokens.accessToken(s, { force });
      if (result.type === 'error') {
        if (result.ended) sessions.clearCookie(reply);
        throw result.error;
      }
      return result;
    }
  });
}

/** Aborted when the browser's connection closes before its answer was sent: the upstream request goes with it. */
function abortWhenGone(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller;
}
