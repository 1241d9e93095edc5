import type { AccessTokenResult, GrantResult } from '@bff/fastify-bff';
import type { ErrorCode } from '@bff/shared';

/** The invariants of issue 17. None can be switched off: every run checks all of them. */
export type Invariant =
  | 'no refresh token presented twice'
  | 'at most one grant per session version'
  | 'no lost update'
  | 'no session ends without a reason'
  | 'every caller gets an answer in time'
  | 'every live session recovers';

export interface Violation {
  invariant: Invariant;
  message: string;
  at: number;
}

/** A grant as the network saw it. */
export interface GrantRecord {
  n: number;
  session: number;
  replica: number;
  sentAt: number;
  /** When its sender took the refresh lock it was sent under: a lease lost from then on excuses it. */
  lockedAt: number;
  /** The stored version when its sender took the lock: the version it refreshes. */
  version: number;
  /** When its answer reaches (or would reach) the replica. */
  endsAt: number;
  /** The access token the IdP issued for it (`at.<session>.<issue>`), if any. */
  issue?: number;
  /** When the store first took that pair. */
  storedAt?: number;
}

/** Codes a caller may hear; anything else (INTERNAL, a throw) is a violation. */
const STABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'IDP_UNAVAILABLE',
  'SESSION_STORE_UNAVAILABLE',
  'EXPIRED_TOKEN',
  'TOKEN_REVOKED',
  'INVALID_GRANT',
  'SESSION_EXPIRED',
  'UNAUTHENTICATED',
]);
const KEEPS_SESSION: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['IDP_UNAVAILABLE', 'SESSION_STORE_UNAVAILABLE']);

/**
 * What the simulation has seen, per session, and the checks made as each
 * thing happens (and after every step). The one documented window that no
 * BFF can close (docs/architecture.md, rule 10: a lock holder that died or
 * lost its lease with the only copy of a rotated pair) is recognised by its
 * cause, a takeover of the refresh lock from a holder that never released
 * it, and only re-presentations that follow one are excused; what they lead
 * to (the IdP's refusal ending the session) is still checked.
 */
export class Invariants {
  readonly grants: GrantRecord[] = [];
  /** Per session: when its refresh lock was taken from a holder that had not released it. */
  readonly #takeovers: number[][];
  readonly #refusals: Set<ErrorCode>[];
  readonly #versions: number[];
  readonly #storedIssue: number[];
  readonly #tombstones: (ErrorCode | undefined)[];
  readonly #issuedAt: Map<string, GrantRecord>[];

  constructor(
    sessions: number,
    private readonly clock: () => number,
  ) {
    this.#takeovers = Array.from({ length: sessions }, () => []);
    this.#refusals = Array.from({ length: sessions }, () => new Set());
    this.#versions = Array.from({ length: sessions }, () => 1);
    this.#storedIssue = Array.from({ length: sessions }, () => 0);
    this.#tombstones = Array.from({ length: sessions }, () => undefined);
    this.#issuedAt = Array.from({ length: sessions }, () => new Map());
  }

  /** The first violation: the run stops after the step that made it. */
  violation: Violation | undefined;

  /** Records a violation (the first one wins). It does not throw: the code under test must not see the checker. */
  fail(invariant: Invariant, message: string): void {
    this.violation ??= { invariant, message, at: this.clock() };
  }

  takeover(session: number): void {
    this.#takeovers[session]!.push(this.clock());
  }

  /** Whether the lock of `session` was taken over in [from, to]. */
  #excused(session: number, from: number, to: number): boolean {
    return this.#takeovers[session]!.some((t) => t >= from && t <= to);
  }

  /** Whether the sender of a grant lost its lock: taken over after it took it (a taking that was itself a takeover is no loss). */
  #lostLock(grant: GrantRecord, until: number): boolean {
    return this.#takeovers[grant.session]!.some((t) => t > grant.lockedAt && t <= until);
  }

  /**
   * Whether two grants of a session may have overlapped: the lock was taken over
   * from when either sender took it (that taking may itself be the takeover) until
   * the later one sent.
   */
  #excusedPair(session: number, a: GrantRecord, b: GrantRecord): boolean {
    return this.#excused(session, Math.min(a.lockedAt, b.lockedAt), Math.max(a.sentAt, b.sentAt));
  }

  version(session: number): number {
    return this.#versions[session]!;
  }

  grantSent(record: GrantRecord): void {
    // single flight: no second grant while one is on its way, unless the first holder lost its lock
    for (const other of this.grants) {
      if (other.session !== record.session || other.endsAt <= record.sentAt) continue;
      if (!this.#excusedPair(record.session, other, record)) {
        return this.fail(
          'at most one grant per session version',
          `grant #${record.n} (replica ${record.replica}) was sent for session ${record.session} while grant #${other.n} (replica ${other.replica}) was still in flight, and nobody lost the lock`,
        );
      }
    }
    this.grants.push(record);
  }

  reused(session: number, token: string, first: GrantRecord, again: GrantRecord): void {
    if (this.#excusedPair(session, first, again)) return;
    this.fail(
      'no refresh token presented twice',
      `${token} was rotated by grant #${first.n} (replica ${first.replica}) and presented again by grant #${again.n} (replica ${again.replica}), and nobody lost the lock in between`,
    );
  }

  issued(record: GrantRecord, issue: number): void {
    record.issue = issue;
    const key = `${record.version}`;
    const earlier = this.#issuedAt[record.session]!.get(key);
    if (earlier && !this.#excusedPair(record.session, earlier, record)) {
      this.fail(
        'at most one grant per session version',
        `session ${record.session} at version ${record.version} got tokens from grant #${earlier.n} (replica ${earlier.replica}) and again from grant #${record.n} (replica ${record.replica})`,
      );
    }
    this.#issuedAt[record.session]!.set(key, record);
  }

  /** Whether an access token came from a grant whose sender lost its lock before its pair was stored. */
  #displaced(session: number, token: string): boolean {
    const grant = this.#grantOf(session, Number(token.split('.')[2]));
    return grant !== undefined && this.#lostLock(grant, grant.storedAt ?? this.clock());
  }

  /** Whether this caller's replica had a grant of the session that lost its lock and ended while the caller waited: the refresh it joined. */
  #answeredByLostLock(session: number, replica: number, startedAt: number): boolean {
    const now = this.clock();
    return this.grants.some(
      (g) => g.session === session && g.replica === replica && g.endsAt >= startedAt && g.endsAt <= now && this.#lostLock(g, g.endsAt),
    );
  }

  #grantOf(session: number, issue: number): GrantRecord | undefined {
    return this.grants.find((g) => g.session === session && g.issue === issue);
  }

  delivered(session: number, result: GrantResult): void {
    if (result.type === 'refused') this.#refusals[session]!.add(result.code);
  }

  /** A compare-and-set the store applied: the pair it stores must never be older than the one it replaces. */
  stored(session: number, expectedVersion: number, issue: number): void {
    const before = this.#storedIssue[session]!;
    if (issue < before) {
      this.fail(
        'no lost update',
        `session ${session}: the pair at.${session}.${before} was overwritten by the older at.${session}.${issue} (a write from version ${expectedVersion})`,
      );
    }
    this.#storedIssue[session] = issue;
    const grant = this.#grantOf(session, issue);
    if (grant) grant.storedAt ??= this.clock();
    this.#versions[session] = expectedVersion + 1;
  }

  /** The store applied an end. */
  ended(session: number, reason: ErrorCode): void {
    if (!this.#refusals[session]!.has(reason)) {
      this.fail(
        'no session ends without a reason',
        `session ${session} was ended as ${reason}, but the IdP never refused it so (refusals seen: ${[...this.#refusals[session]!].join(', ') || 'none'})`,
      );
    }
    this.#tombstones[session] = reason;
  }

  /** What a caller heard. `expired`: the session outlived its own lifetime, so the store may have forgotten it. */
  answered(
    session: number,
    id: string,
    result: AccessTokenResult,
    context: { expired: boolean; replica: number; startedAt: number },
  ): void {
    const who = `a caller of session ${session} on replica ${context.replica}`;
    if (result.type === 'bearer') {
      const token = result.accessToken;
      if (!token.startsWith(`at.${session}.`) || result.session.id !== id)
        return this.fail('every caller gets an answer in time', `${who} got the bearer token ${token} of another session`);
      // after a lost lease (the documented window) a refresh that lost its compare-and-set takes the stored pair as it is:
      // excused when the caller waited on a refresh whose holder lost its lock, or got the late pair of one
      if (
        result.session.tokens.accessTokenExpiresAt <= this.clock() &&
        !this.#excused(session, context.startedAt, this.clock()) &&
        !this.#displaced(session, token) &&
        !this.#answeredByLostLock(session, context.replica, context.startedAt)
      ) {
        this.fail(
          'every caller gets an answer in time',
          `${who} got ${token}, which expired ${this.clock() - result.session.tokens.accessTokenExpiresAt} ms ago`,
        );
      }
      return;
    }
    const { code } = result.error;
    if (!STABLE.has(code)) return this.fail('every caller gets an answer in time', `${who} got ${code}, not a stable code`);
    if (!result.ended) {
      if (!KEEPS_SESSION.has(code))
        return this.fail('every caller gets an answer in time', `${who} got ${code} without the session ending`);
      return;
    }
    this.endedFor(session, code, who, context.expired);
  }

  /** A caller was told its session is over: that must be the IdP's refusal, the tombstone's reason, or the session's own end. */
  endedFor(session: number, code: ErrorCode, who: string, expired: boolean): void {
    if (this.#refusals[session]!.has(code) || this.#tombstones[session] === code) return;
    if (code === 'UNAUTHENTICATED' && (expired || this.#tombstones[session] !== undefined)) return;
    this.fail(
      'no session ends without a reason',
      `${who} was told the session ended (${code}), but the IdP never refused it so (refusals seen: ${[...this.#refusals[session]!].join(', ') || 'none'})`,
    );
  }

  ends(session: number): { refused: boolean; tombstone: ErrorCode | undefined } {
    return { refused: this.#refusals[session]!.size > 0, tombstone: this.#tombstones[session] };
  }
}
