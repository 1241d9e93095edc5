/**
 * A Map that forgets its oldest entries past `max`: for per-request work
 * that can be remembered (a verified cookie signature, a decrypted access
 * token) without letting memory grow with the number of sessions.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (this.#map.size >= this.max && !this.#map.has(key)) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }
}
