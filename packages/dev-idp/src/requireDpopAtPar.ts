import type { Middleware } from 'koa';

export const DPOP_REQUIRED_AT_PAR = 'a DPoP proof is required at the pushed authorization request endpoint';

/**
 * AT Protocol authorization servers (seed-000) take a pushed authorization
 * request only with a DPoP proof, which binds the code to the client's key
 * from the start. oidc-provider checks a proof that is there (and asks for
 * its nonce) but does not require one at PAR: this refuses the request
 * without one, before oidc-provider sees it, as `invalid_dpop_proof`.
 */
export function requireDpopAtPar(parPath: string): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === parPath && ctx.get('dpop') === '') {
      ctx.status = 400;
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: 'invalid_dpop_proof', error_description: DPOP_REQUIRED_AT_PAR };
      return;
    }
    await next();
  };
}
