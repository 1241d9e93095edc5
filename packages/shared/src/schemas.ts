/**
 * Runtime schemas of the wire types, for code that receives them from the
 * network (tests, other clients). Built on zod/mini so a browser bundle that
 * imports them stays small; the SPA's hot path uses the type guards in
 * errors.ts instead.
 */
import * as z from 'zod/mini';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import type { ErrorBody } from './errors.js';
import type { SessionInfo, RefreshResult, LogoutResult } from './session.js';
import { SESSION_ENDS_BY } from './sessionEnd.js';

const isoDate = z.iso.datetime({ offset: true });

export const errorCodeSchema = z.enum(ERROR_CODES as unknown as [ErrorCode, ...ErrorCode[]]);

export const errorBodySchema = z.object({
  error: z.string(),
  code: errorCodeSchema,
});

export const sessionUserSchema = z.object({
  sub: z.string().check(z.minLength(1)),
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  did: z.optional(z.string().check(z.regex(/^did:[a-z0-9]+:\S+$/))),
  handle: z.optional(z.string().check(z.minLength(1))),
});

export const sessionInfoSchema = z.discriminatedUnion('authenticated', [
  z.object({
    authenticated: z.literal(true),
    user: sessionUserSchema,
    accessTokenExpiresAt: isoDate,
    sessionExpiresAt: isoDate,
    sessionEndsBy: z.enum(SESSION_ENDS_BY),
    refreshTokenExpiresAt: z.optional(isoDate),
    logoutUrl: z.string(),
    serverTime: isoDate,
  }),
  z.object({
    authenticated: z.literal(false),
    reason: z.optional(errorCodeSchema),
    serverTime: z.optional(isoDate),
  }),
]);

export const refreshResultSchema = z.object({
  success: z.literal(true),
  session: z.union([
    z.strictObject({ sub: z.string(), name: z.string(), expiresAt: isoDate }),
    z.strictObject({ did: z.string(), handle: z.string(), expiresAt: isoDate }),
  ]),
  message: z.string(),
});

export const logoutResultSchema = z.object({
  endSessionUrl: z.nullable(z.string()),
});

// The schemas and the hand-written interfaces must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const assertSame = <T extends true>(_: T) => undefined;
assertSame<Same<z.infer<typeof errorBodySchema>, ErrorBody>>(true);
assertSame<Same<z.infer<typeof refreshResultSchema>, RefreshResult>>(true);
assertSame<Same<z.infer<typeof logoutResultSchema>, LogoutResult>>(true);
assertSame<Same<z.infer<typeof sessionInfoSchema>, SessionInfo>>(true);
