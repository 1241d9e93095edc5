import type { Middleware } from 'koa';

export const AUTHORIZATION_PATH = '/auth';

/**
 * oidc-provider keeps `offline_access` (and so issues a refresh token) only when the
 * authorization request's `prompt` includes `consent`. Our clients are first-party
 * and consent is granted without a screen, so a GET authorization request asking for
 * `offline_access` gets `consent` added to its prompt (unless it is `prompt=none`,
 * which must stand alone) and keeps its refresh token, as with Google's
 * `prompt=consent` but invisible to the user.
 */
export function keepOfflineAccess(): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === AUTHORIZATION_PATH) {
      const { scope, prompt } = ctx.query;
      const prompts = typeof prompt === 'string' ? prompt.split(' ').filter(Boolean) : [];
      const offline = typeof scope === 'string' && scope.split(' ').includes('offline_access');
      if (offline && (prompt === undefined || typeof prompt === 'string') && !prompts.includes('consent') && !prompts.includes('none')) {
        ctx.query = { ...ctx.query, prompt: [...prompts, 'consent'].join(' ') };
      }
    }
    return next();
  };
}
