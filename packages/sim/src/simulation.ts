import {
  MemoryRefreshCoordinator,
  MemorySessionStore,
  TokenCipher,
  TokenManager,
  nextTokenState,
  type AccessTokenResult,
  type ActiveSession,
  type RefreshCoordinator,
  type SessionStore,
  type StoredSession,
} from '@bff/fastify-bff';
import { SimIdp } from './idp.js';
import { Invariants, type Violation } from './invariants.js';
import { FaultSchedule, type FaultCounts } from './faults.js';
import { Network } from './network.js';
import type { Plan, Step } from './plan.js';
import { RedisModel, RedisModelCoordinator, RedisModelStore } from './redisModel.js';
import { World, type Process } from './world.js';

const START = 1_700_000_000_000;
/** How long the store keeps a session past its own end (Sessions.ttlMs' grace, shortened). */
const GRACE_MS = 1_000;
const COMMAND_TIMEOUT_MS = 2_000;
/** How old a record a request may hold: the upstream's timeout. */
const STALE_MS = 30_000;
/**
 * Token sets sealed in plain text: what is simulated is the protocol, and
 * AES-GCM with deflate was a fifth of the simulator's time (the cipher has
 * its own tests). Sealed values still differ whenever the pair differs.
 */
class PlainCipher extends TokenCipher {
  override encrypt(plaintext: string): string {
    return `sim.${plaintext}`;
  }

  override decrypt(sealed: string): string {
    return sealed.slice(4);
  }
}
const cipher = new PlainCipher([Buffer.alloc(32, 17)]);

export interface Outcome {
  seed: number;
  violation: Violation | undefined;
  steps: number;
  simulatedMs: number;
  requests: number;
  grants: number;
  faults: FaultCounts;
}

interface Replica {
  index: number;
  /** Store commands sent so far, over all incarnations: faults are addressed by it. */
  ops: number;
  process: Process;
  incarnation: number;
  tokens: TokenManager;
  store: SessionStore;
  coordinator: RefreshCoordinator;
  /** The last record each session was read as here, and when: what a request that read it earlier holds. */
  cache: Map<string, { stored: StoredSession; at: number }>;
}

interface Caller {
  session: number;
  replica: Replica;
  process: Process;
  startedAt: number;
  done: boolean;
}

/**
 * One schedule: R token-manager replicas over one store, coordinator and
 * IdP, driven step by step by `advance()`. Requests and faults happen while
 * faults are on; then everything is healthy for longer than any grant or
 * lease, and every session is asked for a token once more: it must recover.
 */
export class Simulation {
  readonly world = new World(START);
  readonly invariants: Invariants;
  readonly #plan: Plan;
  readonly #network: Network;
  readonly #replicas: Replica[] = [];
  readonly #ids: string[];
  readonly #callers = new Set<Caller>();
  readonly #trace: ((line: string) => void) | undefined;
  readonly #server: { store: SessionStore; coordinator: RefreshCoordinator };
  readonly #idp: SimIdp;
  /** The longest a caller may wait for its answer. */
  readonly #deadlineMs: number;
  #requests = 0;
  #finished = false;

  constructor(plan: Plan, options: { trace?: (line: string) => void } = {}) {
    this.#plan = plan;
    const { config } = plan;
    const { world } = this;
    const print = options.trace;
    this.#trace = print ? (line) => print(`${(world.now - START).toFixed(1).padStart(9)} ms  ${line}`) : undefined;
    this.invariants = new Invariants(config.sessions, world.clock);
    this.#ids = Array.from(
      { length: config.sessions },
      (_, s) => `${(plan.seed >>> 0).toString(16).padStart(8, '0')}${String(s).padStart(24, '0')}`,
    );
    if (config.store === 'memory') {
      this.#server = {
        store: new MemorySessionStore({ clock: world.clock, maxSessions: 100, sweepIntervalMs: 3_600_000 }),
        coordinator: new MemoryRefreshCoordinator({ clock: world.clock }),
      };
    } else {
      const redis = new RedisModel(world.clock);
      this.#server = { store: new RedisModelStore(redis), coordinator: new RedisModelCoordinator(redis) };
    }
    const invariants = this.invariants;
    const recordOf = (n: number) => this.#network.grant(n);
    this.#idp = new SimIdp(config, {
      reused: (session, token, first, again) => {
        const a = recordOf(first);
        const b = recordOf(again);
        if (a && b) invariants.reused(session, token, a, b);
      },
      issued: (_session, n, grant) => {
        const record = recordOf(grant);
        if (record) invariants.issued(record, n);
      },
    });
    const schedule = new FaultSchedule(plan, START);
    const faultsEndAt = schedule.endsAt;
    this.#network = new Network(
      world,
      plan,
      this.#server,
      this.#idp,
      invariants,
      cipher,
      new Map(this.#ids.map((id, s) => [id, s])),
      schedule,
      this.#trace,
    );
    this.#deadlineMs = 2 * config.idpTimeoutMs + 1_000 + config.pollIntervalMs + COMMAND_TIMEOUT_MS + 1_000;

    // sign-in: each session starts with the IdP's first pair, stored directly
    for (let s = 0; s < config.sessions; s += 1) {
      const tokens = nextTokenState(cipher, this.#idp.signIn(s, START), START).state;
      const session: ActiveSession = {
        state: 'active',
        id: this.#ids[s]!,
        version: 1,
        user: { sub: `user-${s}` },
        sid: `sid-${s}`,
        createdAt: START,
        lastSeenAt: START,
        absoluteExpiresAt: START + config.sessionLifetimeMs[s]!,
        tokens,
      };
      void this.#server.store.create(session, this.#ttl(session, START));
    }
    for (let r = 0; r < config.replicas; r += 1) this.#start(r);
    for (const step of plan.steps) this.#schedule(step);
    const quiet = config.grantTimeoutMs + 2 * config.lockLeaseMs + config.failureCooldownMs + 5_000;
    world.after(faultsEndAt - START + quiet, () => this.#recover());
  }

  /** Runs one step (after checking the last one); false once the run is over. */
  advance(): boolean {
    if (this.invariants.violation || this.#finished) return false;
    if (!this.world.step()) {
      this.#finished = true;
      return false;
    }
    return true;
  }

  outcome(): Outcome {
    void this.#server.store.close();
    return {
      seed: this.#plan.seed,
      violation: this.invariants.violation,
      steps: this.world.steps,
      simulatedMs: this.world.now - START,
      requests: this.#requests,
      grants: this.invariants.grants.length,
      faults: this.#network.faults,
    };
  }

  #ttl(session: ActiveSession, now: number): number {
    return Math.max(1, session.absoluteExpiresAt - now + GRACE_MS);
  }

  #start(index: number): void {
    const { config } = this.#plan;
    const previous = this.#replicas[index];
    const incarnation = previous ? previous.incarnation + 1 : 0;
    const process: Process = { name: `r${index}.${incarnation}`, alive: true };
    const slot = { index, ops: previous?.ops ?? 0, process };
    const { store, coordinator } = this.#network.connect(slot);
    const trace = this.#trace;
    const tokens = new TokenManager({
      store,
      coordinator,
      cipher,
      refreshGrant: this.#network.refreshGrant(slot, config.grantTimeoutMs),
      clock: this.world.clock,
      refreshSkewSeconds: 60,
      idpTimeoutMs: config.idpTimeoutMs,
      grantTimeoutMs: config.grantTimeoutMs,
      lockLeaseMs: config.lockLeaseMs,
      pollIntervalMs: config.pollIntervalMs,
      failureCooldownMs: config.failureCooldownMs,
      sessionTtlMs: (session, now) => this.#ttl(session, now),
      timers: this.world.timersFor(process),
      ...(trace
        ? {
            log: {
              warn: (_o: object, msg: string) => trace(`r${index} log: ${msg}`),
              info: (_o: object, msg: string) => trace(`r${index} log: ${msg}`),
              error: (_o: object, msg: string) => trace(`r${index} log: ${msg}`),
            },
          }
        : {}),
    });
    // the slot object is the one the network counts commands on
    const replica: Replica = Object.assign(slot, {
      incarnation,
      tokens,
      store,
      coordinator,
      cache: new Map<string, { stored: StoredSession; at: number }>(),
    });
    this.#replicas[index] = replica;
    if (previous) this.#trace?.(`r${index} restarts`);
  }

  #schedule(step: Step): void {
    const { world } = this;
    switch (step.kind) {
      case 'request':
        world.after(step.at, () => this.#request(step.session, step.replica, { force: step.force, stale: step.stale, touch: step.touch }));
        return;
      case 'leaseLoss':
        world.after(step.at, () => this.#network.loseLease(this.#ids[step.session]!));
        return;
      case 'crash':
        world.after(step.at, () => this.#crash(step.replica, step.downMs));
        return;
      case 'revoke':
        world.after(step.at, () => {
          this.#network.faults.revocations += 1;
          this.#trace?.(`the IdP revokes the grant of s${step.session} (signed out elsewhere)`);
          this.#idp.revoke(step.session);
        });
        return;
      default:
        // outages, slow grants and store faults are the network's
        return;
    }
  }

  #crash(index: number, downMs: number): void {
    const replica = this.#replicas[index]!;
    if (!replica.process.alive) return;
    replica.process.alive = false;
    this.#network.faults.crashes += 1;
    this.#trace?.(`r${index} crashes (restarts in ${downMs} ms)`);
    // its callers' connections are reset: they hear an error from the proxy in front, not from us
    for (const caller of this.#callers) if (caller.process === replica.process) this.#callers.delete(caller);
    this.world.after(downMs, () => this.#start(index));
  }

  /** The replica a load balancer sends a request to: the one asked for, or the next one alive. */
  #route(index: number): Replica | undefined {
    for (let i = 0; i < this.#replicas.length; i += 1) {
      const replica = this.#replicas[(index + i) % this.#replicas.length]!;
      if (replica.process.alive) return replica;
    }
    return undefined;
  }

  /** A request that needs a token, as the proxy route asks for one. Resolves with what the caller heard. */
  #request(
    session: number,
    index: number,
    how: { force: boolean; stale: boolean; touch: boolean },
  ): Promise<AccessTokenResult | 'none' | 'crashed'> {
    const replica = this.#route(index);
    if (!replica) return Promise.resolve('crashed');
    this.#requests += 1;
    const id = this.#ids[session]!;
    const { world, invariants } = this;
    const caller: Caller = { session, replica, process: replica.process, startedAt: world.now, done: false };
    this.#callers.add(caller);
    world.after(this.#deadlineMs, () => {
      if (!caller.done && this.#callers.has(caller)) {
        invariants.fail(
          'every caller gets an answer in time',
          `a caller of session ${session} on replica ${replica.index} has waited ${this.#deadlineMs} ms without an answer`,
        );
      }
    });
    this.#trace?.(`request for s${session} on r${replica.index}${how.force ? ' (forced)' : ''}${how.stale ? ' (stale read)' : ''}`);
    const expired = () => world.now >= START + this.#plan.config.sessionLifetimeMs[session]!;
    const work = async (): Promise<AccessTokenResult | 'none'> => {
      const cached = replica.cache.get(id);
      let stored: StoredSession | undefined;
      // a request holds the record as it was read up to an upstream timeout ago (a forced refresh after a slow upstream's 401)
      if (how.stale && cached && world.now - cached.at <= STALE_MS) stored = cached.stored;
      else {
        try {
          stored = await replica.store.get(id);
        } catch {
          return 'none'; // 503 SESSION_STORE_UNAVAILABLE from the route; no token asked for
        }
      }
      if (stored && stored !== cached?.stored) replica.cache.set(id, { stored, at: world.now });
      if (!stored) {
        invariants.endedFor(session, 'UNAUTHENTICATED', `a caller of session ${session}`, expired());
        return 'none';
      }
      if (stored.state === 'ended') {
        invariants.endedFor(session, stored.reason, `a caller of session ${session}`, expired());
        return 'none';
      }
      const result = await replica.tokens.accessToken(stored, { force: how.force });
      if (!this.#callers.has(caller)) return result;
      invariants.answered(session, id, result, { expired: expired(), replica: replica.index, startedAt: caller.startedAt });
      this.#trace?.(
        `  the caller of s${session} on r${replica.index} hears ${result.type === 'bearer' ? `bearer ${result.accessToken}` : `${result.error.code}${result.ended ? ' (session ended)' : ''}`}`,
      );
      if (how.touch && result.type === 'bearer')
        await replica.store.touch(id, world.now, this.#ttl(result.session, world.now)).catch(() => undefined);
      return result;
    };
    return work().then(
      (result) => {
        caller.done = true;
        this.#callers.delete(caller);
        return result;
      },
      (err: unknown) => {
        caller.done = true;
        this.#callers.delete(caller);
        invariants.fail(
          'every caller gets an answer in time',
          `a caller of session ${session} on replica ${replica.index} got an exception: ${err instanceof Error ? err.stack : String(err)}`,
        );
        return 'none' as const;
      },
    );
  }

  /** Faults have stopped long enough ago: every session that was not ended for a reason must give a token again. */
  async #recover(): Promise<void> {
    const { invariants, world } = this;
    this.#trace?.('faults stopped: every session must recover');
    for (let s = 0; s < this.#plan.config.sessions; s += 1) {
      const result = await this.#request(s, s, { force: true, stale: false, touch: false });
      if (invariants.violation) return;
      if (result === 'crashed') continue;
      if (result !== 'none' && result.type === 'error') {
        if (!result.ended)
          invariants.fail('every live session recovers', `session ${s} still answers ${result.error.code} after faults stopped`);
        continue;
      }
      if (result === 'none') {
        const ends = invariants.ends(s);
        const expired = world.now >= START + this.#plan.config.sessionLifetimeMs[s]!;
        if (!ends.tombstone && !expired)
          invariants.fail('every live session recovers', `session ${s} could not be read after faults stopped`);
      }
    }
    // a rotated pair held for the store has had time to land: the store keeps the IdP's newest
    world.after(1_000, () => {
      for (let s = 0; s < this.#plan.config.sessions; s += 1) void this.#checkNewest(s);
    });
  }

  async #checkNewest(session: number): Promise<void> {
    const stored = await this.#server.store.get(this.#ids[session]!);
    const live = this.#idp.live(session);
    if (stored?.state !== 'active' || live.revoked) return;
    const refreshToken = cipher.open<{ refreshToken?: string }>(stored.tokens.sealed).refreshToken;
    if (refreshToken !== live.refreshToken) {
      this.invariants.fail(
        'no lost update',
        `after recovery session ${session} stores ${refreshToken}, but the IdP's live refresh token is ${live.refreshToken}`,
      );
    }
  }
}
