import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** A 401 as RFC 6750 section 3 describes it, with the same description in header and body. */
export function expectInvalidToken(response: LightMyRequestResponse, description?: RegExp): void {
  expect(response.statusCode).toBe(401);
  const body = response.json<{ error: string; error_description: string }>();
  expect(body.error).toBe('invalid_token');
  if (description) expect(body.error_description).toMatch(description);
  expect(response.headers['www-authenticate']).toBe(`Bearer error="invalid_token", error_description="${body.error_description}"`);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
