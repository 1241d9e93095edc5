import { describe, expect, it } from 'vitest';
import { SESSION_ENDS_BY } from '@bff/shared';
import { warningAnnouncement, warningReason } from '../warningMessages';

describe('the warning wording', () => {
  it.each([
    ['idle', true, 'Your session ends in 1:28 because of inactivity.'],
    ['refresh_token', true, 'Your session ends in 1:28 unless you stay signed in.'],
    ['absolute', false, 'Your session ends in 1:28. It has reached its maximum length, so you will need to sign in again.'],
    ['access_token', false, 'Your session ends in 1:28. Your sign-in cannot be renewed, so you will need to sign in again.'],
    ['refresh_token', false, 'Your session ends in 1:28. Your sign-in cannot be renewed, so you will need to sign in again.'],
  ] as const)('against the %s deadline (Stay signed in offered: %s) reads "%s"', (endsBy, canExtend, sentence) => {
    expect(`Your session ends in 1:28${warningReason(endsBy, canExtend)}`).toBe(sentence);
  });

  it('is one sentence or two, each ending in one full stop, with no stray dash or doubled space', () => {
    for (const endsBy of SESSION_ENDS_BY) {
      for (const canExtend of [true, false]) {
        const sentence = `Your session ends in 1:28${warningReason(endsBy, canExtend)}`;
        expect(sentence).not.toMatch(/ [-–—]| {2}|\.\.|\s$/);
        expect(sentence).toMatch(/[a-z]\.$/);
      }
    }
  });
});

describe('the announcement', () => {
  it('says the whole minutes left, rounded up, with the same reason as the warning', () => {
    expect(warningAnnouncement(88_000, 'idle', true)).toBe('Your session ends within 2 minutes because of inactivity.');
    expect(warningAnnouncement(60_000, 'idle', true)).toBe('Your session ends within a minute because of inactivity.');
    expect(warningAnnouncement(3_000, 'absolute', false)).toBe(
      'Your session ends within a minute. It has reached its maximum length, so you will need to sign in again.',
    );
  });

  it('changes at most once a minute while the countdown ticks every second', () => {
    const seen = new Set<string>();
    for (let left = 120_000; left > 0; left -= 1_000) seen.add(warningAnnouncement(left, 'idle', true));
    expect([...seen]).toEqual([
      'Your session ends within 2 minutes because of inactivity.',
      'Your session ends within a minute because of inactivity.',
    ]);
  });
});
