/**
 * Where to go after POST /auth/logout: the IdP's end-session URL when there is
 * one (it signs out there and comes back to `/`), else home. Only http(s) URLs
 * are followed; anything else (javascript:, garbage) means home.
 */
export function logoutDestination(endSessionUrl: string | null, origin: string): string {
  if (endSessionUrl === null) return '/';
  try {
    const url = new URL(endSessionUrl, origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '/';
  } catch {
    return '/';
  }
}
