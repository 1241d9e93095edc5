import { isReauthCode } from '@bff/shared';
import { BffError, NETWORK_ERROR_STATUS } from '@bff/shared/client';

/**
 * One sentence about a failed request, for the place on screen it concerns,
 * e.g. `describeError(error, 'loading your notes')`. Switches on `code`,
 * never on the text of the answer.
 */
export function describeError(error: unknown, doing: string): string {
  const generic = `Something went wrong ${doing}.`;
  if (!(error instanceof BffError)) return generic;
  if (isReauthCode(error.code)) return 'Sign in again to continue.';
  switch (error.code) {
    case 'IDP_UNAVAILABLE':
    case 'SESSION_STORE_UNAVAILABLE':
      return 'Reconnecting... your session is kept. Try again in a moment.';
    case 'UPSTREAM_UNAVAILABLE':
      return `The service is unavailable right now (${doing}). Try again shortly.`;
    case 'RESOURCE_REFUSED':
      return `Your sign-in does not give access to this (${doing}).`;
    case 'RATE_LIMITED':
      return 'Too many requests. Wait a moment and try again.';
    case undefined:
      if (error.status === NETWORK_ERROR_STATUS) return 'The server could not be reached. Check your connection.';
      // an upstream API 4xx passed through: its own description is the best we have
      return error.status < 500 ? error.message : generic;
    default:
      return generic;
  }
}
