import type { Totals } from './run.js';

/** A line on standard output: what this tool is for. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The numbers of a search: how many schedules, how fast, and how many of each fault. */
export function printTotals(totals: Totals): void {
  const seconds = totals.wallMs / 1000;
  print(
    `${totals.schedules} schedules in ${seconds.toFixed(1)} s: ${(totals.schedules / seconds).toFixed(0)} schedules/s, ${(totals.steps / seconds).toFixed(0)} steps/s; ` +
      `${totals.requests} requests, ${totals.grants} grants, ${(totals.simulatedMs / 3_600_000).toFixed(1)} simulated hours; ${totals.failures.length} failing`,
  );
  print(
    `faults injected: ${Object.entries(totals.faults)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
  );
}
