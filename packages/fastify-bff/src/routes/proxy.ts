import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { BffError } from '../errors.js';
import type { ActiveSession } from '../session/store.js';
import { isStreamed, readBody, type ProxyBody } from './requestBody.js';
import { Upstream } from './upstream.js';
import { asksForNonce } from '../oidc/dpop.js';
import type { OidcClient } from '../oidc/oidcClient.js';
import type { AccessTokenResult } from '../tokens/tokenManager.js';
import type { TokenTarget } from '../tokens/grant.js';
import type { ResolvedApi } from '../options.js';

/**
 * `/api/*` -> API_UPSTREAM (each of `apis`: its prefix -> its upstream) with the prefix removed, the access token added and
 * the browser's cookies stripped (README, "HTTP contract"; what crosses in
 * each direction: forwarding.ts). Request bodies up to proxyBodyLimit are
 * buffered so that the one replay after an upstream 401 can resend them;
 * larger ones stream, and cannot be replayed. Responses stream. The token is
 * checked when a request starts: a long answer (server-sent events) goes on
 * past its expiry.
 */
export async function proxyRoutes(app: FastifyInstance, { api }: { api: ResolvedApi }): Promise<void> {
  const { options, sessions, tokens, oidc } = app.bff;
  // an API with its own resource or scopes is proxied with its own token; the others with the session's main token
  const target: TokenTarget | undefined = api.tokenKey ? { key: api.tokenKey, resource: api.resource, scopes: api.scopes } : undefined;
  const upstream = new Upstream({
    url: api.upstream,
    publicUrl: options.publicUrl,
    prefix: app.prefix,
    headersTimeoutMs: options.upstreamTimeoutSeconds * 1000,
    idleTimeoutMs: options.upstreamIdleTimeoutSeconds * 1000,
  });
  app.addHook('onClose', async () => upstream.close());
  // a graceful close waits for the requests in flight, and an event stream never ends by itself: end them first
  // (EventSource reconnects, to a replica that is up)
  const eventStreams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const stream of eventStreams) stream.abort();
  });

  // the proxy forwards bytes, it does not interpret them
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => readBody(payload, options.proxyBodyLimit, done));

  app.all('/*', async (request, reply) => {
    const body = request.body as ProxyBody;
    const upload = isStreamed(body) ? body : undefined;
    let response: Dispatcher.ResponseData | undefined;
    try {
      const path = upstream.path(request.url);
      const session = await sessions.require(request, reply);
      const abort = abortWhenGone(reply);

      const send = (credentials: Bearer) => sendWithProof(upstream, oidc, request, path, credentials, body, abort.signal);

      let current = await bearer(session, false);
      response = await send(current);
      if (response.statusCode === 401) {
        // reactive: the upstream refused a token we thought valid; refresh once and replay once, never loop.
        // A streamed upload cannot be replayed (the bytes already sent are gone): stop sending the rest,
        // refresh all the same, and tell the browser to send it again
        if (upload) abort.abort();
        else await response.body.dump();
        current = await bearer(current.session, true);
        if (upload) {
          reply.header('retry-after', '0');
          throw new BffError(
            'UPSTREAM_UNAVAILABLE',
            'The API refused the access token during an upload too large to replay. The token is renewed: send the request again.',
            { statusCode: 503 },
          );
        }
        response = await send(current);
      }
      await sessions.extend(current.session, request.log);
      if (String(response.headers['content-type']).startsWith('text/event-stream')) {
        eventStreams.add(abort);
        reply.raw.once('close', () => eventStreams.delete(abort));
      }
      return upstream.relay(reply, response, path);
    } catch (err) {
      // nothing stays open: neither the browser's upload nor an answer of the API nobody will read
      upload?.discard();
      response?.body.destroy();
      throw err;
    }

    async function bearer(s: ActiveSession, force: boolean) {
      const result = await tokens.accessToken(s, { force, target });
      if (result.type === 'error') {
        if (result.ended) sessions.clearCookie(reply);
        throw result.error;
      }
      return result;
    }
  });
}

type Bearer = Extract<AccessTokenResult, { type: 'bearer' }>;

/**
 * One request to the API. With DPoP, a fresh proof each time (oidcClient.ts:
 * openid-client's handle signs it); a resource server that asks for a nonce
 * (401 `use_dpop_nonce` with `DPoP-Nonce`) gets it and one resend with a new
 * proof. That is the proof's retry, not the token's: it comes before the
 * refresh-once rule, and never twice. A streamed upload cannot be resent;
 * the nonce is kept for the next request.
 */
async function sendWithProof(
  upstream: Upstream,
  oidc: OidcClient,
  request: FastifyRequest,
  path: string,
  { accessToken, dpopKey }: Bearer,
  body: ProxyBody,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  if (!dpopKey) return upstream.send(request, path, { scheme: 'Bearer', token: accessToken }, body, signal);
  const htu = upstream.target(path);
  const attempt = async () =>
    upstream.send(
      request,
      path,
      { scheme: 'DPoP', token: accessToken, proof: await oidc.proof(dpopKey, htu, request.method, accessToken) },
      body,
      signal,
    );
  let response = await attempt();
  const nonce = response.headers['dpop-nonce'];
  if (typeof nonce !== 'string') return response;
  await oidc.rememberNonce(dpopKey, htu, nonce);
  if (response.statusCode === 401 && asksForNonce(response.headers['www-authenticate']) && !isStreamed(body)) {
    await response.body.dump();
    response = await attempt();
  }
  return response;
}

/** Aborted when the browser's connection closes before its answer was sent: the upstream request goes with it. */
function abortWhenGone(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller;
}
