import { useSyncExternalStore } from 'react';

/**
 * One shared one-second clock, so every countdown on screen ticks together
 * (the header and the warning never disagree by a second). It only runs
 * while something is subscribed.
 */
const TICK_MS = 1_000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function tick() {
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    now = Date.now();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The browser clock, re-read every second. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
