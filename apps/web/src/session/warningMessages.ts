import type { SessionEndsBy } from '@bff/shared';

/**
 * What the warning says after "Your session ends in 1:28", by the deadline
 * that ends the session (`sessionEndsBy`) and whether "Stay signed in" can
 * still move it. One sentence, so that the time is never repeated.
 */
export function warningReason(endsBy: SessionEndsBy, canExtend: boolean): string {
  if (canExtend) return endsBy === 'idle' ? ' because of inactivity.' : ' unless you stay signed in.';
  if (endsBy === 'absolute') return '. It has reached its maximum length, so you will need to sign in again.';
  return '. Your sign-in cannot be renewed, so you will need to sign in again.';
}

/**
 * The sentence screen readers hear: whole minutes, rounded up, so that it
 * changes at most once a minute while the time on screen ticks.
 */
export function warningAnnouncement(remainingMs: number, endsBy: SessionEndsBy, canExtend: boolean): string {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  const within = minutes === 1 ? 'within a minute' : `within ${minutes} minutes`;
  return `Your session ends ${within}${warningReason(endsBy, canExtend)}`;
}
