import { describe, expect, it } from 'vitest';
import { BffError } from '@bff/shared/client';
import { describeError } from '../describeError';

describe('describeError', () => {
  it('chooses the sentence by code, not by the text of the answer', () => {
    const upstream = new BffError('misleading text', { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect(describeError(upstream, 'loading your notes')).toMatch(/unavailable right now/);
    const idp = new BffError('misleading text', { status: 503, code: 'IDP_UNAVAILABLE' });
    expect(describeError(idp, 'loading your notes')).toMatch(/^Reconnecting\.\.\./);
    const refused = new BffError('misleading text', { status: 403, code: 'RESOURCE_REFUSED' });
    expect(describeError(refused, 'loading your invoices')).toBe('Your sign-in does not give access to this (loading your invoices).');
  });

  it("shows an upstream API's own 4xx description", () => {
    const error = new BffError('text must not be empty', { status: 400 });
    expect(describeError(error, 'saving the note')).toBe('text must not be empty');
  });

  it('stays generic for server faults and unknown errors', () => {
    expect(describeError(new BffError('stack trace here', { status: 500, code: 'INTERNAL' }), 'saving the note')).toBe(
      'Something went wrong saving the note.',
    );
    expect(describeError(new Error('x'), 'loading your profile')).toBe('Something went wrong loading your profile.');
  });
});
