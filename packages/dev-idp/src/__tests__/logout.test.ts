import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ID_TOKEN_HINT_REQUIRED, REFRESH_REFUSALS, type IdpOptions, type RunningIdp } from '../index.js';
import { Browser } from './browser.js';
import { ALICE, confidentialClient, freePort, login, refreshRefusal, startTestIdp } from './fixture.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

/** A stand-in for the BFF: records the logout tokens posted to its back-channel endpoint. */
async function bffReceiver(backchannelPath = '/auth/backchannel-logout'): Promise<{ url: string; logoutTokens: string[] }> {
  const logoutTokens: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === backchannelPath) {
        const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token');
        if (token !== null) logoutTokens.push(token);
        res.writeHead(200).end();
        return;
      }
      res.writeHead(404).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, logoutTokens };
}

async function idpFor(bffUrl: string, options: Partial<IdpOptions> = {}): Promise<RunningIdp> {
  const idp = await startTestIdp({ bffPublicUrl: bffUrl, ...options });
  cleanup.push(() => idp.close());
  return idp;
}

describe('logout at the dev IdP', () => {
  it('sends a signed back-channel logout token naming the session and revokes its grant', async () => {
    const bff = await bffReceiver();
    const idp = await idpFor(bff.url);
    const config = await confidentialClient(idp);
    const { tokens } = await login(config, { credentials: ALICE, redirectUri: `${bff.url}/auth/callback` });
    const sid = tokens?.claims()?.['sid'];
    expect(typeof sid).toBe('string');

    const response = await fetch(`${idp.issuer}/__test/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(await response.json()).toEqual({ sent: 1 });

    expect(bff.logoutTokens).toHaveLength(1);
    const { payload } = await jwtVerify(bff.logoutTokens[0] ?? '', createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
      issuer: idp.issuer,
      audience: idp.clientId,
    });
    expect(payload).toMatchObject({ sub: 'alice', sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
    expect(await refreshRefusal(config, tokens?.refresh_token ?? '')).toEqual({
      error: 'invalid_grant',
      description: REFRESH_REFUSALS.revoked,
    });
    expect(await idp.backchannelLogout('alice')).toBe(0);
  });

  it('signs out at once through RP-initiated logout with an id_token_hint and asks for the password next time', async () => {
    const bff = await bffReceiver();
    const idp = await idpFor(bff.url);
    const config = await confidentialClient(idp);
    const browser = new Browser();
    const redirectUri = `${bff.url}/auth/callback`;
    const { tokens } = await login(config, { credentials: ALICE, browser, redirectUri });

    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens?.id_token ?? '',
      post_logout_redirect_uri: `${bff.url}/`,
    });
    const confirmation = await (await browser.get(endSession)).text();
    expect(confirmation).toContain('name="logout" value="yes"');
    const action = /action="([^"]+)"/.exec(confirmation)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation)?.[1] ?? '';
    const done = await browser.post(action, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${bff.url}/`);
    expect(bff.logoutTokens).toHaveLength(1);

    const next = await login(config, { browser, redirectUri });
    expect(next.signIn.formsShown).toBe(1);
    expect(next.tokens).toBeUndefined();
  });

  it('lets the public client sign in with PKCE and no secret', async () => {
    const idp = await idpFor('http://127.0.0.1:3999');
    const config = await client.discovery(new URL(idp.issuer), `${idp.clientId}-public`, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const { tokens } = await login(config);
    expect(tokens?.claims()?.sub).toBe('alice');
    const refreshed = await client.refreshTokenGrant(config, tokens?.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens?.refresh_token);
  });
});

describe('the strict-logout profile', () => {
  it('refuses RP-initiated logout that names the client without id_token_hint, and keeps the login session', async () => {
    const bff = await bffReceiver();
    const idp = await idpFor(bff.url, { profile: 'strict-logout' });
    const config = await confidentialClient(idp);
    const browser = new Browser();
    const redirectUri = `${bff.url}/auth/callback`;
    await login(config, { credentials: ALICE, browser, redirectUri });

    const requests: Array<Record<string, string>> = [{ client_id: idp.clientId, post_logout_redirect_uri: `${bff.url}/` }, {}];
    for (const parameters of requests) {
      const refused = await browser.get(client.buildEndSessionUrl(config, parameters));
      expect(refused.status).toBe(400);
      const html = await refused.text();
      expect(html).toContain('invalid_request');
      expect(html).toContain(ID_TOKEN_HINT_REQUIRED.split(':')[0]);
      expect(html).not.toContain('op.logoutForm');
    }
    expect(bff.logoutTokens).toHaveLength(0);

    // the IdP still knows alice: the next sign-in shows no form
    const next = await login(config, { credentials: undefined, browser, redirectUri });
    expect(next.signIn.formsShown).toBe(0);
    expect(next.tokens?.claims()?.sub).toBe('alice');
  });

  it('signs out with id_token_hint: the login session ends and the next sign-in asks for the password', async () => {
    const bff = await bffReceiver();
    const idp = await idpFor(bff.url, { profile: 'strict-logout' });
    const config = await confidentialClient(idp);
    const browser = new Browser();
    const redirectUri = `${bff.url}/auth/callback`;
    const { tokens } = await login(config, { credentials: ALICE, browser, redirectUri });

    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens?.id_token ?? '',
      post_logout_redirect_uri: `${bff.url}/`,
    });
    const confirmation = await (await browser.get(endSession)).text();
    const action = /action="([^"]+)"/.exec(confirmation)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation)?.[1] ?? '';
    const done = await browser.post(action, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${bff.url}/`);

    const next = await login(config, { browser, redirectUri });
    expect(next.signIn.formsShown).toBe(1);
    expect(next.tokens).toBeUndefined();
  });
});

describe('a BFF mounted under another path', () => {
  it('has its redirect and back-channel logout URIs registered under bffAuthPath', async () => {
    const bff = await bffReceiver('/bff/sso/backchannel-logout');
    const idp = await idpFor(bff.url, { bffAuthPath: '/bff/sso' });
    const config = await confidentialClient(idp);
    const { tokens } = await login(config, { credentials: ALICE, redirectUri: `${bff.url}/bff/sso/callback` });
    expect(tokens?.claims()?.sub).toBe('alice');
    const refused = await login(config, { credentials: ALICE, redirectUri: `${bff.url}/auth/callback` });
    expect(refused.tokens).toBeUndefined();
    expect(refused.signIn.page?.html).toContain('redirect_uri');
    expect(await idp.backchannelLogout('alice')).toBe(1);
    expect(bff.logoutTokens).toHaveLength(1);
  });
});
