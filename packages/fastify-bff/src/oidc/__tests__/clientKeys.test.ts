import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, DEV_CLIENT_PRIVATE_KEY, resolveOptions } from '../../config.js';
import { jwkThumbprint, parseClientKeys } from '../clientKeys.js';

const ecPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const production = {
  NODE_ENV: 'production',
  BFF_PUBLIC_URL: 'https://app.example.com',
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'app',
  API_UPSTREAM: 'https://api.example.com',
  SESSION_SECRET: 'x'.repeat(32),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    configFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('OIDC_CLIENT_PRIVATE_KEY', () => {
  it('derives the RFC 7638 thumbprint as kid (the RFC example key)', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('reads PEM blocks one after the other (literal \\n too) as a rotation, the first signing', () => {
    const [first, second] = [ecPem(), ecPem()];
    const keys = parseClientKeys(`${first.replaceAll('\n', '\\n')}${second}`);
    expect(keys.map((key) => key.alg)).toEqual(['ES256', 'ES256']);
    expect(keys[0]!.kid).toMatch(/^[\w-]{43}$/);
    expect(keys[0]!.kid).not.toBe(keys[1]!.kid);
    expect(parseClientKeys(first)[0]!.kid).toBe(keys[0]!.kid);
  });

  it('reads a JWK, a JSON array of JWKs and a JWKS, keeping their kids', () => {
    const jwk = JSON.parse(DEV_CLIENT_PRIVATE_KEY) as JsonWebKey;
    expect(parseClientKeys(DEV_CLIENT_PRIVATE_KEY).map((key) => key.kid)).toEqual(['bff-dev-key-1']);
    const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rsa-1' };
    expect(parseClientKeys(JSON.stringify([rsa, jwk])).map((key) => [key.kid, key.alg])).toEqual([
      ['rsa-1', 'RS256'],
      ['bff-dev-key-1', 'ES256'],
    ]);
    expect(parseClientKeys(JSON.stringify({ keys: [jwk] }))).toHaveLength(1);
  });

  it('uses the dev key outside production, and requires one in production, naming the variable', () => {
    const config = configFromEnv({ OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt' });
    expect(config.bff).toMatchObject({ tokenAuthMethod: 'private_key_jwt', clientPrivateKey: DEV_CLIENT_PRIVATE_KEY });
    expect(config.bff.clientSecret).toBeUndefined();
    expect(problemsOf(production)).toEqual(['OIDC_CLIENT_PRIVATE_KEY: is required with OIDC_TOKEN_AUTH_METHOD=private_key_jwt']);
    expect(problemsOf({ ...production, OIDC_CLIENT_PRIVATE_KEY: ecPem() })).toEqual([]);
  });

  it.each([
    ['{"kty":"EC", d: oops', 'this JSON does not parse'],
    ['not a key at all', 'must be a PEM private key, a private JWK (JSON), or a JSON array'],
    [generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'is a public key'],
    [
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'must be an ES256 key (EC P-256) or an RS256 key (RSA, 2048 bits or more)',
    ],
    [
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'must be an ES256 key',
    ],
    [JSON.stringify({ ...JSON.parse(DEV_CLIENT_PRIVATE_KEY), d: undefined }), 'is not a private JWK (it has no "d")'],
    [JSON.stringify({ ...JSON.parse(DEV_CLIENT_PRIVATE_KEY), alg: 'RS256' }), 'says alg "RS256" but is an ES256 key'],
    [JSON.stringify([JSON.parse(DEV_CLIENT_PRIVATE_KEY), JSON.parse(DEV_CLIENT_PRIVATE_KEY)]), 'two keys have the kid "bff-dev-key-1"'],
  ])('refuses a bad key with a message that names the variable and quotes no key material (%#)', (value, message) => {
    const problems = problemsOf({ ...production, OIDC_CLIENT_PRIVATE_KEY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^OIDC_CLIENT_PRIVATE_KEY: /);
    expect(problems[0]).toContain(message);
    expect(problems[0]).not.toMatch(/-----BEGIN|"d"\s*:|oops/);
  });

  it('names the option, not the variable, for options given in code', () => {
    expect(() =>
      resolveOptions({
        publicUrl: 'http://localhost:3000',
        issuer: 'http://localhost:4000',
        clientId: 'app',
        tokenAuthMethod: 'private_key_jwt',
        clientPrivateKey: ['nonsense'],
        apiUpstream: 'http://localhost:4001',
        sessionSecret: 'x'.repeat(32),
        tokenEncryptionKeys: [Buffer.alloc(32)],
      }),
    ).toThrow(/clientPrivateKey: must be a PEM private key/);
  });

  it('reads OIDC_PAR as a flag', () => {
    expect(configFromEnv({ OIDC_PAR: '1' }).bff.pushedAuthorizationRequests).toBe(true);
    expect(problemsOf({ OIDC_PAR: 'yes' })).toEqual(['OIDC_PAR: must be true or false (0 or 1)']);
  });
});
