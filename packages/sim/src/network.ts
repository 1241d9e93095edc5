import { ClientError, ResponseBodyError } from 'openid-client';
import {
  StoreUnavailableError,
  classifyGrantError,
  type ActiveSession,
  type GrantContext,
  type GrantResult,
  type RefreshCoordinator,
  type RefreshFailure,
  type SessionStore,
  type StoredSession,
  type TokenCipher,
  type TokenSet,
  type TokenState,
} from '@bff/fastify-bff';
import type { ErrorCode } from '@bff/shared';
import { issueOf, type IdpAnswer, type SimIdp } from './idp.js';
import type { GrantRecord, Invariants } from './invariants.js';
import type { FaultCounts, FaultSchedule } from './faults.js';
import type { Plan } from './plan.js';
import { keyed } from './random.js';
import type { Process, World } from './world.js';

/** RedisConnection's: a command whose answer never comes fails after this. */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The network between the replicas and the shared store, coordinator and
 * IdP: every call takes simulated time there and back, and may fail on the
 * way (before the server applies it) or on the way back (after it did). A
 * crashed replica never hears an answer; what it sent still arrives.
 */
export class Network {
  readonly faults: FaultCounts;
  /** Who the store thinks holds each refresh lock: to tell a takeover from a clean acquire. */
  readonly #holders = new Map<string, string>();
  /** When each replica last took each session's refresh lock (`replica:session`), and the version stored then: what its grant refreshes. */
  readonly #locked = new Map<string, { at: number; version: number }>();
  #grants = 0;

  constructor(
    readonly world: World,
    readonly plan: Plan,
    readonly server: { store: SessionStore; coordinator: RefreshCoordinator },
    readonly idp: SimIdp,
    readonly invariants: Invariants,
    readonly cipher: TokenCipher,
    /** Session id → its index in the plan. */
    readonly sessionIndex: ReadonlyMap<string, number>,
    readonly schedule: FaultSchedule,
    readonly trace: ((line: string) => void) | undefined,
  ) {
    this.faults = schedule.counts;
  }

  /** The store and coordinator as replica `replica` reaches them. */
  connect(replica: { index: number; ops: number; process: Process }): { store: SessionStore; coordinator: RefreshCoordinator } {
    const { store, coordinator } = this.server;
    const call = <T>(op: string, id: string, apply: () => Promise<T>, applied?: (value: T) => void): Promise<T> =>
      this.#call(replica, op, id, apply, applied);
    const facadeStore: SessionStore = {
      kind: `${store.kind} (simulated network)`,
      get: (id) => call('get', id, () => store.get(id)),
      create: (session, ttlMs) => call('create', session.id, () => store.create(session, ttlMs)),
      updateTokens: (id, expectedVersion, tokens, ttlMs) =>
        call(
          `updateTokens(v${expectedVersion})`,
          id,
          () => store.updateTokens(id, expectedVersion, tokens, ttlMs),
          (ok) => {
            if (ok) this.#stored(id, expectedVersion, tokens);
          },
        ),
      touch: (id, lastSeenAt, ttlMs) => call('touch', id, () => store.touch(id, lastSeenAt, ttlMs)),
      end: (id, reason, at, ttlMs) => call(`end(${reason})`, id, () => this.#end(id, reason, at, ttlMs)),
      destroy: (id) => call('destroy', id, () => store.destroy(id)),
      findIds: (by) => call('findIds', '', () => store.findIds(by)),
      ping: () => call('ping', '', () => store.ping()),
      close: async () => undefined,
    };
    const facadeCoordinator: RefreshCoordinator = {
      acquireRefreshLock: (id, owner, leaseMs) =>
        call(
          'acquireRefreshLock',
          id,
          () => coordinator.acquireRefreshLock(id, owner, leaseMs),
          (ok) => {
            if (!ok) return;
            if (this.#holders.has(id)) this.#takeover(id);
            this.#holders.set(id, owner);
            const session = this.sessionIndex.get(id);
            if (session !== undefined)
              this.#locked.set(`${replica.index}:${session}`, { at: this.world.now, version: this.invariants.version(session) });
          },
        ),
      renewRefreshLock: (id, owner, leaseMs) => call('renewRefreshLock', id, () => coordinator.renewRefreshLock(id, owner, leaseMs)),
      releaseRefreshLock: (id, owner) =>
        call('releaseRefreshLock', id, async () => {
          const held = this.#holders.get(id) === owner;
          await coordinator.releaseRefreshLock(id, owner);
          if (held) this.#holders.delete(id);
        }),
      recordRefreshFailure: (id, failure: RefreshFailure, ttlMs) =>
        call(`recordRefreshFailure(${failure.code})`, id, () => coordinator.recordRefreshFailure(id, failure, ttlMs)),
      lastRefreshFailure: (id) => call('lastRefreshFailure', id, () => coordinator.lastRefreshFailure(id)),
      close: async () => undefined,
    };
    return { store: facadeStore, coordinator: facadeCoordinator };
  }

  #call<T>(
    replica: { index: number; ops: number; process: Process },
    op: string,
    id: string,
    apply: () => Promise<T>,
    applied?: (value: T) => void,
  ): Promise<T> {
    const { world } = this;
    const n = replica.ops++;
    const fault = this.schedule.storeFault(replica.index, n, world.now);
    const there = latency(keyed(this.plan.seed, 1, replica.index, n));
    const back = latency(keyed(this.plan.seed, 2, replica.index, n));
    const who = `r${replica.index} ${op}${id ? ` ${this.#name(id)}` : ''}`;
    const process = replica.process;
    return new Promise<T>((resolve, reject) => {
      const fail = (why: string) => reject(new StoreUnavailableError(`the store is unreachable (simulated: ${why})`));
      if (this.schedule.storeDown(world.now)) {
        // no offline queue: a command fails at once while the store is down
        this.faults.storeDownRejects += 1;
        world.after(0, () => fail('down'), process);
        this.trace?.(`${who}: store down, fails at once`);
        return;
      }
      world.after(there, () => {
        if (this.schedule.storeDown(world.now) || fault === 'before') {
          if (fault === 'before') this.faults.storeFailsBefore += 1;
          else this.faults.storeDownRejects += 1;
          this.trace?.(`${who}: fails before it is applied${fault ? ' (fault)' : ' (store down)'}`);
          world.after(back, () => fail('failed before applied'), process);
          return;
        }
        apply().then(
          (value) => {
            applied?.(value);
            if (fault === 'after') {
              this.faults.storeFailsAfter += 1;
              const wait = keyed(this.plan.seed, 3, replica.index, n) < 0.5 ? back : COMMAND_TIMEOUT_MS;
              this.trace?.(`${who}: applied (${show(value)}), its answer is lost: fails in ${wait} ms`);
              world.after(wait, () => fail('answer lost'), process);
            } else {
              this.trace?.(`${who}: ${show(value)}`);
              world.after(back, () => resolve(value), process);
            }
          },
          (err: unknown) => world.after(back, () => reject(err), process),
        );
      });
    });
  }

  #name(id: string): string {
    const index = this.sessionIndex.get(id);
    return index === undefined ? id.slice(0, 6) : `s${index}`;
  }

  #takeover(id: string): void {
    const session = this.sessionIndex.get(id);
    this.faults.lockTakeovers += 1;
    this.trace?.(`  the refresh lock of ${this.#name(id)} is taken over from a holder that never released it`);
    if (session !== undefined) this.invariants.takeover(session);
  }

  #stored(id: string, expectedVersion: number, tokens: TokenState): void {
    const session = this.sessionIndex.get(id);
    if (session === undefined) return;
    const { accessToken } = this.cipher.open<TokenSet>(tokens.sealed);
    const issue = issueOf(accessToken, session);
    if (issue === undefined)
      return this.invariants.fail('no lost update', `session ${session} stored ${accessToken}, which the IdP never issued for it`);
    this.invariants.stored(session, expectedVersion, issue);
  }

  async #end(id: string, reason: ErrorCode, at: number, ttlMs: number): Promise<void> {
    const before = await this.server.store.get(id);
    await this.server.store.end(id, reason, at, ttlMs);
    const session = this.sessionIndex.get(id);
    if (session !== undefined && before?.state === 'active') this.invariants.ended(session, reason);
  }

  /** The lease of a session's refresh lock is lost, as on a failover that lost the key. */
  loseLease(id: string): void {
    const owner = this.#holders.get(id);
    if (owner === undefined) return;
    this.faults.leaseLosses += 1;
    this.trace?.(`  the refresh lock of ${this.#name(id)} is lost`);
    // the holder is not told, and the lock stays recorded as held: the next acquire is a takeover
    void this.server.coordinator.releaseRefreshLock(id, owner);
  }

  /** The refresh_token grant as replica `replica` sends it: over the network to the IdP, with the refresh timeout of its HTTP client. */
  refreshGrant(
    replica: { index: number; process: Process },
    grantTimeoutMs: number,
  ): (refreshToken: string, context: GrantContext) => Promise<GrantResult> {
    return (refreshToken, context) => {
      const { world, idp } = this;
      const n = this.#grants++;
      const session = idp.sessionOf(refreshToken) ?? -1;
      const locked = this.#locked.get(`${replica.index}:${session}`) ?? {
        at: world.now,
        version: session >= 0 ? this.invariants.version(session) : 0,
      };
      const record: GrantRecord = {
        n,
        session,
        replica: replica.index,
        sentAt: world.now,
        lockedAt: locked.at,
        version: locked.version,
        endsAt: Number.POSITIVE_INFINITY,
      };
      const process = replica.process;
      const who = `r${replica.index} grant #${n} (${refreshToken})`;
      return new Promise<GrantResult>((resolve) => {
        let done = false;
        const timeout: { event?: ReturnType<World['after']> } = {};
        const finish = (answer: IdpAnswer | 'unreachable', why: string) => {
          if (done) return;
          done = true;
          world.cancel(timeout.event);
          const result = toGrantResult(answer, context);
          if (session >= 0) this.invariants.delivered(session, result);
          this.trace?.(`${who}: ${why}`);
          resolve(result);
        };
        if (this.schedule.idpDown(world.now)) {
          this.faults.idpDownRejects += 1;
          record.endsAt = world.now;
          world.after(1, () => finish('unreachable', 'the IdP is down: connection refused'), process);
          return;
        }
        if (session >= 0) this.invariants.grantSent(record);
        const slow = this.schedule.slowGrant(n, world.now);
        if (slow !== undefined) this.faults.slowGrants += 1;
        const total = Math.min(slow ?? 5 + Math.floor(keyed(this.plan.seed, 4, n) * 200), Math.floor(0.95 * grantTimeoutMs));
        const there = Math.floor(total * keyed(this.plan.seed, 5, n));
        this.trace?.(`${who}: sent, answered in ${total} ms`);
        timeout.event = world.after(grantTimeoutMs, () => finish('unreachable', 'timed out'), process);
        world.after(there, () => {
          let answer: IdpAnswer;
          if (this.schedule.idpDown(world.now)) {
            this.faults.idpDownRejects += 1;
            answer = { status: 503 };
          } else {
            answer = idp.refresh(refreshToken, world.now, n);
          }
          record.endsAt = world.now + (total - there);
          this.trace?.(`  the IdP ${describeAnswer(answer)} grant #${n}`);
          world.after(total - there, () => finish(answer, `answer ${describeAnswer(answer)}`), process);
        });
      });
    };
  }

  grant(n: number): GrantRecord | undefined {
    return this.invariants.grants.find((g) => g.n === n);
  }
}

/** Store round trips: mostly sub-millisecond, sometimes slow. */
function latency(x: number): number {
  return x < 0.9 ? 0.2 + x * 3 : 5 + (x - 0.9) * 500;
}

/** As OidcClient does: the HTTP outcome through the one classifier (oidc/classify.ts). */
function toGrantResult(answer: IdpAnswer | 'unreachable', context: GrantContext): GrantResult {
  if (answer === 'unreachable') return classifyGrantError(new TypeError('fetch failed'), context);
  if (answer.status === 200) return { type: 'tokens', response: answer.body };
  if (answer.status === 503) {
    return classifyGrantError(
      new ClientError('unexpected HTTP response status code', { cause: new Response(null, { status: 503 }) }),
      context,
    );
  }
  return classifyGrantError(
    new ResponseBodyError('server responded with an error in the response body', {
      cause: answer.body,
      response: new Response(null, { status: 400 }),
    }),
    context,
  );
}

function describeAnswer(answer: IdpAnswer): string {
  if (answer.status === 200)
    return `issued ${answer.body.access_token}${answer.body.refresh_token ? ` + ${answer.body.refresh_token}` : ' (no rotation)'} for`;
  if (answer.status === 503) return 'was down (503) for';
  return `refused (${answer.body.error_description})`;
}

function show(value: unknown): string {
  if (value === undefined) return 'ok';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && 'state' in value) {
    const stored = value as StoredSession;
    return stored.state === 'active' ? `active v${(stored as ActiveSession).version}` : `ended (${stored.reason})`;
  }
  if (typeof value === 'object' && value !== null && 'code' in value) return `failure ${(value as RefreshFailure).code}`;
  return 'ok';
}
