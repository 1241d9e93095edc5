import type { FastifyInstance } from 'fastify';
import type { ActiveSession } from '../session/store.js';
import { Upstream } from './upstream.js';

/**
 * `/api/*` -> API_UPSTREAM with the prefix removed, the access token added and
 * the browser's cookies stripped (README, "HTTP contract"). Request bodies are buffered (up
 * to proxyBodyLimit) so that the one replay after an upstream 401 can resend
 * them; responses stream.
 */
export async function proxyRoutes(app: FastifyInstance): Promise<void> {
  const { options, sessions, tokens } = app.bff;
  const upstream = new Upstream({ url: options.apiUpstream, timeoutMs: options.upstreamTimeoutSeconds * 1000 });
  app.addHook('onClose', async () => upstream.close());

  // the proxy forwards bytes, it does not interpret them
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.proxyBodyLimit }, (_request, body, done) => done(null, body));

  app.all('/*', async (request, reply) => {
    const path = upstream.path(request.url);
    const session = await sessions.require(request, reply);
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;

    let current = await bearer(session, false);
    let response = await upstream.send(request, path, current.accessToken, body);
    if (response.statusCode === 401) {
      // reactive: the upstream refused a token we thought valid; refresh once and replay once, never loop
      await response.body.dump();
      current = await bearer(current.session, true);
      response = await upstream.send(request, path, current.accessToken, body);
    }
    await sessions.extend(current.session, request.log);
    return upstream.relay(reply, response);

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
