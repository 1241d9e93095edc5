import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFound } from '@bff/fastify-bff';

/**
 * Serves the built SPA from one origin with the BFF: hashed assets cached
 * for a year, index.html never cached, and every other GET navigation
 * answered with index.html so client-side routes survive a reload.
 */
export async function serveSpa(app: FastifyInstance, root: string): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      setHeaders(res, path) {
        res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const navigation = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (!navigation) return notFound(request, reply);
    if (!built) {
      return reply.code(503).type('text/plain').send('The SPA is not built yet: run `pnpm --filter @bff/web build` (pnpm start does it).');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
