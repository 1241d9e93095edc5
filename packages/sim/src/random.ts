/**
 * Every choice of a simulation comes from its seed: a plan is drawn from one
 * stream (`Random`), and per-operation noise (latencies) from `keyed`, a hash
 * of the seed and the operation's identity, so that removing one step of a
 * plan while shrinking does not reshuffle the noise of all the others.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uint32 (splitmix32). */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    return mix(this.#state);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** One of the keys, with the weights given. */
  weighted<K extends string | number>(weights: ReadonlyArray<readonly [K, number]>): K {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let x = this.float() * total;
    for (const [key, w] of weights) {
      x -= w;
      if (x < 0) return key;
    }
    return weights[weights.length - 1]![0];
  }
}

function mix(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A float in [0, 1) that depends only on the seed and the parts of a key. */
export function keyed(seed: number, ...parts: number[]): number {
  let h = mix((seed ^ 0x5bd1e995) >>> 0);
  for (const part of parts) h = mix((h ^ Math.imul(part | 0, 0x27d4eb2d)) + 0x165667b1);
  return h / 4294967296;
}
