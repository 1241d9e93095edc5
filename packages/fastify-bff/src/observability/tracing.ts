import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/**
 * Spans through @opentelemetry/api only: the library brings no SDK. A host
 * app that registered one sees `bff.refresh`, `bff.proxy` and `bff.callback`;
 * without one, the API hands out non-recording spans that cost next to nothing.
 */
export const tracer = trace.getTracer('@bff/fastify-bff');

/** Runs `work` in an active span named `name`, ending it with the outcome. */
export async function inSpan<T>(name: string, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A `bff.proxy` span around every `/api/*` request of this Fastify context. */
export function tracedProxy(api: FastifyInstance): void {
  const spans = new WeakMap<object, Span>();
  api.addHook('onRequest', async (request) => {
    spans.set(request, tracer.startSpan('bff.proxy', { attributes: { 'http.request.method': request.method } }));
  });
  api.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
