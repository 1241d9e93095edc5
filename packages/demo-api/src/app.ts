import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { createAuthenticator } from './auth.js';
import { DpopVerifier } from './dpop.js';
import { createKeyResolver } from './keys.js';
import { NoteStore } from './notes.js';
import { resolveApiOptions, type ApiOptions } from './options.js';
import { echoRoutes } from './routes/echo.js';
import { meRoutes } from './routes/me.js';
import { notesRoutes } from './routes/notes.js';

/** A note is at most 500 characters: 16 KiB leaves room for JSON escaping and nothing else. */
const BODY_LIMIT_BYTES = 16 * 1024;

export interface Api {
  app: FastifyInstance;
  /** Requests received since the start or the last `resetHits()`, whatever their outcome; `/healthz` probes excluded. */
  hits(): number;
  resetHits(): void;
}

/** Fixed sentences for the 4xx errors Fastify raises before our handlers run; nothing of the request is echoed. */
const FASTIFY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: `the request body is larger than ${BODY_LIMIT_BYTES} bytes`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'the request body must be application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the request body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'the request body is not valid JSON',
};

export function createApi(options: ApiOptions): Api {
  const config = resolveApiOptions(options);
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // a note's text must be a JSON string, not a number coerced into one
    ajv: { customOptions: { coerceTypes: false } },
    logger: config.logger && {
      serializers: {
        // the path only: a query string could carry a token (RFC 6750 section 2.3)
        req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
      },
    },
  });

  let hits = 0;
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url !== '/healthz') hits += 1;
  });

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ error: 'invalid_request', error_description: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const description = FASTIFY_ERRORS[error.code] ?? 'the request is malformed';
      return reply.code(status).send({ error: 'invalid_request', error_description: description });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'server_error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));

  app.get('/healthz', async () => ({ status: 'ok' }));

  const authenticate = createAuthenticator(
    config,
    createKeyResolver(config.issuer, config.jwksUri),
    new DpopVerifier({ requireNonce: config.dpopNonce }),
  );
  const store = new NoteStore();
  app.register(async (protectedRoutes) => {
    protectedRoutes.addHook('onRequest', authenticate);
    // per-user data: no shared cache may keep it
    protectedRoutes.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    await protectedRoutes.register(meRoutes);
    await protectedRoutes.register(notesRoutes, { store });
    await protectedRoutes.register(echoRoutes);
  });

  return {
    app,
    hits: () => hits,
    resetHits: () => {
      hits = 0;
    },
  };
}

/** The API without a listener, for `inject` tests. */
export function buildApi(options: ApiOptions): FastifyInstance {
  return createApi(options).app;
}
