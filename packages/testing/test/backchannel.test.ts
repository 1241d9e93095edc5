import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../src/index.js';

describe('OIDC back-channel logout', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  const post = (body: string) =>
    fetch(`${stack.bffUrl}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it("ends the named user's sessions, which then report TOKEN_REVOKED", async () => {
    const alice = stack.browser();
    await alice.signIn(stack.bffUrl, 'alice');
    const bob = stack.browser();
    await bob.signIn(stack.bffUrl, 'bob');
    expect(await stack.idp.backchannelLogout('alice')).toBe(1);
    expect((await alice.api(`${stack.bffUrl}/api/me`)).body).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect((await bob.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });

  it('refuses a logout token signed by someone else, one with a nonce, and a missing one', async () => {
    const alice = stack.browser();
    await alice.signIn(stack.bffUrl, 'alice');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sub: 'alice', jti: 'x' })
      .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'attacker' })
      .setIssuer(stack.idp.issuer)
      .setAudience(stack.idp.clientId)
      .setIssuedAt()
      .sign(privateKey);
    for (const body of [`logout_token=${forged}`, 'logout_token=not-a-jwt', '']) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect((await alice.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });
});
