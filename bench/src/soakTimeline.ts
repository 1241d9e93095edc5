/**
 * When each fault began and when each session ended, so that a failed soak
 * says what each lost session met, not only how many there were.
 */
export class SoakTimeline {
  readonly #started = Date.now();
  readonly #faults: Array<{ name: string; at: number }> = [];
  readonly #ended = new Map<string, { reason: string; replica: number; at: number }>();
  readonly #lost: Array<{ user: number; session: string; response: string; at: number }> = [];

  fault(name: string): void {
    this.#faults.push({ name, at: Date.now() });
  }

  ended(session: string, reason: string, replica: number): void {
    this.#ended.set(session, { reason, replica, at: Date.now() });
  }

  lost(user: number, session: string, response: string): void {
    this.#lost.push({ user, session, response, at: Date.now() });
  }

  /** One row per lost session: its first 401, how its session ended (if a replica ended it), and the fault last begun before that. */
  rows(): Array<Record<string, string | number>> {
    return this.#lost.map(({ user, session, response, at }) => {
      const ended = this.#ended.get(session);
      const when = ended?.at ?? at;
      const fault = this.#faults.findLast((f) => f.at <= when);
      return {
        user,
        session,
        'first 401': response,
        minute: this.#minute(at),
        'ended by': ended ? `replica ${ended.replica}: ${ended.reason} at ${this.#minute(ended.at)}` : '-',
        'last fault begun before': fault ? `${fault.name}, ${((when - fault.at) / 1000).toFixed(1)} s before` : '-',
      };
    });
  }

  #minute(at: number): string {
    return ((at - this.#started) / 60_000).toFixed(2);
  }
}
