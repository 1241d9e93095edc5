import type { FastifyInstance } from 'fastify';
import { requireCsrfHeader } from './csrf.js';
import { isWithin } from './paths.js';
import { toBffError } from './errorHandler.js';
import type { EventSink } from './observability/events.js';
import type { Sessions } from './session/sessions.js';
import type { ActiveSession } from './session/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** On the host's own routes under the API path (`apiPath`, default `/api`): the session the request carries (the plugin refused the request without one). */
    bffSession: ActiveSession | null;
  }
}

/**
 * The host app's own routes under an API path (`apiPath` or each of `apis`, as mounted, e.g.
 * `GET /api/users` next to the proxy's `/api/*`) get the same enforcement as
 * the proxy, whenever they were registered: `X-CSRF: 1` first, then a session; refused with the same
 * `{ error, code }` body. The handler finds the session as
 * `request.bffSession`, and an access token with `app.bff.tokens.accessToken`.
 */
export function protectHostApiRoutes(app: FastifyInstance, sessions: Sessions, events: EventSink, apiPaths: readonly string[]): void {
  app.decorateRequest('bffSession', null);
  const proxies = new Set(apiPaths.map((apiPath) => `${apiPath}/*`));
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !apiPaths.some((apiPath) => isWithin(route, apiPath))) return;
    if (proxies.has(route)) return; // the proxy's own routes guard themselves
    try {
      await requireCsrfHeader(request);
      request.bffSession = await sessions.require(request, reply);
    } catch (err) {
      const error = toBffError(err);
      if (error.code === 'CSRF_REQUIRED') events({ type: 'csrf.refused', method: request.method, route });
      return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toBody());
    }
  });
}
