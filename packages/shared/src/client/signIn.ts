import { isSafeReturnTo } from '../http.js';
import { DEFAULT_BFF_PATHS, type BffPaths } from './paths.js';

/** Where sign-in should bring the person back to: this page, path and query. */
export function currentReturnTo(location: Pick<Location, 'pathname' | 'search'> = window.location): string {
  const here = `${location.pathname}${location.search}`;
  return isSafeReturnTo(here) ? here : '/';
}

/** `/auth/login?returnTo=...`; an unsafe returnTo falls back to `/`. */
export function loginUrl(returnTo: string, paths: BffPaths = DEFAULT_BFF_PATHS): string {
  const target = isSafeReturnTo(returnTo) ? returnTo : '/';
  return `${paths.login}?${new URLSearchParams({ returnTo: target })}`;
}

/** Starts sign-in with a full-page navigation; the BFF brings us back here. */
export function signIn({ paths = DEFAULT_BFF_PATHS }: { paths?: BffPaths } = {}): void {
  window.location.assign(loginUrl(currentReturnTo(), paths));
}
