import type { FastifyInstance } from 'fastify';
import type { HealthResult } from '@bff/shared';

/** Liveness answers while the process runs; readiness asks the session store and the IdP's discovery. */
export async function healthRoutes(app: FastifyInstance, paths: { live: string; ready: string }): Promise<void> {
  app.get(paths.live, async (): Promise<HealthResult> => ({ status: 'ok' }));

  app.get(paths.ready, async (_request, reply): Promise<HealthResult> => {
    const [store, idp] = await Promise.all([
      app.bff.store.ping().then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
      app.bff.oidc.configuration().then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
    ]);
    const ready = store === 'ok' && idp === 'ok';
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', checks: { store, idp } };
  });
}
