import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BffError, bffError } from './errors.js';
import type { EventSink } from './observability/events.js';
import { StoreUnavailableError } from './session/store.js';

/** Fastify's own error codes, translated to ours. */
const FASTIFY_CODES: Record<string, BffError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
};

/**
 * Whatever was thrown, as a BffError: known codes pass, a session store that
 * cannot be reached is SESSION_STORE_UNAVAILABLE on every path (this is the
 * one place that says so), Fastify's codes are translated, the rest is INTERNAL.
 */
export function toBffError(error: unknown): BffError {
  if (error instanceof BffError) return error;
  if (error instanceof StoreUnavailableError) return bffError('SESSION_STORE_UNAVAILABLE', undefined, error);
  const fastifyError = error as Partial<FastifyError>;
  const code = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (code) return bffError(code, code === 'PAYLOAD_TOO_LARGE' ? undefined : fastifyError.message, error);
  if (fastifyError.statusCode === 413) return bffError('PAYLOAD_TOO_LARGE', undefined, error);
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return bffError('BAD_REQUEST', undefined, error);
  }
  return bffError('INTERNAL', undefined, error);
}

/**
 * Every error the BFF answers itself is `{ error, code }`. What a client
 * sees is decided by `expose`; 5xx details go to the log only.
 */
export function handleError(render?: (error: BffError, request: FastifyRequest, reply: FastifyReply) => boolean, events?: EventSink) {
  return function bffErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const bff = toBffError(error);
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    if (bff.code === 'CSRF_REQUIRED') events?.({ type: 'csrf.refused', method: request.method, route });
    if (bff.code === 'RATE_LIMITED') events?.({ type: 'rateLimited', route });
    if (bff.statusCode >= 500) {
      request.log.error({ err: bff.cause ?? bff, code: bff.code }, bff.message);
    } else {
      request.log.info({ code: bff.code, reason: bff.message }, 'request refused');
    }
    if (render?.(bff, request, reply)) return reply;
    return reply.code(bff.statusCode).type('application/json; charset=utf-8').send(bff.toBody());
  };
}

export function notFound(request: FastifyRequest, reply: FastifyReply) {
  const error = bffError('NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}.`);
  return reply.code(404).send(error.toBody());
}
