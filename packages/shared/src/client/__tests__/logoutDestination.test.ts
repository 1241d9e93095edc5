import { describe, expect, it } from 'vitest';
import { logoutDestination } from '../logoutDestination.js';

describe('logoutDestination', () => {
  const origin = 'http://localhost:3000';

  it("follows the IdP's end-session URL", () => {
    const url = 'http://localhost:4000/session/end?id_token_hint=abc&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F';
    expect(logoutDestination(url, origin)).toBe(url);
  });

  it('goes home when there is none', () => {
    expect(logoutDestination(null, origin)).toBe('/');
  });

  it('refuses anything that is not http(s)', () => {
    expect(logoutDestination('javascript:alert(1)', origin)).toBe('/');
    expect(logoutDestination('data:text/html,hi', origin)).toBe('/');
  });
});
