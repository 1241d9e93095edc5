import { isReauthCode, type ErrorCode, type ReauthCode } from '../errors.js';

/** Status used for a request that never got an HTTP answer (offline, BFF down, DNS). */
export const NETWORK_ERROR_STATUS = 0;

export interface BffErrorOptions {
  status: number;
  code?: ErrorCode | undefined;
  cause?: unknown;
}

/**
 * The one error every call to the BFF rejects with. `code` is set when the BFF
 * answered its own `{ error, code }` body; it is undefined for a network
 * failure (status 0) and for an upstream API error passed through as-is
 * (e.g. 400 `{ error: 'invalid_request', error_description }`).
 */
export class BffError extends Error {
  override readonly name = 'BffError';
  readonly status: number;
  readonly code: ErrorCode | undefined;

  constructor(message: string, options: BffErrorOptions) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
  }
}

/** The re-auth code carried by `error`, if only a person signing in again helps. */
export function reauthCodeOf(error: unknown): ReauthCode | undefined {
  return error instanceof BffError && isReauthCode(error.code) ? error.code : undefined;
}

/**
 * A failure that says nothing about the session and is worth waiting out:
 * the IdP or the session store is briefly down (the BFF keeps the session),
 * or the BFF itself could not be reached.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof BffError)) return false;
  return error.status === NETWORK_ERROR_STATUS || error.code === 'IDP_UNAVAILABLE' || error.code === 'SESSION_STORE_UNAVAILABLE';
}
