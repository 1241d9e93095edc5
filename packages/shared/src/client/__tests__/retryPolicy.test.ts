import { describe, expect, it } from 'vitest';
import { BffError } from '../BffError.js';
import { MAX_RETRIES, MAX_RETRY_DELAY_MS, MAX_SERVER_ERROR_RETRIES, retryDelay, shouldRetry } from '../retryPolicy.js';

const bff = (status: number, code?: ConstructorParameters<typeof BffError>[1]['code']) => new BffError('x', { status, code });

describe('shouldRetry', () => {
  it('retries IDP_UNAVAILABLE, network failures and other 5xx', () => {
    expect(shouldRetry(0, bff(503, 'IDP_UNAVAILABLE'))).toBe(true);
    expect(shouldRetry(0, bff(0))).toBe(true);
    expect(shouldRetry(0, bff(502, 'UPSTREAM_UNAVAILABLE'))).toBe(true);
    expect(shouldRetry(0, bff(500, 'INTERNAL'))).toBe(true);
  });

  it('never retries a 401: only a person signing in again helps', () => {
    for (const code of ['UNAUTHENTICATED', 'SESSION_EXPIRED', 'EXPIRED_TOKEN', 'TOKEN_REVOKED', 'INVALID_GRANT'] as const) {
      expect(shouldRetry(0, bff(401, code))).toBe(false);
    }
  });

  it('never retries any other 4xx, passed-through API errors included', () => {
    expect(shouldRetry(0, bff(403, 'CSRF_REQUIRED'))).toBe(false);
    expect(shouldRetry(0, bff(429, 'RATE_LIMITED'))).toBe(false);
    expect(shouldRetry(0, bff(400))).toBe(false);
    expect(shouldRetry(0, bff(404, 'NOT_FOUND'))).toBe(false);
  });

  it(`waits for the IdP or the network through ${MAX_RETRIES} retries`, () => {
    for (const error of [bff(503, 'IDP_UNAVAILABLE'), bff(0), bff(503, 'SESSION_STORE_UNAVAILABLE')]) {
      expect(shouldRetry(MAX_RETRIES - 1, error)).toBe(true);
      expect(shouldRetry(MAX_RETRIES, error)).toBe(false);
    }
  });

  it(`gives other 5xx only ${MAX_SERVER_ERROR_RETRIES} retries, so the data shows as unavailable soon`, () => {
    const error = bff(502, 'UPSTREAM_UNAVAILABLE');
    expect(shouldRetry(MAX_SERVER_ERROR_RETRIES - 1, error)).toBe(true);
    expect(shouldRetry(MAX_SERVER_ERROR_RETRIES, error)).toBe(false);
  });

  it('does not retry errors that are not from the BFF (bugs in the app)', () => {
    expect(shouldRetry(0, new TypeError('boom'))).toBe(false);
  });
});

describe('retryDelay', () => {
  it('doubles from one second and is capped', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(n))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(retryDelay(20)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('jitter only ever shortens the wait, by at most a fifth', () => {
    expect(retryDelay(3, 0.999)).toBeGreaterThan(6_400);
    expect(retryDelay(3, 0.999)).toBeLessThanOrEqual(8_000);
    expect(retryDelay(0, 0.5)).toBe(900);
  });
});
