import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

// zlib's sync calls return a slice of a chunkSize buffer (16 KiB by default): small chunks leave no 16 KiB garbage per seal
const ZLIB = { chunkSize: 1024 };

/**
 * AES-256-GCM for tokens at rest (docs/architecture.md, rule 7). Several keys may be
 * configured for rotation: the first encrypts, all decrypt. Each ciphertext
 * names its key by a short id, so decryption never has to guess.
 *
 * Format: `v2.<kid>.<iv>.<ciphertext+tag>` (base64url parts), the plaintext
 * deflated before encryption (tokens are base64 text: about 30% smaller at
 * rest, which is most of a session's memory). `v1` (not deflated) still
 * decrypts.
 */
export class TokenCipher {
  readonly #keys: ReadonlyArray<{ id: string; key: KeyObject }>;
  readonly #byId: ReadonlyMap<string, KeyObject>;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new TypeError('TokenCipher needs at least one key');
    this.#keys = keys.map((raw, index) => {
      if (raw.length !== 32) throw new TypeError(`token encryption key #${index + 1} must be 32 bytes, got ${raw.length}`);
      return { id: createHash('sha256').update(raw).digest('base64url').slice(0, 8), key: createSecretKey(raw) };
    });
    this.#byId = new Map(this.#keys.map(({ id, key }) => [id, key]));
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(deflateRawSync(plaintext, ZLIB)), cipher.final(), cipher.getAuthTag()]);
    return `v2.${id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was not produced by one of the configured keys or was altered. */
  decrypt(sealed: string): string {
    const [version, id, ivPart, bodyPart] = sealed.split('.');
    if ((version !== 'v1' && version !== 'v2') || !id || !ivPart || !bodyPart) throw new Error('unrecognised ciphertext format');
    const key = this.#byId.get(id);
    if (!key) throw new Error('ciphertext was sealed with a key that is no longer configured');
    const iv = Buffer.from(ivPart, 'base64url');
    const body = Buffer.from(bodyPart, 'base64url');
    if (body.length < 16) throw new Error('ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    return (version === 'v2' ? inflateRawSync(plain, ZLIB) : plain).toString('utf8');
  }

  /** JSON helpers: the token set is stored as one sealed JSON document. */
  seal(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  open<T>(sealed: string): T {
    return JSON.parse(this.decrypt(sealed)) as T;
  }
}

/** Parses `TOKEN_ENCRYPTION_KEY`: comma-separated base64 (or base64url) 32-byte keys. */
export function parseEncryptionKeys(value: string): Buffer[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => Buffer.from(part, /[-_]/.test(part) ? 'base64url' : 'base64'));
}
