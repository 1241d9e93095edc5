import { useSyncExternalStore } from 'react';

/**
 * A router small enough to read in one go: the URL is the state, pushState
 * changes it, popstate (back/forward) and our own navigations notify.
 */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const getPathname = () => window.location.pathname;

/** The current pathname; re-renders on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname);
}

export function navigate(to: string): void {
  if (to === `${window.location.pathname}${window.location.search}`) return;
  window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}
