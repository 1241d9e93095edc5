import { describe, expect, it } from 'vitest';
import { computeSkew, formatRemaining, remainingMs } from '../sessionClock.js';

describe('computeSkew', () => {
  it('is the server clock minus the browser clock at the middle of the request', () => {
    const sentAt = Date.parse('2030-01-01T10:00:00.000Z');
    const receivedAt = sentAt + 200;
    // the server stamped its time 30 s ahead of the browser's midpoint
    expect(computeSkew('2030-01-01T10:00:30.100Z', sentAt, receivedAt)).toBe(30_000);
  });

  it('is negative when the browser clock runs ahead', () => {
    const at = Date.parse('2030-01-01T10:05:00.000Z');
    expect(computeSkew('2030-01-01T10:00:00.000Z', at, at)).toBe(-300_000);
  });

  it('is zero when the server sent no time or an unreadable one', () => {
    expect(computeSkew(undefined, 1, 2)).toBe(0);
    expect(computeSkew('not a date', 1, 2)).toBe(0);
  });
});

describe('remainingMs', () => {
  const expiresAt = '2030-01-01T10:10:00.000Z';
  const browserNow = Date.parse('2030-01-01T10:00:00.000Z');

  it('counts down to the expiry in the server clock', () => {
    expect(remainingMs(expiresAt, browserNow, 0)).toBe(600_000);
  });

  it('corrects a browser clock that is behind the server', () => {
    // server is 2 minutes ahead: only 8 minutes are really left
    expect(remainingMs(expiresAt, browserNow, 120_000)).toBe(480_000);
  });

  it('corrects a browser clock that is ahead of the server', () => {
    expect(remainingMs(expiresAt, browserNow, -60_000)).toBe(660_000);
  });

  it('never goes below zero, and treats an unreadable expiry as over', () => {
    expect(remainingMs(expiresAt, browserNow + 3_600_000, 0)).toBe(0);
    expect(remainingMs('garbage', browserNow, 0)).toBe(0);
  });
});

describe('formatRemaining', () => {
  it('shows minutes and zero-padded seconds', () => {
    expect(formatRemaining(754_000)).toBe('12:34');
    expect(formatRemaining(119_999)).toBe('1:59');
    expect(formatRemaining(5_000)).toBe('0:05');
  });

  it('shows hours from an hour up', () => {
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(90 * 24 * 3_600_000)).toBe('2160:00:00');
  });

  it('rounds partial seconds down and clamps negatives to 0:00', () => {
    expect(formatRemaining(999)).toBe('0:00');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });
});
