import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS } from '@bff/shared';
import { DEFAULT_MESSAGES, bffError } from '../errors.js';

describe('the error codes', () => {
  it('agree between the shared union and the README table', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code, Number(status)]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
  });

  it('each have a human sentence and answer with their own status', () => {
    for (const code of ERROR_CODES) {
      expect(DEFAULT_MESSAGES[code].length).toBeGreaterThan(10);
      const error = bffError(code);
      expect(error.statusCode).toBe(ERROR_STATUS[code]);
      expect(error.toBody().code).toBe(code);
    }
  });

  it('hide the message of a 500 from the client', () => {
    expect(bffError('INTERNAL', 'database password is hunter2').toBody()).toEqual({
      error: 'Something went wrong on our side.',
      code: 'INTERNAL',
    });
    expect(bffError('IDP_UNAVAILABLE').toBody().error).toMatch(/session is kept/);
  });
});
