import { ROUTES, isSafeReturnTo } from '../http.js';

/** Where sign-in should bring the person back to: this page, path and query. */
export function currentReturnTo(location: Pick<Location, 'pathname' | 'search'> = window.location): string {
  const here = `${location.pathname}${location.search}`;
  return isSafeReturnTo(here) ? here : '/';
}

/** `/auth/login?returnTo=...`; an unsafe returnTo falls back to `/`. */
export function loginUrl(returnTo: string): string {
  const target = isSafeReturnTo(returnTo) ? returnTo : '/';
  return `${ROUTES.login}?${new URLSearchParams({ returnTo: target })}`;
}

/** Starts sign-in with a full-page navigation; the BFF brings us back here. */
export function signIn(): void {
  window.location.assign(loginUrl(currentReturnTo()));
}
