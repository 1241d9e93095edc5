import type { EventSink } from './events.js';

/**
 * The same object, each of whose methods reports its duration and whether it
 * failed (`store.op`). For the session store and the refresh coordinator,
 * only when metrics are on: off, the hot path pays nothing.
 */
export function instrumented<T extends object>(target: T, prefix: string, emit: EventSink): T {
  return new Proxy(target, {
    get(object, name) {
      // the target itself as `this`: getters and methods may use private fields
      const value = Reflect.get(object, name) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof name !== 'string' || name === 'close') return (value as (...a: unknown[]) => unknown).bind(object);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(object, args);
          emit({ type: 'store.op', op: `${prefix}.${name}`, seconds: (performance.now() - started) / 1000, ok: true });
          return result;
        } catch (err) {
          emit({ type: 'store.op', op: `${prefix}.${name}`, seconds: (performance.now() - started) / 1000, ok: false });
          throw err;
        }
      };
    },
  });
}
