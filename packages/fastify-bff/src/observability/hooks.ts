import type { FastifyBaseLogger } from 'fastify';
import type { SessionUser } from '@bff/shared';
import type { EndReason, EventSink } from './events.js';

/** What `onSignIn` sees: the ID token's claims (and userinfo's name and email) and the user the BFF would keep. */
export interface SignInContext {
  claims: Readonly<Record<string, unknown>>;
  user: SessionUser;
}

/** `onSignIn`'s answer: the user to keep (claims mapped), `{ refuse }` with a sentence the person reads, or nothing to keep `user` as is. */
export type SignInDecision = SessionUser | { refuse: string } | undefined | void;

/**
 * Hooks for integrators. `onSignIn` is awaited: it decides. The others are
 * told after the fact and never awaited by a request; one that throws (or
 * rejects) is logged, and no session is lost and no token leaked by it.
 */
export interface BffHooks {
  onSignIn?(context: SignInContext): SignInDecision | Promise<SignInDecision>;
  /** A session ended: signed out, refused by the IdP, expired, or logged out by the IdP (back-channel). */
  onSessionEnd?(event: {
    sub?: string | undefined;
    reason: EndReason;
    /** six characters of the session id, to correlate with log lines */ session: string;
  }): void | Promise<void>;
  /** A refresh grant brought new tokens (rotated: a new refresh token too). No token is passed. */
  onTokensRefreshed?(event: {
    sub: string;
    rotated: boolean;
    /** six characters of the session id, to correlate with log lines */ session: string;
  }): void | Promise<void>;
}

/** The event sink that calls the after-the-fact hooks. */
export function hookSink(hooks: BffHooks, log: FastifyBaseLogger): EventSink {
  const call = (name: string, run: () => void | Promise<void>) => {
    try {
      void Promise.resolve(run()).catch((err: unknown) => log.error({ err, hook: name }, `the ${name} hook failed`));
    } catch (err) {
      log.error({ err, hook: name }, `the ${name} hook failed`);
    }
  };
  return (event) => {
    if (event.type === 'session.ended' && hooks.onSessionEnd) {
      const onSessionEnd = hooks.onSessionEnd.bind(hooks);
      call('onSessionEnd', () => onSessionEnd({ sub: event.sub, reason: event.reason, session: event.session }));
    }
    if (event.type === 'refresh.grant' && event.outcome === 'ok' && hooks.onTokensRefreshed) {
      const onTokensRefreshed = hooks.onTokensRefreshed.bind(hooks);
      call('onTokensRefreshed', () => onTokensRefreshed({ sub: event.sub, rotated: event.rotated ?? false, session: event.session }));
    }
  };
}
