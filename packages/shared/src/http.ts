/** The anti-forgery header every `/api/*` call and non-GET `/auth/*` call must carry. */
export const CSRF_HEADER = 'x-csrf';
export const CSRF_VALUE = '1';

/** The BFF's own routes (README, "HTTP contract"). */
export const ROUTES = {
  login: '/auth/login',
  callback: '/auth/callback',
  session: '/auth/session',
  refresh: '/auth/refresh',
  logout: '/auth/logout',
  backchannelLogout: '/auth/backchannel-logout',
  /** the BFF's public client keys (private_key_jwt), when it has any */
  jwks: '/auth/jwks.json',
  api: '/api',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/**
 * A `returnTo` is safe when it is a same-origin relative path: it starts with a
 * single `/`, is not protocol-relative (`//host`, `/\host`), and carries no
 * control characters. Used by the BFF to refuse and by the SPA to build links.
 */
export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return false;
  if (!value.startsWith('/')) return false;
  if (value.startsWith('//') || value.startsWith('/\\')) return false;
  // control characters (CR, LF, tab, NUL ...) and backslashes anywhere
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return false;
  }
  // encoded variants of the same tricks: %2F%2Fevil, %5Cevil, %0d%0a
  if (decoded.startsWith('//') || decoded.startsWith('/\\')) return false;
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) return false;
  return true;
}
