import type { RequestListener } from 'node:http';
import type { Middleware } from 'koa';
import { pathOf, refuse } from './jsonTokenRequests.js';
import { BodyTooLarge, readBody, withBody } from './readBody.js';

export const AUTHORIZATION_PATH = '/auth';
export const PAR_PATH = '/request';

/**
 * oidc-provider keeps `offline_access` (and so issues a refresh token) only when the
 * authorization request's `prompt` includes `consent`. Our clients are first-party
 * and consent is granted without a screen, so an authorization request asking for
 * `offline_access` gets `consent` added to its prompt (unless it is `prompt=none`,
 * which must stand alone) and keeps its refresh token, as with Google's
 * `prompt=consent` but invisible to the user. A GET to the authorization
 * endpoint is amended here; a pushed one (RFC 9126) by `keepOfflineAccessPushed`.
 */
export function keepOfflineAccess(): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === AUTHORIZATION_PATH) {
      const { scope, prompt } = ctx.query;
      if (typeof scope === 'string' && (prompt === undefined || typeof prompt === 'string')) {
        const amended = promptKeepingOffline(scope, prompt);
        if (amended !== undefined) ctx.query = { ...ctx.query, prompt: amended };
      }
    }
    return next();
  };
}

/** The same for pushed authorization requests: their parameters arrive as a form body, which oidc-provider stores as it is. */
export function keepOfflineAccessPushed(next: RequestListener): RequestListener {
  return (req, res) => {
    const form = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
    if (req.method !== 'POST' || pathOf(req) !== PAR_PATH || !form) {
      next(req, res);
      return;
    }
    readBody(req)
      .then((body) => {
        const params = new URLSearchParams(body.toString('utf8'));
        const amended = promptKeepingOffline(params.get('scope') ?? '', params.get('prompt') ?? undefined);
        if (amended !== undefined) params.set('prompt', amended);
        next(withBody(req, 'application/x-www-form-urlencoded', Buffer.from(params.toString(), 'utf8')), res);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) refuse(res, err instanceof BodyTooLarge ? 413 : 400, 'failed to read the request body');
        else res.destroy();
      });
  };
}

/** The prompt with `consent` added when `offline_access` is asked for, or undefined to leave it. */
function promptKeepingOffline(scope: string, prompt: string | undefined): string | undefined {
  const prompts = prompt?.split(' ').filter(Boolean) ?? [];
  if (!scope.split(' ').includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return undefined;
  return [...prompts, 'consent'].join(' ');
}
