import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ResolvedBffOptions } from '../options.js';
import type { BffMetrics } from './metrics.js';

/**
 * `/metrics` in Prometheus text, never on the public origin without
 * protection: on a listener of its own (METRICS_PORT, loopback by default),
 * or on the app behind a bearer token.
 */
export async function serveMetrics(
  app: FastifyInstance,
  metrics: BffMetrics,
  where: Exclude<ResolvedBffOptions['metrics'], false>,
  /** On the app (`bearerToken`): the mount prefix to serve `/metrics` under. */
  prefix = '',
): Promise<void> {
  if ('bearerToken' in where) {
    const expected = Buffer.from(`Bearer ${where.bearerToken}`);
    app.get(`${prefix}/metrics`, async (request, reply) => {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'The metrics need a bearer token.', code: 'UNAUTHENTICATED' });
      }
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text());
    });
    return;
  }
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text()));
  app.addHook('onReady', async () => {
    await server.listen({ port: where.port, host: where.host });
    app.log.info({ url: `http://${where.host}:${(server.server.address() as { port: number }).port}/metrics` }, 'metrics listening');
  });
  app.addHook('onClose', async () => server.close());
  app.decorate('bffMetricsServer', server);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics listener (with `metrics: { port }`), e.g. to read its port in tests. */
    bffMetricsServer?: FastifyInstance;
  }
}
