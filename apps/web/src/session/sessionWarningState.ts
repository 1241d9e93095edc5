import { useSyncExternalStore } from 'react';

/** What the person did about the warning, per session end (`expiresAt`): read by the warning, the header's countdown and the announcer. */
export interface SessionWarningState {
  /** "Dismiss" was pressed for this end: a later, different end warns again. */
  dismissedFor: string | null;
  /** "Stay signed in" did not move this end (an IdP that keeps the refresh token's expiry): no longer offered for it. */
  fixedEnd: string | null;
}

let state: SessionWarningState = { dismissedFor: null, fixedEnd: null };
const listeners = new Set<() => void>();

function set(next: Partial<SessionWarningState>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const sessionWarningState = {
  get: (): SessionWarningState => state,
  dismiss: (expiresAt: string) => set({ dismissedFor: expiresAt }),
  markFixed: (expiresAt: string) => set({ fixedEnd: expiresAt }),
};

export function useSessionWarningState(): SessionWarningState {
  return useSyncExternalStore(subscribe, sessionWarningState.get);
}
