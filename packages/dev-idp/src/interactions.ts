import type { Context, Middleware } from 'koa';
import type { Interaction } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { authenticate, type SubjectKind } from './accounts.js';
import { INVALID_CREDENTIALS, loginPage, messagePage } from './loginPage.js';
import { readBody } from './readBody.js';

/**
 * Our own interaction pages (devInteractions is off): the login form for the
 * `login` prompt, and an automatic grant for the `consent` prompt because every
 * registered client is first-party: there is no consent screen.
 */
const ROUTE = /^\/interaction\/([\w-]+)(\/login)?$/;

export function interactions(provider: Provider, subjects: SubjectKind): Middleware {
  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path);
    if (match === null) return next();
    const [, uid, login] = match;
    ctx.set('cache-control', 'no-store');

    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) return expired(ctx);
      throw err;
    }
    if (interaction.uid !== uid) return expired(ctx);

    const action = `/interaction/${encodeURIComponent(interaction.uid)}/login`;
    if (ctx.method === 'GET' && login === undefined) {
      if (interaction.prompt.name === 'login') {
        const hint = interaction.params['login_hint'];
        return html(ctx, 200, loginPage({ action, username: typeof hint === 'string' ? hint : undefined }));
      }
      if (interaction.prompt.name === 'consent') {
        const grantId = await grantRequested(provider, interaction);
        return finish(ctx, await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }));
      }
      return html(ctx, 400, messagePage('Unsupported request', `This provider cannot handle the "${interaction.prompt.name}" prompt.`));
    }
    if (ctx.method === 'POST' && login !== undefined && interaction.prompt.name === 'login') {
      const form = new URLSearchParams((await readBody(ctx.req)).toString('utf8'));
      const username = form.get('username') ?? '';
      const accountId = authenticate(username, form.get('password') ?? '', subjects);
      // 200, not 401: a browser logs a 401 page load as a console error
      if (accountId === undefined) return html(ctx, 200, loginPage({ action, username, error: INVALID_CREDENTIALS }));
      return finish(ctx, await provider.interactionResult(ctx.req, ctx.res, { login: { accountId } }, { mergeWithLastSubmission: false }));
    }
    ctx.status = 405;
    ctx.body = '';
    return undefined;
  };
}

/** Grants everything the authorization request asked for (scopes, claims, resource scopes). */
async function grantRequested(provider: Provider, interaction: Interaction): Promise<string> {
  const { details } = interaction.prompt;
  const existing = interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
  const grant =
    existing ??
    new provider.Grant({
      accountId: interaction.session?.accountId,
      clientId: String(interaction.params['client_id']),
    });
  const scopes = strings(details['missingOIDCScope']);
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
  const claims = strings(details['missingOIDCClaims']);
  if (claims.length > 0) grant.addOIDCClaims(claims);
  const resourceScopes = details['missingResourceScopes'];
  if (typeof resourceScopes === 'object' && resourceScopes !== null) {
    for (const [indicator, scope] of Object.entries(resourceScopes)) grant.addResourceScope(indicator, strings(scope).join(' '));
  }
  return grant.save();
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function finish(ctx: Context, returnTo: string): void {
  ctx.status = 303;
  ctx.redirect(returnTo);
}

function html(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = body;
}

function expired(ctx: Context): void {
  html(ctx, 400, messagePage('Sign-in expired', 'This sign-in request has expired or is unknown. Start again from the application.'));
}
