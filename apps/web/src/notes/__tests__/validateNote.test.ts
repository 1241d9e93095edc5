import { describe, expect, it } from 'vitest';
import { NOTE_MAX_LENGTH } from '@bff/shared';
import { validateNote } from '../validateNote';

describe('validateNote', () => {
  it('refuses an empty or blank note', () => {
    expect(validateNote('')).toMatch(/write something/i);
    expect(validateNote('   \n ')).toMatch(/write something/i);
  });

  it(`accepts up to ${NOTE_MAX_LENGTH} characters and refuses more`, () => {
    expect(validateNote('a'.repeat(NOTE_MAX_LENGTH))).toBeNull();
    expect(validateNote('a'.repeat(NOTE_MAX_LENGTH + 1))).toContain(String(NOTE_MAX_LENGTH));
  });
});
