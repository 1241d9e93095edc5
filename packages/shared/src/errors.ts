/**
 * The closed union of error codes the BFF answers with, each with its HTTP
 * status (README, "HTTP contract"). The SPA switches on `code`,
 * never on the human sentence in `error`.
 */
export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  EXPIRED_TOKEN: 401,
  TOKEN_REVOKED: 401,
  INVALID_GRANT: 401,
  CSRF_REQUIRED: 403,
  SIGN_IN_REFUSED: 403,
  RESOURCE_REFUSED: 403,
  IDP_UNAVAILABLE: 503,
  SESSION_STORE_UNAVAILABLE: 503,
  UPSTREAM_UNAVAILABLE: 502,
  CLIENT_AUTH_FAILED: 502,
  RATE_LIMITED: 429,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.freeze(Object.keys(ERROR_STATUS)) as readonly ErrorCode[];

/** Codes after which only a person signing in again helps. */
export const REAUTH_CODES = Object.freeze([
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'EXPIRED_TOKEN',
  'TOKEN_REVOKED',
  'INVALID_GRANT',
] as const satisfies readonly ErrorCode[]);

export type ReauthCode = (typeof REAUTH_CODES)[number];

/** Every error the BFF answers itself has this body. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

export function isReauthCode(value: unknown): value is ReauthCode {
  return typeof value === 'string' && (REAUTH_CODES as readonly string[]).includes(value);
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.error === 'string' && isErrorCode(body.code);
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
