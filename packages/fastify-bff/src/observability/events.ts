import type { ErrorCode, SessionUser } from '@bff/shared';

/** Why a session ended: a code the SPA hears, or the person signing out. */
export type EndReason = ErrorCode | 'SIGNED_OUT';

/**
 * What happens inside the BFF, as one closed union: the token manager and
 * the routes report here, and metrics, audit lines and integrators' hooks
 * read from here. Events carry no token, code, cookie or session id: `session`
 * is a short id (six characters) for correlating lines, nothing more.
 */
export type BffEvent =
  | {
      type: 'refresh.grant';
      outcome: 'ok' | 'refused' | 'unavailable' | 'resourceRefused';
      code?: ErrorCode;
      seconds: number;
      late: boolean;
      rotated?: boolean;
      session: string;
      sub: string;
    }
  | { type: 'refresh.joined' }
  | { type: 'refresh.lockWait'; seconds: number }
  | { type: 'refresh.outlived'; session: string }
  | { type: 'refresh.reuseSuspected'; session: string; sub: string; code: ErrorCode }
  | { type: 'session.started'; session: string; user: SessionUser; replaced: boolean }
  | { type: 'session.ended'; session: string; sub?: string | undefined; reason: EndReason }
  | { type: 'backchannel.logout'; ended: number; by: 'sid' | 'sub' }
  | { type: 'signIn.refused'; sub: string; reason: string }
  | { type: 'store.op'; op: string; seconds: number; ok: boolean }
  | { type: 'api.response'; seconds: number; status: number }
  | { type: 'csrf.refused'; method: string; route: string }
  | { type: 'rateLimited'; route: string };

export type EventSink = (event: BffEvent) => void;

/** Several sinks as one; a sink that throws is reported and never stops the others or the request. */
export function fanOut(sinks: EventSink[], onError: (err: unknown, event: BffEvent) => void): EventSink {
  return (event) => {
    for (const sink of sinks) {
      try {
        sink(event);
      } catch (err) {
        onError(err, event);
      }
    }
  };
}
