import { describeConfig, describeStep, planFor, type Plan } from './plan.js';
import { print, printTotals } from './report.js';
import { runPlan, runSeeds, shrink } from './run.js';
import type { Outcome } from './simulation.js';

/**
 * pnpm sim --seed N            replays schedule N step by step (and shrinks it if it fails)
 * pnpm sim --schedules N       searches N schedules from --from (default 1), stops at the first failure
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 1) {
  const arg = process.argv[i]!;
  if (!arg.startsWith('--')) continue;
  const next = process.argv[i + 1];
  if (next !== undefined && !next.startsWith('--')) {
    args.set(arg.slice(2), next);
    i += 1;
  } else args.set(arg.slice(2), 'true');
}
const number = (name: string, fallback: number) => (args.has(name) ? Number(args.get(name)) : fallback);

function printPlan(plan: Plan): void {
  print(`schedule of seed ${plan.seed}:\n${describeConfig(plan.config)}`);
  // in time order; faults addressed by a command's or a grant's number after
  const when = (step: Plan['steps'][number]) => ('at' in step ? step.at : Number.POSITIVE_INFINITY);
  for (const step of [...plan.steps].sort((a, b) => when(a) - when(b))) print(`  - ${describeStep(step)}`);
}

async function replay(seed: number): Promise<void> {
  const plan = planFor(seed);
  printPlan(plan);
  print('\nstep by step:');
  const outcome = await runPlan(plan, { trace: print });
  report(outcome);
  if (!outcome.violation || args.has('no-shrink')) return;
  print('\nshrinking...');
  const shrunk = await shrink(plan, outcome.violation);
  print(`shortest failing schedule (${shrunk.plan.steps.length} of ${plan.steps.length} steps, ${shrunk.runs} runs):`);
  printPlan(shrunk.plan);
  print(`as a plan: ${JSON.stringify(shrunk.plan)}`);
  print('\nstep by step:');
  report(await runPlan(shrunk.plan, { trace: print }));
  process.exitCode = 1;
}

function report(outcome: Outcome): void {
  if (outcome.violation) {
    const { invariant, message, at } = outcome.violation;
    print(`\nVIOLATED at ${at - 1_700_000_000_000} ms: ${invariant}\n  ${message}\n  replay: pnpm sim --seed ${outcome.seed}`);
  } else print(`\nseed ${outcome.seed}: all invariants held (${outcome.steps} steps, ${outcome.simulatedMs} ms simulated)`);
}

async function search(from: number, count: number): Promise<void> {
  let lastPrint = performance.now();
  function* seeds() {
    for (let seed = from; seed < from + count; seed += 1) yield seed;
  }
  const totals = await runSeeds(seeds(), {
    concurrency: number('concurrency', 32),
    stopAtFirstFailure: !args.has('keep-going'),
    onOutcome: (outcome, running) => {
      if (outcome.violation)
        print(
          `seed ${outcome.seed} FAILS after ${(running.wallMs / 1000).toFixed(2)} s (${running.schedules} schedules): ${outcome.violation.invariant}: ${outcome.violation.message}`,
        );
      if (performance.now() - lastPrint > 10_000) {
        lastPrint = performance.now();
        printTotals(running);
      }
    },
  });
  printTotals(totals);
  const first = totals.failures[0];
  if (!first?.violation) return;
  process.exitCode = 1;
  const plan = planFor(first.seed);
  const shrunk = await shrink(plan, first.violation);
  print(`\nseed ${first.seed}: shortest failing schedule (${shrunk.plan.steps.length} of ${plan.steps.length} steps):`);
  printPlan(shrunk.plan);
  print(`violated: ${shrunk.violation.invariant}: ${shrunk.violation.message}`);
  print(`replay step by step: pnpm sim --seed ${first.seed}`);
}

if (args.has('seed')) await replay(number('seed', 1));
else await search(number('from', 1), number('schedules', 10_000));
