import type { Context, Middleware } from 'koa';
import type { ClientAuthCounts } from './clientAuthCounter.js';
import type { Counters } from './counters.js';
import { parseJsonObject, readBody } from './readBody.js';

/**
 * Test endpoints for development only (mounted only when enabled): JSON in and out,
 * no authentication, so they must never be reachable outside a developer's loopback.
 */
export const DEV_PREFIX = '/__test';

export interface DevActions {
  counters(): Counters;
  clientAuthCounts(): ClientAuthCounts;
  resetCounters(): void;
  revokeUser(sub: string): Promise<number>;
  backchannelLogout(sub: string): Promise<number>;
}

export function devEndpoints(actions: DevActions): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(`${DEV_PREFIX}/`)) return next();
    ctx.set('cache-control', 'no-store');
    const route = `${ctx.method} ${ctx.path.slice(DEV_PREFIX.length)}`;
    switch (route) {
      case 'GET /counters':
        return json(ctx, 200, actions.counters());
      case 'GET /client-auth':
        return json(ctx, 200, actions.clientAuthCounts());
      case 'POST /counters/reset':
        actions.resetCounters();
        ctx.status = 204;
        return undefined;
      case 'POST /revoke': {
        const sub = await subOf(ctx);
        if (sub === undefined) return badRequest(ctx);
        return json(ctx, 200, { revoked: await actions.revokeUser(sub) });
      }
      case 'POST /backchannel-logout': {
        const sub = await subOf(ctx);
        if (sub === undefined) return badRequest(ctx);
        return json(ctx, 200, { sent: await actions.backchannelLogout(sub) });
      }
      default:
        return json(ctx, 404, { error: 'not_found', error_description: `no dev endpoint ${route}` });
    }
  };
}

/** `sub` from a JSON body `{ "sub": "alice" }` or the query `?sub=alice` (a login name or, under seed-000, the DID). */
async function subOf(ctx: Context): Promise<string | undefined> {
  const fromQuery = ctx.query['sub'];
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  const body = parseJsonObject(await readBody(ctx.req));
  const sub = body?.['sub'];
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}

function badRequest(ctx: Context): void {
  json(ctx, 400, { error: 'invalid_request', error_description: 'a "sub" is required, as JSON {"sub":"alice"} or ?sub=alice' });
}

function json(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = 'json';
  ctx.body = body;
}
