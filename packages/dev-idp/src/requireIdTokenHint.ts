import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderError } from './providerPages.js';

export const ID_TOKEN_HINT_REQUIRED =
  'id_token_hint is required: this provider ends a login session only for the client that shows the ID token it was issued';

/**
 * The `strict-logout` profile: RP-initiated logout without `id_token_hint` is
 * refused with 400 `invalid_request`, and the login session stays (some
 * providers answer so; others answer an empty 200, or ask the user to
 * confirm, as Keycloak 18+ does). It runs after oidc-provider's end_session
 * route, which has parsed the request (query or form alike) and refused a bad
 * hint itself; that route ends nothing yet: the session ends at the confirm
 * step that the page answered here never offers.
 */
export function requireIdTokenHint(): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as Partial<KoaContextWithOIDC>;
    if (oidc?.route !== 'end_session' || ctx.status >= 400 || typeof oidc.params?.['id_token_hint'] === 'string') return;
    ctx.status = 400;
    await renderError(ctx as unknown as KoaContextWithOIDC, { error: 'invalid_request', error_description: ID_TOKEN_HINT_REQUIRED });
  };
}
