import type { Violation } from './invariants.js';
import { noFaults, type FaultCounts } from './faults.js';
import { planFor, type Plan, type Step } from './plan.js';
import { Simulation, type Outcome } from './simulation.js';
import { settle } from './world.js';

/** Runs one schedule to its end. */
export async function runPlan(plan: Plan, options: { trace?: (line: string) => void } = {}): Promise<Outcome> {
  const simulation = new Simulation(plan, options);
  while (simulation.advance()) await settle();
  return simulation.outcome();
}

export interface Totals {
  schedules: number;
  failures: Outcome[];
  steps: number;
  requests: number;
  grants: number;
  simulatedMs: number;
  faults: FaultCounts;
  wallMs: number;
}

/**
 * Runs many schedules, `concurrency` of them interleaved step by step in one
 * event loop: one macrotask lets every one of them finish its step, which
 * costs far less than one per step. The runs share nothing, so each one is
 * exactly what it would be alone.
 */
export async function runSeeds(
  seeds: Iterable<number>,
  options: { concurrency?: number; stopAtFirstFailure?: boolean; onOutcome?: (outcome: Outcome, totals: Totals) => void } = {},
): Promise<Totals> {
  const started = performance.now();
  // stack traces are for people reading one run; a search builds thousands of errors a second (a third of its time)
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await search(seeds, options, started);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function search(
  seeds: Iterable<number>,
  options: { concurrency?: number; stopAtFirstFailure?: boolean; onOutcome?: (outcome: Outcome, totals: Totals) => void },
  started: number,
): Promise<Totals> {
  const totals: Totals = { schedules: 0, failures: [], steps: 0, requests: 0, grants: 0, simulatedMs: 0, faults: noFaults(), wallMs: 0 };
  const iterator = seeds[Symbol.iterator]();
  const concurrency = options.concurrency ?? 32;
  let active: Simulation[] = [];
  let exhausted = false;
  for (;;) {
    while (!exhausted && active.length < concurrency && !(options.stopAtFirstFailure && totals.failures.length > 0)) {
      const next = iterator.next();
      if (next.done) exhausted = true;
      else active.push(new Simulation(planFor(next.value)));
    }
    if (active.length === 0) break;
    const still: Simulation[] = [];
    for (const simulation of active) {
      if (simulation.advance()) {
        still.push(simulation);
        continue;
      }
      const outcome = simulation.outcome();
      totals.schedules += 1;
      totals.steps += outcome.steps;
      totals.requests += outcome.requests;
      totals.grants += outcome.grants;
      totals.simulatedMs += outcome.simulatedMs;
      for (const [name, n] of Object.entries(outcome.faults)) totals.faults[name as keyof FaultCounts] += n;
      if (outcome.violation) totals.failures.push(outcome);
      totals.wallMs = performance.now() - started;
      options.onOutcome?.(outcome, totals);
    }
    active = still;
    await settle();
  }
  totals.wallMs = performance.now() - started;
  return totals;
}

/** Whether a plan still fails the same way. */
async function failsLike(plan: Plan, violation: Violation): Promise<Violation | undefined> {
  const outcome = await runPlan(plan);
  return outcome.violation?.invariant === violation.invariant ? outcome.violation : undefined;
}

/**
 * The shortest schedule found that still breaks the same invariant: drop
 * chunks of steps (halves, then quarters, down to single steps), then
 * replicas and sessions, then simplify what is left, until nothing more can
 * go. Deterministic, like the runs: a seed always shrinks to the same plan.
 */
export async function shrink(
  plan: Plan,
  violation: Violation,
  options: { budget?: number } = {},
): Promise<{ plan: Plan; violation: Violation; runs: number }> {
  let best = plan;
  let bestViolation = violation;
  let runs = 0;
  const budget = options.budget ?? 2_000;
  const attempt = async (candidate: Plan): Promise<boolean> => {
    if (runs >= budget) return false;
    runs += 1;
    const found = await failsLike(candidate, violation);
    if (!found) return false;
    best = candidate;
    bestViolation = found;
    return true;
  };
  for (let progress = true; progress && runs < budget;) {
    progress = false;
    for (let size = Math.max(1, Math.floor(best.steps.length / 2)); size >= 1; size = size === 1 ? 0 : Math.max(1, Math.floor(size / 2))) {
      for (let at = 0; at < best.steps.length;) {
        const candidate = { ...best, steps: [...best.steps.slice(0, at), ...best.steps.slice(at + size)] };
        if (await attempt(candidate)) progress = true;
        else at += size;
      }
    }
    if (best.config.replicas > 1 && (await attempt(withoutReplica(best)))) progress = true;
    if (best.config.sessions > 1 && (await attempt(withoutSession(best)))) progress = true;
    for (let i = 0; i < best.steps.length; i += 1) {
      for (const simpler of simplify(best.steps[i]!)) {
        if (await attempt({ ...best, steps: best.steps.map((step, j) => (j === i ? simpler : step)) })) {
          progress = true;
          break;
        }
      }
    }
  }
  return { plan: best, violation: bestViolation, runs };
}

function withoutReplica(plan: Plan): Plan {
  const last = plan.config.replicas - 1;
  const steps = plan.steps.flatMap((step): Step[] => {
    if (step.kind === 'request') return [{ ...step, replica: Math.min(step.replica, last - 1) }];
    if (step.kind === 'storeFault' || step.kind === 'crash')
      return step.replica === last || (last === 1 && step.kind === 'crash') ? [] : [step];
    return [step];
  });
  return { ...plan, config: { ...plan.config, replicas: last }, steps };
}

function withoutSession(plan: Plan): Plan {
  const last = plan.config.sessions - 1;
  const steps = plan.steps.filter((step) => !('session' in step) || step.session !== last);
  return { ...plan, config: { ...plan.config, sessions: last, sessionLifetimeMs: plan.config.sessionLifetimeMs.slice(0, last) }, steps };
}

function* simplify(step: Step): Generator<Step> {
  if (step.kind === 'request') {
    if (step.stale) yield { ...step, stale: false };
    if (step.touch) yield { ...step, touch: false };
    if (step.force) yield { ...step, force: false };
  }
  if ((step.kind === 'idpOutage' || step.kind === 'storeOutage') && step.ms > 100) yield { ...step, ms: Math.floor(step.ms / 2) };
  if (step.kind === 'crash' && step.downMs > 100) yield { ...step, downMs: Math.floor(step.downMs / 2) };
}
