import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { GrantCounters } from './counters.js';

/**
 * Requests at the endpoints where a client authenticates, by endpoint and by
 * how it authenticated, served or refused: what a test reads to know that a
 * client pushed its authorization request (PAR) and signed a client assertion
 * (`private_key_jwt`) rather than sending a secret.
 * `{ pushed_authorization_request: { private_key_jwt: { served: 1, refused: 0 } } }`
 */
export type ClientAuthCounts = Record<string, Record<string, GrantCounters>>;

// oidc-provider's default routes (configuration.ts does not move them)
const ENDPOINTS: Readonly<Record<string, string>> = {
  '/token': 'token',
  '/request': 'pushed_authorization_request',
  '/token/revocation': 'revocation',
};

export class ClientAuthCounter {
  #counts: ClientAuthCounts = {};

  middleware(): Middleware {
    return async (ctx, next) => {
      await next();
      const endpoint = ENDPOINTS[ctx.path];
      if (ctx.method !== 'POST' || endpoint === undefined) return;
      const method = authMethodOf(ctx as unknown as KoaContextWithOIDC);
      const counts = ((this.#counts[endpoint] ??= {})[method] ??= { served: 0, refused: 0 });
      if (ctx.status < 400) counts.served += 1;
      else counts.refused += 1;
    };
  }

  snapshot(): ClientAuthCounts {
    return structuredClone(this.#counts);
  }

  reset(): void {
    this.#counts = {};
  }
}

/** How the request authenticated the client, read from the request itself. */
function authMethodOf(ctx: KoaContextWithOIDC): string {
  const body = (ctx.oidc as { body?: Record<string, unknown> } | undefined)?.body ?? {};
  const assertion = body['client_assertion'];
  if (typeof assertion === 'string') return /^HS/.test(assertionAlg(assertion)) ? 'client_secret_jwt' : 'private_key_jwt';
  if (/^basic /i.test(ctx.get('authorization'))) return 'client_secret_basic';
  if (typeof body['client_secret'] === 'string') return 'client_secret_post';
  return 'none';
}

function assertionAlg(assertion: string): string {
  try {
    const header = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : '';
  } catch {
    return '';
  }
}
