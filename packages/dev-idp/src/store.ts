import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The provider's state, held in this process (dev only). Unlike oidc-provider's
 * bundled memory adapter it is one store per IdP instance, has no size cap, can be
 * queried by account (revokeUser, back-channel logout), and remembers why a refresh
 * token disappeared so the token endpoint can say so.
 */

interface Entry {
  payload: AdapterPayload;
  /** epoch ms after which the record is gone for the provider */
  expiresAt: number;
  /** epoch ms after which the record is swept from memory */
  retainUntil: number;
}

export type TombstoneReason = 'revoked' | 'reuse';

export interface Tombstone {
  reason: TombstoneReason;
  /** epoch seconds: the token's own expiry */
  exp: number;
  /** epoch seconds */
  removedAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// expired refresh tokens stay findable for a day so the provider reports "expired" rather than "not found"
const EXPIRED_REFRESH_TOKEN_RETENTION_MS = DAY_MS;
const SWEEP_EVERY_WRITES = 500;
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const epochSeconds = (): number => Math.floor(Date.now() / 1000);

export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #grantMembers = new Map<string, Set<string>>();
  readonly #sessionIdsByUid = new Map<string, string>();
  readonly #tombstones = new Map<string, Tombstone & { retainUntil: number }>();
  readonly #revokedGrants = new Set<string>();
  #writes = 0;

  /** The `adapter` option for oidc-provider. */
  readonly adapterFactory = (model: string): Adapter => this.#adapter(model);

  /** A live (unexpired) record. */
  get(model: string, id: string): AdapterPayload | undefined {
    const entry = this.#entries.get(`${model}:${id}`);
    return entry !== undefined && entry.expiresAt > Date.now() ? entry.payload : undefined;
  }

  /** Why the refresh token with this value was removed, when it was. */
  refreshTokenTombstone(id: string): Tombstone | undefined {
    return this.#tombstones.get(id);
  }

  isGrantRevoked(grantId: string): boolean {
    return this.#revokedGrants.has(grantId);
  }

  /** Live records of one model belonging to an account. */
  findByAccount(model: 'Grant' | 'Session', accountId: string): Array<{ id: string; payload: AdapterPayload }> {
    const now = Date.now();
    const found: Array<{ id: string; payload: AdapterPayload }> = [];
    for (const [key, entry] of this.#entries) {
      if (key.startsWith(`${model}:`) && entry.expiresAt > now && entry.payload.accountId === accountId) {
        found.push({ id: key.slice(model.length + 1), payload: entry.payload });
      }
    }
    return found;
  }

  /** Removes every token of a grant and the grant itself; returns whether the grant existed. */
  revokeGrant(grantId: string): boolean {
    this.#revokeMembers(grantId, undefined);
    this.#revokedGrants.add(grantId);
    return this.#delete('Grant', grantId);
  }

  destroySession(id: string): void {
    this.#delete('Session', id);
  }

  #adapter(model: string): Adapter {
    return {
      upsert: async (id, payload, expiresIn) => {
        this.#upsert(model, id, payload, expiresIn);
      },
      find: async (id) => this.#find(model, id),
      findByUid: async (uid) => {
        const id = this.#sessionIdsByUid.get(uid);
        return id === undefined ? undefined : this.#find(model, id);
      },
      findByUserCode: async () => undefined,
      consume: async (id) => {
        const entry = this.#entries.get(`${model}:${id}`);
        if (entry !== undefined) entry.payload.consumed = epochSeconds();
      },
      destroy: async (id) => {
        this.#delete(model, id);
      },
      revokeByGrantId: async (grantId) => {
        this.#revokeMembers(grantId, model);
        this.#revokedGrants.add(grantId);
      },
    };
  }

  #find(model: string, id: string): AdapterPayload | undefined {
    const entry = this.#entries.get(`${model}:${id}`);
    if (entry === undefined) return undefined;
    // the models check `exp` themselves; only the refresh token is handed out past it
    if (entry.expiresAt <= Date.now() && model !== 'RefreshToken') return undefined;
    if (entry.retainUntil <= Date.now()) return undefined;
    return entry.payload;
  }

  #upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const key = `${model}:${id}`;
    const now = Date.now();
    const expiresAt = typeof expiresIn === 'number' ? now + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    const retainUntil = model === 'RefreshToken' ? expiresAt + EXPIRED_REFRESH_TOKEN_RETENTION_MS : expiresAt;
    this.#entries.set(key, { payload, expiresAt, retainUntil });
    if (model === 'Session' && typeof payload.uid === 'string') this.#sessionIdsByUid.set(payload.uid, id);
    if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
      const members = this.#grantMembers.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.#grantMembers.set(payload.grantId, members);
    }
    this.#writes += 1;
    if (this.#writes % SWEEP_EVERY_WRITES === 0) this.#sweep();
  }

  #delete(model: string, id: string, reason: TombstoneReason = 'revoked'): boolean {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    const { payload } = entry;
    if (model === 'RefreshToken') {
      // a consumed (rotated) refresh token is only destroyed when it is presented again
      this.#bury(id, payload, payload.consumed !== undefined ? 'reuse' : reason);
    }
    if (model === 'Session' && typeof payload.uid === 'string' && this.#sessionIdsByUid.get(payload.uid) === id) {
      this.#sessionIdsByUid.delete(payload.uid);
    }
    if (typeof payload.grantId === 'string') this.#grantMembers.get(payload.grantId)?.delete(key);
    return true;
  }

  #revokeMembers(grantId: string, model: string | undefined): void {
    const members = this.#grantMembers.get(grantId);
    if (members === undefined) return;
    for (const key of [...members]) {
      const separator = key.indexOf(':');
      const memberModel = key.slice(0, separator);
      if (model === undefined || memberModel === model) this.#delete(memberModel, key.slice(separator + 1), 'revoked');
    }
    if (members.size === 0) this.#grantMembers.delete(grantId);
  }

  #bury(id: string, payload: AdapterPayload, reason: TombstoneReason): void {
    if (this.#tombstones.has(id)) return;
    const exp = typeof payload.exp === 'number' ? payload.exp : Number.POSITIVE_INFINITY;
    const removedAt = epochSeconds();
    const retainUntil = Math.min(exp, removedAt) * 1000 + EXPIRED_REFRESH_TOKEN_RETENTION_MS + DAY_MS;
    this.#tombstones.set(id, { reason, exp, removedAt, retainUntil });
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.retainUntil <= now) {
        const separator = key.indexOf(':');
        // expiry is not revocation: no tombstone
        this.#entries.delete(key);
        const { payload } = entry;
        if (typeof payload.grantId === 'string') this.#grantMembers.get(payload.grantId)?.delete(key);
        if (key.slice(0, separator) === 'Session' && typeof payload.uid === 'string') this.#sessionIdsByUid.delete(payload.uid);
      }
    }
    for (const [id, tombstone] of this.#tombstones) {
      if (tombstone.retainUntil <= now) this.#tombstones.delete(id);
    }
  }
}
