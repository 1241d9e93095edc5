import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { bff, type ServerConfig } from '@bff/fastify-bff';
import { securityHeaders } from './securityHeaders.js';
import { serveSpa } from './spa.js';

export interface ServerOptions {
  config: ServerConfig;
  /** The directory of the built SPA (its index.html and assets/). */
  webRoot: string;
  /** false for silence; a logger instance; default: pino with redaction. */
  logger?: false | FastifyBaseLogger;
  /** Where the default logger writes (tests capture every line with one). */
  logStream?: NodeJS.WritableStream;
  /** Fastify's two lines per request; default true. The demo turns them off to show the BFF's own events. */
  /** Fastify's request/response lines. Default: only at LOG_LEVEL=debug or trace. */
  requestLogging?: boolean;
}

/** Log lines carry method and path: never a query string (the callback's code), cookie or token. */
export const loggerOptions = {
  redact: {
    paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.accessToken', '*.refreshToken', '*.idToken'],
    censor: '[redacted]',
  },
  serializers: {
    req(request: { method: string; url: string; ip?: string }) {
      return { method: request.method, path: request.url.split('?')[0], ip: request.ip };
    },
  },
};

/** The BFF server: the plugin, the SPA on the same origin, security headers. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const common = {
    trustProxy: options.config.trustProxy,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // Fastify's two lines per request cost a large share of proxy throughput at info (pnpm bench, lines 5 and 6):
    // they are written only when asked for, or at LOG_LEVEL=debug; sign-ins, refreshes, ends and
    // refusals are logged as events (audit lines) either way
    logController: new LogController({
      disableRequestLogging: !(options.requestLogging ?? ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? 'info')),
    }),
  };
  const app: FastifyInstance =
    options.logger === undefined || options.logger === false
      ? Fastify({
          ...common,
          logger:
            options.logger === false
              ? false
              : { ...loggerOptions, level: process.env.LOG_LEVEL ?? 'info', ...(options.logStream ? { stream: options.logStream } : {}) },
        })
      : (Fastify({ ...common, loggerInstance: options.logger }) as unknown as FastifyInstance);
  securityHeaders(app, { https: options.config.bff.publicUrl.startsWith('https://') });
  await app.register(bff, options.config.bff);
  await serveSpa(app, options.webRoot);
  return app;
}
