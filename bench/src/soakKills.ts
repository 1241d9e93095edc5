import type { ReplicaReport, Stack } from '@bff/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Which refresh locks each replica process holds (they report taking and
 * releasing them), and which of them a SIGKILL took along: the sessions whose
 * grant a kill may have cut short. If the IdP had already rotated such a
 * session's refresh token, the new one died with the replica, and the next
 * grant is refused as reuse: the window no BFF can close
 * (docs/architecture.md). Any other refusal is a bug.
 */
export class KillLedger {
  readonly #held = new Map<number, Set<string>>();
  readonly #killedAt = new Map<number, number>();
  /** session (short id) -> when the replica holding its lock was killed */
  readonly #cut = new Map<string, number>();
  #kills = 0;

  onReport(replica: number, report: ReplicaReport): void {
    const held = this.#held.get(replica) ?? new Set<string>();
    this.#held.set(replica, held);
    if (report.type === 'lock') {
      if (report.held) held.add(report.session);
      else held.delete(report.session);
    }
    if (report.type !== 'listening') return;
    // a fresh process on this replica's port: what the last one held when it died is settled now (its pipe is drained)
    const killedAt = this.#killedAt.get(replica);
    if (killedAt !== undefined) for (const session of held) this.#cut.set(session, killedAt);
    this.#killedAt.delete(replica);
    this.#held.set(replica, new Set());
  }

  /** SIGKILLs the replica once it holds a refresh lock (or after 5 s without one), and starts it again. */
  async killHolder(stack: Stack, replica: number): Promise<void> {
    const giveUp = Date.now() + 5_000;
    while (!this.#held.get(replica)?.size && Date.now() < giveUp) await sleep(2);
    this.#kills += 1;
    this.#killedAt.set(replica, Date.now());
    await stack.killReplica(replica, 500);
  }

  /** Whether a kill took this session's lock along. */
  cutShort(session: string): boolean {
    return this.#cut.has(session);
  }

  summary(grants: ReadonlyMap<string, number[]>, endedBy: ReadonlyMap<string, string>) {
    let refused = 0;
    let maxResumeMs: number | undefined;
    for (const [session, killedAt] of this.#cut) {
      if (endedBy.get(session) === 'INVALID_GRANT') refused += 1;
      const next = grants.get(session)?.find((at) => at > killedAt);
      if (next !== undefined) maxResumeMs = Math.max(maxResumeMs ?? 0, next - killedAt);
    }
    return {
      kills: this.#kills,
      held: this.#cut.size,
      refused,
      maxResumeSeconds: maxResumeMs === undefined ? '-' : (maxResumeMs / 1000).toFixed(1),
    };
  }
}
