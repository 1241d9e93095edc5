import type { ReauthCode } from '@bff/shared';

export interface ReauthMessage {
  title: string;
  detail: string;
}

/** What the person reads when the session is over, by the BFF's code (README, error table). */
export const REAUTH_MESSAGES: Record<ReauthCode, ReauthMessage> = {
  SESSION_EXPIRED: {
    title: 'Your session has ended',
    detail: 'You were signed out after a period of inactivity or because the session reached its maximum length.',
  },
  EXPIRED_TOKEN: {
    title: 'Your session has expired',
    detail: 'Your sign-in is too old to be renewed.',
  },
  TOKEN_REVOKED: {
    title: 'You were signed out elsewhere',
    detail: 'Your access was revoked, for example by signing out on another device or tab.',
  },
  INVALID_GRANT: {
    title: 'Please sign in again',
    detail: 'Your sign-in could not be renewed.',
  },
  UNAUTHENTICATED: {
    title: 'Please sign in again',
    detail: 'You are no longer signed in.',
  },
};

export const COME_BACK_HERE = 'Sign in again to continue where you left off.';
