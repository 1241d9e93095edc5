import { networkInterfaces } from 'node:os';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { JSON_ONLY_DESCRIPTION, REFRESH_REFUSALS, type RunningIdp } from '../index.js';
import { Browser } from './browser.js';
import { ALICE, API_AUDIENCE, confidentialClient, decodeJwt, login, refreshRefusal, startTestIdp } from './fixture.js';

const running: RunningIdp[] = [];
async function idp(options: Parameters<typeof startTestIdp>[0] = {}): Promise<RunningIdp> {
  const started = await startTestIdp(options);
  running.push(started);
  return started;
}

function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((address) => address.address === '::1'));
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

describe('the dev IdP', () => {
  it('signs alice in through the login form and issues an ID token with name and email, a JWT access token for the API and a refresh token with its lifetime', async () => {
    const provider = await idp();
    const { signIn, tokens } = await login(await confidentialClient(provider));

    expect(signIn.formsShown).toBe(1);
    expect(tokens).toBeDefined();
    const claims = tokens?.claims();
    expect(claims).toMatchObject({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com', email_verified: true });
    const accessToken = decodeJwt(tokens?.access_token ?? '');
    expect(accessToken.header['typ']).toBe('at+jwt');
    expect(accessToken.payload).toMatchObject({ sub: 'alice', aud: API_AUDIENCE, name: 'Alice Liddell', email: 'alice@example.com' });
    expect(tokens?.expires_in).toBe(900);
    expect(typeof tokens?.refresh_token).toBe('string');
    expect(tokens?.['refresh_token_expires_in']).toBe(86_400);
  });

  it('rotates the refresh token under seed-002 and revokes the grant when the old one is used again', async () => {
    const provider = await idp({ profile: 'seed-002' });
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    const first = tokens?.refresh_token ?? '';

    const refreshed = await client.refreshTokenGrant(config, first);
    const second = refreshed.refresh_token ?? '';
    expect(second).not.toBe(first);
    expect(refreshed['refresh_token_expires_in']).toBe(86_400);
    expect(decodeJwt(refreshed.access_token).payload['aud']).toBe(API_AUDIENCE);

    expect(await refreshRefusal(config, first)).toEqual({ error: 'invalid_grant', description: REFRESH_REFUSALS.reuse });
    const afterReuse = await refreshRefusal(config, second);
    expect(afterReuse.error).toBe('invalid_grant');
    expect([REFRESH_REFUSALS.revoked, REFRESH_REFUSALS.reuse]).toContain(afterReuse.description);
  });

  it('detects two concurrent refreshes with one refresh token as reuse and revokes the grant', async () => {
    const provider = await idp();
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    const refreshToken = tokens?.refresh_token ?? '';

    const results = await Promise.allSettled([
      client.refreshTokenGrant(config, refreshToken),
      client.refreshTokenGrant(config, refreshToken),
    ]);
    const served = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(served).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0]?.reason as client.ResponseBodyError).error_description).toBe(REFRESH_REFUSALS.reuse);
    const rotated = served[0]?.value.refresh_token ?? '';
    expect((await refreshRefusal(config, rotated)).description).toBe(REFRESH_REFUSALS.revoked);
  });

  it('answers seed-003 refreshes without a refresh token and keeps the same one working', async () => {
    const provider = await idp({ profile: 'seed-003' });
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    const refreshToken = tokens?.refresh_token ?? '';
    expect(tokens?.['refresh_token_expires_in']).toBeGreaterThan(364 * 86_400);

    for (let round = 0; round < 2; round += 1) {
      const refreshed = await client.refreshTokenGrant(config, refreshToken);
      expect(refreshed.refresh_token).toBeUndefined();
      expect(refreshed['refresh_token_expires_in']).toBeUndefined();
      expect(decodeJwt(refreshed.access_token).payload['sub']).toBe('alice');
    }
  });

  it('accepts only JSON token requests with the client credentials in the body under seed-001', async () => {
    const provider = await idp({ profile: 'seed-001' });
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    const refreshToken = tokens?.refresh_token ?? '';

    const form = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
      }),
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toEqual({ error: 'invalid_request', error_description: JSON_ONLY_DESCRIPTION });

    const json = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
      }),
    });
    expect(json.status).toBe(200);
    const body = (await json.json()) as Record<string, unknown>;
    expect(typeof body['access_token']).toBe('string');
    expect(body['refresh_token']).not.toBe(refreshToken);
    expect(provider.counters().refresh_token).toEqual({ served: 1, refused: 1 });
  });

  it('lets a short refresh token lifetime expire and says so', async () => {
    const provider = await idp({ accessTokenTtl: 1, refreshTokenTtl: 2 });
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    expect(tokens?.expires_in).toBe(1);
    expect(tokens?.['refresh_token_expires_in']).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await refreshRefusal(config, tokens?.refresh_token ?? '')).toEqual({
      error: 'invalid_grant',
      description: REFRESH_REFUSALS.expired,
    });
  });

  it('revokes every grant of a user and counts the grants it served and refused', async () => {
    const provider = await idp();
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    await client.refreshTokenGrant(config, 'not-a-refresh-token').catch(() => undefined);

    const counters = await fetch(`${provider.issuer}/__test/counters`);
    expect(await counters.json()).toEqual({ authorization_code: { served: 1, refused: 0 }, refresh_token: { served: 0, refused: 1 } });
    expect((await fetch(`${provider.issuer}/__test/counters/reset`, { method: 'POST' })).status).toBe(204);
    expect(provider.counters().authorization_code).toEqual({ served: 0, refused: 0 });

    const revoke = await fetch(`${provider.issuer}/__test/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(await revoke.json()).toEqual({ revoked: 1 });
    expect(await refreshRefusal(config, tokens?.refresh_token ?? '')).toEqual({
      error: 'invalid_grant',
      description: REFRESH_REFUSALS.revoked,
    });
    expect(await provider.revokeUser('alice')).toBe(0);
    expect(provider.counters().refresh_token).toEqual({ served: 0, refused: 1 });
  });

  it('reports a refresh token revoked at the revocation endpoint as revoked', async () => {
    const provider = await idp();
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);
    await client.tokenRevocation(config, tokens?.refresh_token ?? '');
    expect(await refreshRefusal(config, tokens?.refresh_token ?? '')).toEqual({
      error: 'invalid_grant',
      description: REFRESH_REFUSALS.revoked,
    });
  });

  it('has no dev endpoints when devEndpoints is false', async () => {
    const provider = await idp({ devEndpoints: false });
    expect((await fetch(`${provider.issuer}/__test/counters`)).status).toBe(404);
    expect((await fetch(`${provider.issuer}/__test/revoke?sub=alice`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses connections while stopped and honours earlier refresh tokens after start', async () => {
    const provider = await idp();
    const config = await confidentialClient(provider);
    const { tokens } = await login(config);

    if (hasIpv6Loopback()) expect((await fetch(`http://[::1]:${provider.port}/jwks`)).status).toBe(200);
    await provider.stop();
    await expect(fetch(`${provider.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await provider.start();

    const refreshed = await client.refreshTokenGrant(config, tokens?.refresh_token ?? '');
    expect(decodeJwt(refreshed.access_token).payload['sub']).toBe('alice');
  });

  it('shows an alert and issues no code for a wrong password', async () => {
    const provider = await idp();
    const { signIn, tokens } = await login(await confidentialClient(provider), { credentials: { username: 'alice', password: 'wrong' } });
    expect(tokens).toBeUndefined();
    expect(signIn.callback).toBeUndefined();
    expect(signIn.formsShown).toBe(2);
    expect(signIn.page?.status).toBe(200);
    expect(signIn.page?.html).toContain('<p role="alert">Invalid username or password.</p>');
    expect(signIn.page?.html).toContain('Sign in to the Dev IdP');
  });

  it('escapes what it echoes into the login page', async () => {
    const provider = await idp();
    const { signIn } = await login(await confidentialClient(provider), { params: { login_hint: '"><script>alert(1)</script>' } });
    expect(signIn.page?.html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(signIn.page?.html).not.toContain('<script>alert(1)');
  });

  it('remembers the IdP session but shows the form again for prompt=login, still issuing a refresh token', async () => {
    const provider = await idp();
    const config = await confidentialClient(provider);
    const browser = new Browser();
    await login(config, { credentials: ALICE, browser });

    const silent = await login(config, { browser });
    expect(silent.signIn.formsShown).toBe(0);
    expect(silent.tokens?.refresh_token).toBeDefined();

    const again = await login(config, { credentials: { username: 'bob', password: 'bob-password' }, params: { prompt: 'login' }, browser });
    expect(again.signIn.formsShown).toBe(1);
    expect(again.tokens?.claims()?.sub).toBe('bob');
    expect(again.tokens?.refresh_token).toBeDefined();
  });
});
