import fastifySession from '@fastify/session';
import { Signer } from '@fastify/cookie';
import type { FastifyInstance, Session } from 'fastify';
import { LRUCache } from 'lru-cache';

declare module 'fastify' {
  interface Session {
    /** Set at sign-in: this web session has (or had) a BFF session record under its id. */
    bff?: { signedInAt: number };
  }
}

/** The cookie the plugin's own @fastify/session uses: `cookieName`, with `__Host-` under https. */
export function sessionCookieName(options: { secureCookies: boolean; cookieName: string }): string {
  return `${options.secureCookies ? '__Host-' : ''}${options.cookieName}`;
}

/**
 * @fastify/session as the session layer: it owns the cookie and the id's life
 * (a new id at sign-in, destroyed at sign-out). When the host app registered
 * @fastify/session already, the plugin uses it, whatever its store. Else it
 * registers its own, configured never to write an unmodified session
 * (`rolling: false`, `saveUninitialized: false`).
 *
 * Tokens never live in `request.session` (docs/architecture.md, "Sessions"):
 * the BFF's record is keyed by `request.session.sessionId` in the
 * SessionStore and written only by compare-and-set. So the plugin's own
 * @fastify/session keeps no data of its own: its store answers every signed
 * id with the `bff` marker and stores nothing, and refuses (loudly) data that
 * a route puts into `request.session`: register @fastify/session with a
 * store of your own before the plugin for that.
 */
export async function registerSessionLayer(
  app: FastifyInstance,
  options: { secrets: readonly string[]; secureCookies: boolean; cookieName: string; cookieMaxAgeMs: number },
): Promise<{ own: boolean; signer: CachingSigner | undefined }> {
  if (app.hasDecorator('decryptSession')) return { own: false, signer: undefined };
  const signer = new CachingSigner(options.secrets);
  await app.register(fastifySession, {
    secret: signer,
    cookieName: sessionCookieName(options),
    cookie: { httpOnly: true, secure: options.secureCookies, sameSite: 'lax', path: '/', maxAge: options.cookieMaxAgeMs },
    rolling: false,
    saveUninitialized: false,
    store: new RecordBackedStore(),
  });
  return { own: true, signer };
}

/** The plugin's own @fastify/session store: the session record in the SessionStore is the session. */
class RecordBackedStore implements fastifySession.SessionStore {
  get(_sessionId: string, callback: (err: unknown, session?: Session | null) => void): void {
    // the signature proves the id is ours; whether it leads to a session is the record's to say
    callback(null, { bff: { signedInAt: 0 } } as Session);
  }

  set(_sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const extra = Object.keys(session).filter((key) => key !== 'cookie' && key !== 'bff');
    if (extra.length > 0) {
      callback(
        new Error(
          `request.session.${extra[0]}: the BFF's own @fastify/session keeps no session data; register @fastify/session with a store of your own before the BFF plugin to keep data in request.session`,
        ),
      );
      return;
    }
    callback();
  }

  destroy(_sessionId: string, callback: (err?: unknown) => void): void {
    callback();
  }
}

/**
 * @fastify/cookie's Signer (the first secret signs, all verify) with one HMAC
 * per distinct value instead of one per request: @fastify/session unsigns the
 * cookie and re-signs the id on every request.
 */
export class CachingSigner {
  readonly #signer: Signer;
  readonly #signed = new LRUCache<string, string>({ max: 10_000 });
  readonly #unsigned = new LRUCache<string, { valid: boolean; renew: boolean; value: string | null }>({ max: 10_000 });

  constructor(secrets: readonly string[]) {
    this.#signer = new Signer([...secrets], 'sha256');
  }

  sign(value: string): string {
    let signed = this.#signed.get(value);
    if (signed === undefined) {
      signed = this.#signer.sign(value);
      this.#signed.set(value, signed);
    }
    return signed;
  }

  unsign(input: string): { valid: boolean; renew: boolean; value: string | null } {
    let result = this.#unsigned.get(input);
    if (result === undefined) {
      result = this.#signer.unsign(input);
      this.#unsigned.set(input, result);
    }
    return result;
  }
}
