import { describe, expect, it } from 'vitest';
import { printTotals } from '../report.js';
import { planFor } from '../plan.js';
import { runPlan, runSeeds } from '../run.js';

/** The CI budget: SIM_SCHEDULES seeded schedules (default 10 000) on every `pnpm test`. */
const BUDGET = Number(process.env.SIM_SCHEDULES ?? 10_000);

describe('the refresh protocol under simulation', () => {
  it('replays a seed exactly: the same schedule takes the same steps to the same end', async () => {
    for (const seed of [1, 2, 3]) {
      const a: string[] = [];
      const b: string[] = [];
      const first = await runPlan(planFor(seed), { trace: (line) => a.push(line) });
      const second = await runPlan(planFor(seed), { trace: (line) => b.push(line) });
      expect(second).toEqual(first);
      expect(b).toEqual(a);
      expect(first.steps).toBeGreaterThan(10);
    }
  });

  it('gives the same outcome alone and interleaved with other schedules', async () => {
    const alone = await runPlan(planFor(42));
    const together: unknown[] = [];
    await runSeeds([40, 41, 42, 43], { concurrency: 4, onOutcome: (outcome) => outcome.seed === 42 && together.push(outcome) });
    expect(together).toEqual([alone]);
  });

  it(`keeps every invariant over ${BUDGET} seeded schedules`, async () => {
    const totals = await runSeeds({
      [Symbol.iterator]: function* () {
        for (let seed = 1; seed <= BUDGET; seed += 1) yield seed;
      },
    });
    printTotals(totals);
    const failure = totals.failures[0];
    expect(
      failure?.violation &&
        `seed ${failure.seed}: ${failure.violation.invariant}: ${failure.violation.message} (replay: pnpm sim --seed ${failure.seed})`,
    ).toBeUndefined();
    expect(totals.schedules).toBe(BUDGET);
  });
});
