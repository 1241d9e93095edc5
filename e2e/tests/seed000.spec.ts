import { expectAccessibleAtEveryWidth } from '../src/accessibility.js';
import { test, expect } from '../src/fixtures.js';

// seed 000 is an AT Protocol authorization server: pushed authorization requests, DPoP with nonces, private_key_jwt,
// DID subjects with handles
test.use({ stackOptions: { profile: 'seed-000' } });

test('under seed-000 alice signs in through a pushed authorization request and sees her handle', async ({ page, signIn }) => {
  const authorizeUrls: URL[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/auth' && url.searchParams.has('client_id')) authorizeUrls.push(url);
  });

  await signIn(page, 'alice');
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await expect(page.getByTestId('signed-in-handle')).toHaveText('@alice.test');
  // the header with the handle in it, at desktop width and at 390 px
  await expectAccessibleAtEveryWidth(page, 'signed-in-seed-000');

  // the browser carried client_id and request_uri only: the request itself went server to server
  expect(authorizeUrls.length).toBeGreaterThan(0);
  for (const url of authorizeUrls) expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);

  // the session names her by DID, with the handle beside it
  const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
  expect(session.user).toMatchObject({ did: expect.stringMatching(/^did:plc:[a-z2-7]{24}$/), handle: 'alice.test' });
  expect(session.user.sub).toBe(session.user.did);
  // and the notes API answers through the BFF's DPoP-bound token (the proof is the BFF's; the page sees neither)
  const me = await page.evaluate(async () => (await fetch('/api/me', { headers: { 'x-csrf': '1' } })).status);
  expect(me).toBe(200);
});
