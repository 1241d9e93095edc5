import type { ReauthCode } from '../errors.js';

/** What the app must tell the person about their sign-in, beyond the data on screen. */
export type AuthPrompt =
  | { kind: 'none' }
  /** A re-auth code arrived: the re-login dialog is open with this reason. */
  | { kind: 'relogin'; code: ReauthCode }
  /** Signed out on purpose, in this tab or another one. */
  | { kind: 'signed-out'; where: 'here' | 'elsewhere' };

export interface AuthPromptStore {
  get(): AuthPrompt;
  subscribe(listener: () => void): () => void;
  /** Opens the re-login prompt; true only when it was closed before (the caller then tells other tabs). */
  openRelogin(code: ReauthCode): boolean;
  /** Closes the re-login prompt: the person signed in again in another tab. True when it was open. */
  closeRelogin(): boolean;
  markSignedOut(where: 'here' | 'elsewhere'): void;
}

/**
 * A tiny external store (read with useSyncExternalStore). The re-login
 * prompt closes by leaving the page (signing in again is a full-page
 * navigation), or when another tab has signed in again.
 */
export function createAuthPromptStore(): AuthPromptStore {
  let state: AuthPrompt = { kind: 'none' };
  const listeners = new Set<() => void>();
  const set = (next: AuthPrompt) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    openRelogin(code) {
      if (state.kind === 'signed-out') return false;
      if (state.kind === 'relogin') {
        // keep the first reason, unless a more specific one replaces the generic one
        if (state.code === 'UNAUTHENTICATED' && code !== 'UNAUTHENTICATED') set({ kind: 'relogin', code });
        return false;
      }
      set({ kind: 'relogin', code });
      return true;
    },
    closeRelogin() {
      if (state.kind !== 'relogin') return false;
      set({ kind: 'none' });
      return true;
    },
    markSignedOut(where) {
      if (state.kind === 'signed-out') return;
      set({ kind: 'signed-out', where });
    },
  };
}
