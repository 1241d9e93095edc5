/**
 * The paths the plugin serves, as the browser sees them (docs/architecture.md,
 * "Mount paths"). The plugin is wrapped in fastify-plugin, so Fastify does not
 * apply a register `prefix` to it: the plugin reads it and joins it itself.
 */

/** Defaults of `authPath` and `apiPath`. */
export const DEFAULT_AUTH_PATH = '/auth';
export const DEFAULT_API_PATH = '/api';

/** A path without its trailing slashes, with one leading slash; `''` for the root (`''`, `/`, undefined). */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** `path` under the mount prefix: `mountedPath('/bff', '/auth')` is `/bff/auth`. */
export function mountedPath(mountPrefix: string, path: string): string {
  return `${normalizePrefix(mountPrefix)}${path}`;
}

/** Whether `path` is `base` or lies under it (`/api`, `/api/x`; not `/apix`). */
export function isWithin(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

/**
 * The prefix to register routes with inside `contextPrefix` (a Fastify
 * instance's `prefix`, which Fastify adds itself) so that they end up at the
 * full `path`.
 */
export function prefixWithin(contextPrefix: string, path: string): string {
  return path.slice(normalizePrefix(contextPrefix).length);
}
