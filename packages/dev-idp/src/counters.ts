/** Token grants served and refused, by grant_type: what the dev endpoint `/__test/counters` reports. */
export interface GrantCounters {
  served: number;
  refused: number;
}

export interface Counters {
  authorization_code: GrantCounters;
  refresh_token: GrantCounters;
  [grantType: string]: GrantCounters;
}

export class GrantCounter {
  #counts = new Map<string, GrantCounters>();
  /** Token requests answered `use_dpop_nonce`: a protocol step the client repeats with the nonce, not a refusal. */
  nonceChallenges = 0;

  served(grantType: string | undefined): void {
    this.#for(grantType).served += 1;
  }

  refused(grantType: string | undefined): void {
    this.#for(grantType).refused += 1;
  }

  snapshot(): Counters {
    const counters: Counters = {
      authorization_code: { served: 0, refused: 0 },
      refresh_token: { served: 0, refused: 0 },
    };
    for (const [grantType, counts] of this.#counts) counters[grantType] = { ...counts };
    return counters;
  }

  reset(): void {
    this.#counts.clear();
    this.nonceChallenges = 0;
  }

  #for(grantType: string | undefined): GrantCounters {
    // a request refused before its grant_type could be read is counted as `unknown`
    const key = grantType !== undefined && grantType !== '' ? grantType : 'unknown';
    let counts = this.#counts.get(key);
    if (counts === undefined) {
      counts = { served: 0, refused: 0 };
      this.#counts.set(key, counts);
    }
    return counts;
  }
}
