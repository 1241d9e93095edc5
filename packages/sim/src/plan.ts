import { Random } from './random.js';

/** How the simulated IdP treats refresh tokens. */
export type IdpMode =
  /** oidc-provider: rotates (always, or past 70% of the token's lifetime), and revokes the complete grant if an old token is used again. */
  | 'oidc-provider'
  /** seed 001: every refresh token is single-use; a second use is theft: the grant is revoked. */
  | 'single-use'
  /** seed 003: no refresh_token in refresh responses; the one presented stays valid. */
  | 'non-rotating';

export type StoreKind = 'memory' | 'redis-model';

export interface Config {
  store: StoreKind;
  idp: IdpMode;
  /** oidc-provider only: rotate on every refresh (the dev IdP) or past 70% of the lifetime (its default policy). */
  rotateAlways: boolean;
  replicas: number;
  sessions: number;
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
  /** Per session: the absolute lifetime, after which the store forgets it. */
  sessionLifetimeMs: number[];
  idpTimeoutMs: number;
  grantTimeoutMs: number;
  lockLeaseMs: number;
  pollIntervalMs: number;
  failureCooldownMs: number;
  /** Requests and faults happen in [0, activeMs); after that only recovery. */
  activeMs: number;
}

/** One thing a schedule makes happen. Faults indexed by operation count apply only while faults are on. */
export type Step =
  | { kind: 'request'; at: number; session: number; replica: number; force: boolean; stale: boolean; touch: boolean }
  | { kind: 'idpOutage'; at: number; ms: number }
  | { kind: 'storeOutage'; at: number; ms: number }
  /** The IdP answers the n-th grant only after `ms`: usually after the caller's timeout. */
  | { kind: 'slowGrant'; grant: number; ms: number }
  /** The n-th store command of a replica fails before it is applied, or after (its answer is lost). */
  | { kind: 'storeFault'; replica: number; op: number; when: 'before' | 'after' }
  /** The refresh lock of a session is lost (a failover that lost the key, a paused holder). */
  | { kind: 'leaseLoss'; at: number; session: number }
  | { kind: 'crash'; at: number; replica: number; downMs: number }
  /** The user signs out elsewhere: the IdP revokes the grant. */
  | { kind: 'revoke'; at: number; session: number };

export interface Plan {
  seed: number;
  config: Config;
  steps: Step[];
}

const count = (random: Random, weights: ReadonlyArray<readonly [number, number]>) => random.weighted(weights);

/** The schedule of a seed: configuration, requests and faults. */
export function planFor(seed: number): Plan {
  const random = new Random(seed);
  const idp = random.weighted<IdpMode>([
    ['oidc-provider', 4],
    ['single-use', 3],
    ['non-rotating', 3],
  ]);
  const replicas = count(random, [
    [1, 15],
    [2, 50],
    [3, 35],
  ]);
  const sessions = count(random, [
    [1, 60],
    [2, 40],
  ]);
  const idpTimeoutMs = random.pick([1_000, 2_000, 5_000]);
  const config: Config = {
    store: random.chance(0.5) ? 'memory' : 'redis-model',
    idp,
    rotateAlways: random.chance(0.5),
    replicas,
    sessions,
    accessTokenTtlS: random.pick([4, 8, 20, 60]),
    refreshTokenTtlS: random.chance(0.85) ? 30 * 86_400 : random.int(10, 90),
    sessionLifetimeMs: Array.from({ length: sessions }, () => (random.chance(0.9) ? 86_400_000 : random.int(5_000, 60_000))),
    idpTimeoutMs,
    grantTimeoutMs: Math.max(idpTimeoutMs, random.pick([2 * idpTimeoutMs, 15_000, 60_000])),
    lockLeaseMs: random.pick([2_000, 6_000]),
    pollIntervalMs: random.pick([25, 100, 250]),
    failureCooldownMs: random.pick([500, 2_000]),
    activeMs: random.int(3_000, 40_000),
  };
  const at = () => random.int(0, config.activeMs - 1);
  const duration = () => Math.round(random.pick([100, 500, 2_000, 8_000]) * (0.5 + random.float()));
  const steps: Step[] = [];
  for (
    let i =
      count(random, [
        [2, 1],
        [4, 2],
        [8, 3],
        [16, 2],
      ]) + random.int(0, 3);
    i > 0;
    i -= 1
  ) {
    steps.push({
      kind: 'request',
      at: at(),
      session: random.int(0, sessions - 1),
      replica: random.int(0, replicas - 1),
      force: random.chance(0.2),
      stale: random.chance(0.15),
      touch: random.chance(0.2),
    });
  }
  for (
    let i = count(random, [
      [0, 50],
      [1, 35],
      [2, 15],
    ]);
    i > 0;
    i -= 1
  )
    steps.push({ kind: 'idpOutage', at: at(), ms: duration() });
  for (
    let i = count(random, [
      [0, 45],
      [1, 40],
      [2, 15],
    ]);
    i > 0;
    i -= 1
  )
    steps.push({ kind: 'storeOutage', at: at(), ms: duration() });
  for (
    let i = count(random, [
      [0, 40],
      [1, 40],
      [2, 20],
    ]);
    i > 0;
    i -= 1
  ) {
    const ms = random.chance(0.8)
      ? random.int(idpTimeoutMs, Math.floor(0.9 * config.grantTimeoutMs))
      : random.int(idpTimeoutMs / 2, idpTimeoutMs);
    steps.push({ kind: 'slowGrant', grant: random.int(0, 6), ms });
  }
  for (
    let i = count(random, [
      [0, 40],
      [1, 20],
      [2, 20],
      [4, 20],
    ]);
    i > 0;
    i -= 1
  ) {
    steps.push({
      kind: 'storeFault',
      replica: random.int(0, replicas - 1),
      op: random.int(0, 120),
      when: random.chance(0.5) ? 'before' : 'after',
    });
  }
  for (
    let i = count(random, [
      [0, 75],
      [1, 25],
    ]);
    i > 0;
    i -= 1
  )
    steps.push({ kind: 'leaseLoss', at: at(), session: random.int(0, sessions - 1) });
  if (replicas > 1) {
    for (
      let i = count(random, [
        [0, 75],
        [1, 25],
      ]);
      i > 0;
      i -= 1
    ) {
      steps.push({ kind: 'crash', at: at(), replica: random.int(0, replicas - 1), downMs: random.int(100, 10_000) });
    }
  }
  if (random.chance(0.08)) steps.push({ kind: 'revoke', at: at(), session: random.int(0, sessions - 1) });
  return { seed, config, steps };
}

/** One line per step, for the printed schedule. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'request':
      return `t=${step.at}ms request for session ${step.session} on replica ${step.replica}${step.force ? ', forced (upstream 401)' : ''}${step.stale ? ', from a stale cached read' : ''}${step.touch ? ', touching the idle deadline' : ''}`;
    case 'idpOutage':
      return `t=${step.at}ms the IdP is down for ${step.ms} ms`;
    case 'storeOutage':
      return `t=${step.at}ms the store is down for ${step.ms} ms`;
    case 'slowGrant':
      return `grant #${step.grant} is answered after ${step.ms} ms`;
    case 'storeFault':
      return `store command #${step.op} of replica ${step.replica} fails ${step.when === 'before' ? 'before it is applied' : 'after it is applied (its answer is lost)'}`;
    case 'leaseLoss':
      return `t=${step.at}ms the refresh lock of session ${step.session} is lost`;
    case 'crash':
      return `t=${step.at}ms replica ${step.replica} crashes, restarts ${step.downMs} ms later`;
    case 'revoke':
      return `t=${step.at}ms the user of session ${step.session} signs out elsewhere (the IdP revokes the grant)`;
  }
}

export function describeConfig(config: Config): string {
  const idp =
    config.idp === 'oidc-provider'
      ? `oidc-provider (${config.rotateAlways ? 'rotates every refresh' : 'rotates past 70% of the lifetime'})`
      : config.idp === 'single-use'
        ? 'single-use with theft detection (seed 001)'
        : 'non-rotating (seed 003)';
  return [
    `${config.replicas} replica(s), ${config.sessions} session(s), ${config.store} store, IdP ${idp}`,
    `access token ${config.accessTokenTtlS} s, refresh token ${config.refreshTokenTtlS} s, session lifetimes ${config.sessionLifetimeMs.join('/')} ms`,
    `IdP timeout ${config.idpTimeoutMs} ms, grant timeout ${config.grantTimeoutMs} ms, lease ${config.lockLeaseMs} ms, poll ${config.pollIntervalMs} ms, cooldown ${config.failureCooldownMs} ms, faults for ${config.activeMs} ms`,
  ].join('\n');
}
