import type { Plan } from './plan.js';

/** How many of each fault a run injected. */
export interface FaultCounts {
  storeDownRejects: number;
  storeFailsBefore: number;
  storeFailsAfter: number;
  idpDownRejects: number;
  slowGrants: number;
  leaseLosses: number;
  lockTakeovers: number;
  crashes: number;
  revocations: number;
}

export const noFaults = (): FaultCounts => ({
  storeDownRejects: 0,
  storeFailsBefore: 0,
  storeFailsAfter: 0,
  idpDownRejects: 0,
  slowGrants: 0,
  leaseLosses: 0,
  lockTakeovers: 0,
  crashes: 0,
  revocations: 0,
});

type Window = readonly [from: number, to: number];

/**
 * The faults a plan schedules, looked up as the run meets them, and how many
 * were injected. They stop at `endsAt`: the end of the active phase, of the
 * last outage and of the last crash's downtime. After it the network only
 * delays, and every live session must recover.
 */
export class FaultSchedule {
  readonly counts = noFaults();
  readonly endsAt: number;
  readonly #storeDown: Window[] = [];
  readonly #idpDown: Window[] = [];
  readonly #storeFaults = new Map<string, 'before' | 'after'>();
  readonly #slowGrants = new Map<number, number>();

  constructor(plan: Plan, start: number) {
    let endsAt = start + plan.config.activeMs;
    for (const step of plan.steps) {
      if (step.kind === 'storeOutage') this.#storeDown.push([start + step.at, start + step.at + step.ms]);
      else if (step.kind === 'idpOutage') this.#idpDown.push([start + step.at, start + step.at + step.ms]);
      else if (step.kind === 'storeFault') this.#storeFaults.set(`${step.replica}:${step.op}`, step.when);
      else if (step.kind === 'slowGrant') this.#slowGrants.set(step.grant, step.ms);
      if (step.kind === 'idpOutage' || step.kind === 'storeOutage') endsAt = Math.max(endsAt, start + step.at + step.ms);
      if (step.kind === 'crash') endsAt = Math.max(endsAt, start + step.at + step.downMs);
    }
    this.endsAt = endsAt;
  }

  storeDown(now: number): boolean {
    return within(this.#storeDown, now);
  }

  idpDown(now: number): boolean {
    return within(this.#idpDown, now);
  }

  /** Whether the n-th store command of a replica fails, and how. */
  storeFault(replica: number, n: number, now: number): 'before' | 'after' | undefined {
    return now < this.endsAt ? this.#storeFaults.get(`${replica}:${n}`) : undefined;
  }

  /** How long the IdP takes to answer the n-th grant, when the plan slows it down. */
  slowGrant(n: number, now: number): number | undefined {
    return now < this.endsAt ? this.#slowGrants.get(n) : undefined;
  }
}

function within(windows: readonly Window[], t: number): boolean {
  return windows.some(([from, to]) => t >= from && t < to);
}
