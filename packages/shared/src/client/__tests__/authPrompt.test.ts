import { describe, expect, it } from 'vitest';
import { createAuthPromptStore } from '../authPrompt.js';

describe('the auth prompt store', () => {
  it('opens the re-login prompt once and notifies subscribers', () => {
    const store = createAuthPromptStore();
    let calls = 0;
    store.subscribe(() => calls++);
    expect(store.openRelogin('TOKEN_REVOKED')).toBe(true);
    expect(store.openRelogin('TOKEN_REVOKED')).toBe(false);
    expect(store.get()).toEqual({ kind: 'relogin', code: 'TOKEN_REVOKED' });
    expect(calls).toBe(1);
  });

  it('keeps the first reason but lets a specific one replace UNAUTHENTICATED', () => {
    const store = createAuthPromptStore();
    store.openRelogin('UNAUTHENTICATED');
    store.openRelogin('SESSION_EXPIRED');
    expect(store.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });
    store.openRelogin('INVALID_GRANT');
    expect(store.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });
  });

  it('never asks to sign in again after signing out on purpose', () => {
    const store = createAuthPromptStore();
    store.markSignedOut('elsewhere');
    expect(store.openRelogin('UNAUTHENTICATED')).toBe(false);
    expect(store.get()).toEqual({ kind: 'signed-out', where: 'elsewhere' });
  });

  it('closes the re-login prompt only when it is open (another tab signed in again)', () => {
    const store = createAuthPromptStore();
    expect(store.closeRelogin()).toBe(false);
    store.openRelogin('SESSION_EXPIRED');
    expect(store.closeRelogin()).toBe(true);
    expect(store.get()).toEqual({ kind: 'none' });
    store.markSignedOut('here');
    expect(store.closeRelogin()).toBe(false);
    expect(store.get()).toEqual({ kind: 'signed-out', where: 'here' });
  });
});
