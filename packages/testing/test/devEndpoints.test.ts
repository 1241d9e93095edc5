import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bff } from '@bff/fastify-bff';
import { startStack, type Stack } from '../src/index.js';

describe('dev-only test endpoints', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { devEndpoints: true } });
  });
  afterAll(async () => stack?.close());

  it('expire-access-token makes the next request refresh for real', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    stack.idp.resetCounters();
    expect((await browser.api(`${stack.bffUrl}/auth/__test/expire-access-token`, { method: 'POST' })).status).toBe(204);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it('expire-session makes the next request meet SESSION_EXPIRED', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    await browser.api(`${stack.bffUrl}/auth/__test/expire-session`, { method: 'POST' });
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 401, body: { code: 'SESSION_EXPIRED' } });
  });
});

describe('without devEndpoints (the default, and always in production)', () => {
  it('the test routes do not exist', async () => {
    const stack = await startStack();
    try {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      expect(await browser.api(`${stack.bffUrl}/auth/__test/expire-session`, { method: 'POST' })).toMatchObject({
        status: 404,
        body: { code: 'NOT_FOUND' },
      });
    } finally {
      await stack.close();
    }
  });

  it('refuses to register them when NODE_ENV=production', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const app = Fastify();
      await expect(
        app
          .register(bff, {
            publicUrl: 'https://app.test',
            issuer: 'https://idp.test',
            clientId: 'x',
            clientSecret: 'y',
            apiUpstream: 'https://api.test',
            sessionSecret: randomBytes(32).toString('hex'),
            tokenEncryptionKeys: [randomBytes(32)],
            devEndpoints: true,
          })
          .ready(),
      ).rejects.toThrow(/devEndpoints: must not be enabled when NODE_ENV=production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
