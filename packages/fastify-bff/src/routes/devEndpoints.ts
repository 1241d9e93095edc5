import type { FastifyInstance } from 'fastify';
import { ENDED_GRACE_MS } from '../session/sessions.js';

/**
 * Dev-only test routes (`devEndpoints: true`, BFF_DEV_ENDPOINTS=1; refused
 * in production): make the caller's next request meet an expired access
 * token or an ended session, so e2e suites need not wait for real TTLs.
 */
export async function devEndpoints(app: FastifyInstance): Promise<void> {
  // test tools change the record behind the session's back, on purpose: they use the store itself
  const { sessions, options } = app.bff;
  const { store } = sessions;

  // the next request refreshes for real at the IdP
  app.post('/__test/expire-access-token', async (request, reply) => {
    const session = await sessions.require(request, reply);
    const tokens = { ...session.tokens, accessTokenExpiresAt: options.clock() - 1_000 };
    const updated = await store.updateTokens(session.id, session.version, tokens, sessions.ttlMs(session, options.clock()));
    return reply.code(updated ? 204 : 409).send();
  });

  // the next request meets SESSION_EXPIRED, as after the idle or absolute timeout
  app.post('/__test/expire-session', async (request, reply) => {
    const session = await sessions.require(request, reply);
    await store.end(session.id, 'SESSION_EXPIRED', options.clock(), ENDED_GRACE_MS);
    return reply.code(204).send();
  });
}
