import type { Timers } from '@bff/fastify-bff';

/** One incarnation of a replica: when it crashes, nothing it was waiting for ever happens. */
export interface Process {
  readonly name: string;
  alive: boolean;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
  owner: Process | undefined;
  cancelled: boolean;
}

/**
 * Simulated time: a queue of events ordered by (time, insertion). Running one
 * event is one step. The code under test only ever waits on these events
 * (timers, store and IdP answers), so after a step and the microtasks it
 * starts, the next step is fully determined by the queue: a run is a function
 * of its seed.
 */
export class World {
  now: number;
  steps = 0;
  readonly #heap: Event[] = [];
  #seq = 0;
  readonly clock = (): number => this.now;

  constructor(readonly start: number) {
    this.now = start;
  }

  /** Runs `run` `ms` from now; an owner's events are skipped once it has crashed. */
  after(ms: number, run: () => void, owner?: Process): Event {
    const event: Event = { at: this.now + Math.max(0, ms), seq: this.#seq++, run, owner, cancelled: false };
    this.#push(event);
    return event;
  }

  cancel(event: Event | undefined): void {
    if (event) event.cancelled = true;
  }

  /** The time of the next live event, or undefined. */
  peek(): number | undefined {
    this.#dropDead();
    return this.#heap[0]?.at;
  }

  /** Runs the next live event; false when there is none. */
  step(): boolean {
    this.#dropDead();
    const event = this.#pop();
    if (!event) return false;
    this.now = event.at;
    this.steps += 1;
    event.run();
    return true;
  }

  /** The timers seam of TokenManager, driven by this world, for one process. */
  timersFor(owner: Process): Timers {
    return {
      sleep: (ms) => new Promise<void>((resolve) => void this.after(ms, resolve, owner)),
      setTimeout: (callback, ms) => this.after(ms, callback, owner),
      clearTimeout: (handle) => this.cancel(handle as Event | undefined),
      setInterval: (callback, ms) => {
        const interval: { event: Event | undefined; stopped: boolean } = { event: undefined, stopped: false };
        const tick = (): void => {
          if (interval.stopped) return;
          interval.event = this.after(ms, tick, owner);
          callback();
        };
        interval.event = this.after(ms, tick, owner);
        return interval;
      },
      clearInterval: (handle) => {
        const interval = handle as { event: Event | undefined; stopped: boolean } | undefined;
        if (!interval) return;
        interval.stopped = true;
        this.cancel(interval.event);
      },
      now: () => this.now,
    };
  }

  #dropDead(): void {
    for (;;) {
      const top = this.#heap[0];
      if (!top || (!top.cancelled && (top.owner === undefined || top.owner.alive))) return;
      this.#pop();
    }
  }

  #less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(event: Event): void {
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Event | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Lets every microtask that the last step started run to its end. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
