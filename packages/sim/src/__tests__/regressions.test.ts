import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan.js';
import { runPlan } from '../run.js';

/**
 * Shortest failing schedules the simulator found in today's code, kept as
 * plans (not seeds) so that they stay the same schedule whatever becomes of
 * the generator. Each broke an invariant before its fix in tokenManager.ts.
 */
const found: Array<[name: string, plan: Plan]> = [
  [
    'seed 8: a refresh that finds a newer pair does not answer with it once that pair has expired too',
    {
      seed: 8,
      config: {
        store: 'memory',
        idp: 'non-rotating',
        rotateAlways: true,
        replicas: 1,
        sessions: 1,
        accessTokenTtlS: 8,
        refreshTokenTtlS: 2592000,
        sessionLifetimeMs: [86400000],
        idpTimeoutMs: 5000,
        grantTimeoutMs: 60000,
        lockLeaseMs: 6000,
        pollIntervalMs: 100,
        failureCooldownMs: 2000,
        activeMs: 36776,
      },
      steps: [
        { kind: 'request', at: 23449, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 35282, session: 0, replica: 0, force: false, stale: true, touch: false },
      ],
    },
  ],
  [
    'seed 2918: a pair held for the store is not served after its access token expired',
    {
      seed: 2918,
      config: {
        store: 'redis-model',
        idp: 'oidc-provider',
        rotateAlways: true,
        replicas: 1,
        sessions: 1,
        accessTokenTtlS: 4,
        refreshTokenTtlS: 2592000,
        sessionLifetimeMs: [86400000],
        idpTimeoutMs: 1000,
        grantTimeoutMs: 2000,
        lockLeaseMs: 6000,
        pollIntervalMs: 250,
        failureCooldownMs: 500,
        activeMs: 9482,
      },
      steps: [
        { kind: 'request', at: 8600, session: 0, replica: 0, force: false, stale: true, touch: false },
        { kind: 'request', at: 2740, session: 0, replica: 0, force: true, stale: false, touch: false },
        { kind: 'request', at: 813, session: 0, replica: 0, force: true, stale: false, touch: false },
        { kind: 'storeOutage', at: 3304, ms: 5766 },
        { kind: 'slowGrant', grant: 1, ms: 581 },
      ],
    },
  ],
  [
    'seed 8597: a lock taken after a lost lease is not released by the holder that lost it (a second grant went out)',
    {
      seed: 8597,
      config: {
        store: 'memory',
        idp: 'oidc-provider',
        rotateAlways: false,
        replicas: 1,
        sessions: 1,
        accessTokenTtlS: 4,
        refreshTokenTtlS: 61,
        sessionLifetimeMs: [86400000],
        idpTimeoutMs: 1000,
        grantTimeoutMs: 60000,
        lockLeaseMs: 6000,
        pollIntervalMs: 100,
        failureCooldownMs: 2000,
        activeMs: 22578,
      },
      steps: [
        { kind: 'request', at: 17121, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 8082, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 11309, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 12844, session: 0, replica: 0, force: true, stale: false, touch: false },
        { kind: 'request', at: 4460, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'slowGrant', grant: 3, ms: 10134 },
        { kind: 'slowGrant', grant: 0, ms: 12477 },
        { kind: 'leaseLoss', at: 7003, session: 0 },
      ],
    },
  ],
  [
    'seed 24433: a caller does not wait for the release of the lock, which a slow store can make outlast its token',
    {
      seed: 24433,
      config: {
        store: 'memory',
        idp: 'oidc-provider',
        rotateAlways: true,
        replicas: 1,
        sessions: 1,
        accessTokenTtlS: 4,
        refreshTokenTtlS: 2592000,
        sessionLifetimeMs: [44534],
        idpTimeoutMs: 5000,
        grantTimeoutMs: 10000,
        lockLeaseMs: 6000,
        pollIntervalMs: 100,
        failureCooldownMs: 2000,
        activeMs: 14040,
      },
      steps: [
        { kind: 'request', at: 1542, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 2158, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 5171, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 887, session: 0, replica: 0, force: true, stale: false, touch: false },
        { kind: 'request', at: 3775, session: 0, replica: 0, force: false, stale: false, touch: false },
        { kind: 'request', at: 7367, session: 0, replica: 0, force: false, stale: true, touch: false },
        { kind: 'storeFault', replica: 0, op: 17, when: 'after' },
      ],
    },
  ],
];

describe('regressions found by the simulator', () => {
  it.each(found)('%s', async (_name, plan) => {
    expect((await runPlan(plan)).violation).toBeUndefined();
  });
});
