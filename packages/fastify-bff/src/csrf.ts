import type { FastifyRequest } from 'fastify';
import { CSRF_HEADER, CSRF_VALUE } from '@bff/shared';
import { bffError } from './errors.js';

/**
 * A custom header forces a CORS preflight for any cross-site request, which
 * the BFF never grants: so a request carrying `X-CSRF: 1` exactly comes from
 * our own origin. Runs in onRequest, before the session is looked at.
 */
export async function requireCsrfHeader(request: FastifyRequest): Promise<void> {
  if (request.headers[CSRF_HEADER] !== CSRF_VALUE) {
    throw bffError('CSRF_REQUIRED');
  }
}

/** /auth/* (`authPath`, mounted): every non-GET call, except the IdP's server-to-server back-channel logout. */
export function authNeedsCsrf(request: FastifyRequest, authPath: string): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return false;
  return request.routeOptions.url !== `${authPath}/backchannel-logout`;
}
