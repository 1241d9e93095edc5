import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { BffError } from './errors.js';
import type { FastifyInstance, RegisterOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ConfigError, resolveOptions } from './config.js';
import { protectHostApiRoutes } from './hostRoutes.js';
import { authNeedsCsrf, requireCsrfHeader } from './csrf.js';
import { TokenCipher } from './crypto/tokenCipher.js';
import { handleError, notFound } from './errorHandler.js';
import { OidcClient } from './oidc/oidcClient.js';
import type { BffOptions } from './options.js';
import { prefixWithin } from './paths.js';
import { authRoutes, renderAuthError } from './routes/auth.js';
import { devEndpoints } from './routes/devEndpoints.js';
import { healthRoutes } from './routes/health.js';
import { jwksRoute } from './routes/jwks.js';
import { proxyRoutes } from './routes/proxy.js';
import type { BffRuntime } from './runtime.js';
import { auditLog } from './observability/audit.js';
import { fanOut } from './observability/events.js';
import { hookSink } from './observability/hooks.js';
import { instrumented } from './observability/instrument.js';
import { BffMetrics } from './observability/metrics.js';
import { serveMetrics } from './observability/serveMetrics.js';
import { tracedProxy } from './observability/tracing.js';
import { createStore } from './session/createStore.js';
import { MemorySessionStore } from './session/memoryStore.js';
import { registerSessionLayer, sessionCookieName } from './session/sessionLayer.js';
import { ENDED_GRACE_MS, Sessions } from './session/sessions.js';
import { TokenManager } from './tokens/tokenManager.js';

/**
 * The BFF as one Fastify plugin: `app.register(bff, options)`. It adds
 * `/auth/*` (login, callback, session, refresh, logout, back-channel logout),
 * `/api/*` (the proxy) and `/healthz` + `/readyz`, each with its own error
 * and not-found handling, and leaves the rest of the app alone. All of them
 * move under the register `prefix`, and `authPath` / `apiPath` rename the
 * first two (docs/architecture.md, "Mount paths").
 */
async function bffPlugin(app: FastifyInstance, rawOptions: BffOptions & Pick<RegisterOptions, 'prefix'>): Promise<void> {
  // 1. check options, apply defaults. fastify-plugin makes Fastify skip `prefix`: the paths come back joined with it
  const options = resolveOptions(rawOptions, app.prefix);
  // what to register under in this context, whose own prefix Fastify adds
  const local = (path: string) => prefixWithin(app.prefix, path);

  // 2. build the parts once
  const cipher = new TokenCipher(options.tokenEncryptionKeys);
  if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
  const layer = await registerSessionLayer(app, {
    secrets: options.sessionSecrets,
    secureCookies: options.secureCookies,
    cookieName: options.cookieName,
    // the cookie outlives every deadline the record enforces: the record decides, and a tombstone can still say why
    cookieMaxAgeMs: options.sessionAbsoluteTimeout * 1000 + ENDED_GRACE_MS,
  });
  const created = await createStore(options);
  const metrics = options.metrics
    ? new BffMetrics(
        created.store instanceof MemorySessionStore ? { activeSessions: () => (created.store as MemorySessionStore).size } : {},
      )
    : undefined;
  const events = fanOut(
    [auditLog(app.log), ...(metrics ? [metrics.sink] : []), hookSink(options.hooks, app.log.child({ component: 'hooks' }))],
    (err, event) => app.log.warn({ err, event: event.type }, 'an event sink failed'),
  );
  // timed only when someone reads the times: off, the hot path pays nothing
  const store = metrics ? instrumented(created.store, 'store', events) : created.store;
  const coordinator = metrics ? instrumented(created.coordinator, 'coordinator', events) : created.coordinator;
  const sessions = new Sessions(
    options,
    store,
    layer.own && layer.signer ? { cookieName: sessionCookieName(options), signer: layer.signer } : undefined,
    events,
  );
  const oidc = new OidcClient(options);
  const tokens = new TokenManager({
    store,
    coordinator,
    cipher,
    refreshGrant: (refreshToken, context) => oidc.refresh(refreshToken, context),
    clock: options.clock,
    refreshSkewSeconds: options.refreshSkewSeconds,
    idpTimeoutMs: options.idpTimeoutSeconds * 1000,
    grantTimeoutMs: options.refreshGrantTimeoutSeconds * 1000,
    sessionTtlMs: (session, now) => sessions.ttlMs(session, now),
    keepIdToken: options.logoutIdTokenHint,
    tombstoneTtlMs: ENDED_GRACE_MS,
    log: app.log.child({ component: 'token-manager' }),
    events,
  });

  // 3. decorate
  const runtime: BffRuntime = { options, store, coordinator, sessions, tokens, oidc, cipher, events, metrics };
  app.decorate('bff', runtime);
  if (metrics && options.metrics) await serveMetrics(app, metrics, options.metrics, local(options.mountPrefix));
  app.addHook('onClose', async () => {
    // late grants settle and held pairs get their last attempts before the store goes
    await tokens.close();
    await coordinator.close();
    await store.close();
  });
  // warm discovery up, without failing the start when the IdP is not up yet
  app.addHook('onReady', async () => {
    oidc
      .configuration()
      .catch((err: unknown) =>
        app.log.warn({ issuer: options.issuer, err: (err as Error).message }, 'IdP discovery failed; retrying on demand'),
      );
  });

  // 4. routes, each concern in its own encapsulated context
  await app.register(
    async (auth) => {
      auth.setErrorHandler(handleError(renderAuthError(options.authPath), events));
      // the auth routes take no text; back-channel logout tokens arrive form-encoded (OIDC Back-Channel Logout 1.0, 2.5)
      auth.removeContentTypeParser('text/plain');
      auth.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 64 * 1024 },
        (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        },
      );
      auth.setNotFoundHandler(notFound);
      auth.addHook('onRequest', async (request, reply) => {
        reply.header('cache-control', 'no-store');
        if (authNeedsCsrf(request, options.authPath)) await requireCsrfHeader(request);
      });
      if (options.rateLimit) {
        await auth.register(fastifyRateLimit, {
          global: false,
          errorResponseBuilder: (_request, context) => new BffError('RATE_LIMITED', `Too many requests; retry in ${context.after}.`),
        });
      }
      await auth.register(authRoutes);
      await auth.register(jwksRoute);
      if (options.devEndpoints) await auth.register(devEndpoints);
    },
    { prefix: local(options.authPath) },
  );
  // one context per upstream API (`apis`, or the one of API_UPSTREAM), each under its prefix
  for (const upstreamApi of options.apis) {
    await app.register(
      async (api) => {
        api.setErrorHandler(handleError(undefined, events));
        tracedProxy(api);
        if (metrics) {
          api.addHook('onResponse', async (_request, reply) => {
            events({ type: 'api.response', seconds: reply.elapsedTime / 1000, status: reply.statusCode });
          });
        }
        api.setNotFoundHandler(notFound);
        api.addHook('onRequest', requireCsrfHeader);
        await api.register(proxyRoutes, { api: upstreamApi });
      },
      { prefix: local(upstreamApi.prefix) },
    );
  }
  if (options.healthRoutes) {
    const { live, ready } = options.healthRoutes;
    for (const url of [live, ready]) {
      if (app.hasRoute({ method: 'GET', url })) {
        throw new ConfigError([
          `healthRoutes: the app already has GET ${url}; give other paths ({ live, ready }) or false to leave health to the app`,
        ]);
      }
    }
    await app.register(async (health) => {
      health.setErrorHandler(handleError());
      await health.register(healthRoutes, { live: local(live), ready: local(ready) });
    });
  }
  protectHostApiRoutes(
    app,
    sessions,
    events,
    options.apis.map((api) => api.prefix),
  );
}

export const bff = fp(bffPlugin, {
  name: '@bff/fastify-bff',
  fastify: '5.x',
});

export default bff;
