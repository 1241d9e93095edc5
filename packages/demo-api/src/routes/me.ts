import type { FastifyInstance } from 'fastify';
import type { Me } from '@bff/shared';
import { userOf } from '../auth.js';

/** GET /me: who the access token says the caller is. */
export async function meRoutes(app: FastifyInstance): Promise<void> {
  app.get('/me', async (request): Promise<Me> => userOf(request));
}
