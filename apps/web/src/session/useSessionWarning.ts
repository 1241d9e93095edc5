import { canStaySignedIn } from '@bff/shared';
import type { SessionExpiry } from '@bff/shared/client';
import { useSessionExpiry } from '@bff/shared/react';
import { useSessionWarningState } from './sessionWarningState';

export interface SessionWarning {
  expiry: SessionExpiry;
  /** The warning is on screen: the end is near, not yet here, and not dismissed. */
  visible: boolean;
  /** "Stay signed in" may move the end (shared/sessionEnd.ts), and has not failed to. */
  canExtend: boolean;
}

/** Where the session's end stands, for the warning, the header's countdown and the announcer; null when signed out. */
export function useSessionWarning(): SessionWarning | null {
  const expiry = useSessionExpiry();
  const { dismissedFor, fixedEnd } = useSessionWarningState();
  if (expiry === null) return null;
  return {
    expiry,
    visible: expiry.warning && !expiry.expired && dismissedFor !== expiry.expiresAt,
    canExtend: canStaySignedIn(expiry.endsBy) && fixedEnd !== expiry.expiresAt,
  };
}
