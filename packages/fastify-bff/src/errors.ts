import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@bff/shared';

/**
 * The one error class of the BFF. `code` is from the closed union in
 * @bff/shared; `expose` decides whether the client sees `message` (only for
 * statuses below 500, as in Fastify's own errors); `cause` keeps the
 * lower-level failure for the log.
 */
export class BffError extends Error {
  override readonly name = 'BffError';
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly expose: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options?.statusCode ?? ERROR_STATUS[code];
    this.expose =
      this.statusCode < 500 ||
      code === 'IDP_UNAVAILABLE' ||
      code === 'UPSTREAM_UNAVAILABLE' ||
      code === 'SESSION_STORE_UNAVAILABLE' ||
      code === 'CLIENT_AUTH_FAILED';
  }

  toBody(): ErrorBody {
    return { error: this.expose ? this.message : 'Something went wrong on our side.', code: this.code };
  }
}

/** Human sentences for each code, used where the BFF has nothing more specific to say. */
export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'You are not signed in.',
  SESSION_EXPIRED: 'Your session has ended. Please sign in again.',
  EXPIRED_TOKEN: 'Your sign-in has expired. Please sign in again.',
  TOKEN_REVOKED: 'You were signed out elsewhere. Please sign in again.',
  INVALID_GRANT: 'Your sign-in is no longer valid. Please sign in again.',
  CSRF_REQUIRED: 'This request needs the X-CSRF: 1 header.',
  SIGN_IN_REFUSED: 'This sign-in was refused.',
  RESOURCE_REFUSED: 'Your sign-in does not give access to this API. Your session is kept.',
  IDP_UNAVAILABLE: 'The sign-in service is not reachable right now. Your session is kept; retry shortly.',
  SESSION_STORE_UNAVAILABLE: 'The session store is not reachable right now. Retry shortly.',
  UPSTREAM_UNAVAILABLE: 'The API is not reachable right now.',
  CLIENT_AUTH_FAILED:
    "The sign-in service did not accept this application's credentials. This is a configuration problem on our side; please try again later.",
  RATE_LIMITED: 'Too many requests. Retry shortly.',
  BAD_REQUEST: 'The request is malformed.',
  NOT_FOUND: 'There is no such route.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  INTERNAL: 'Something went wrong on our side.',
};

export function bffError(code: ErrorCode, message = DEFAULT_MESSAGES[code], cause?: unknown): BffError {
  return new BffError(code, message, { cause });
}
