import { describe, expect, it } from 'vitest';
import { connectionNamed, responseHeaders, rewriteLocation } from '../forwarding.js';

describe('rewriteLocation', () => {
  const request = new URL('http://api.internal:4001/v1/notes/7');
  const rewrite = (location: string, basePath = '/v1') => rewriteLocation(location, request, basePath, '/api');

  it.each([
    ['http://api.internal:4001/v1/notes/8?x=1#f', '/api/notes/8?x=1#f'],
    ['/v1/me', '/api/me'],
    ['/v1', '/api'],
    ['8', '/api/notes/8'],
    ['../me', '/api/me'],
    ['//api.internal:4001/v1/me', '/api/me'],
  ])("maps %s, on the API's own origin under its base path, to %s", (location, expected) => {
    expect(rewrite(location)).toBe(expected);
  });

  it.each([
    'https://elsewhere.example/v1/me',
    'http://api.internal:4002/v1/me',
    'https://api.internal:4001/v1/me',
    '//elsewhere.example/v1/me',
    '/v2/other',
    '/v10',
    'http://[::1',
  ])('leaves %s alone', (location) => {
    expect(rewrite(location)).toBe(location);
  });

  it('maps every path of an upstream without a base path', () => {
    expect(rewrite('/anything', '')).toBe('/api/anything');
  });
});

describe('connectionNamed', () => {
  it('is nothing for the everyday values, and the lowercased names otherwise', () => {
    expect(connectionNamed(undefined)).toBeUndefined();
    expect(connectionNamed('keep-alive')).toBeUndefined();
    expect(connectionNamed('close')).toBeUndefined();
    expect(connectionNamed('Keep-Alive, X-Secret ,,x-other')).toEqual(new Set(['keep-alive', 'x-secret', 'x-other']));
  });
});

describe('responseHeaders', () => {
  it('drops hop-by-hop headers, those named in Connection, cookies, challenges and Alt-Svc, and keeps the rest', () => {
    expect(
      responseHeaders({
        connection: 'x-internal',
        'x-internal': 'secret',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1'],
        'www-authenticate': 'Bearer error="invalid_token"',
        'alt-svc': 'h3=":443"',
        'content-type': 'application/json',
        'cache-control': 'no-store',
        location: '/v1/x',
        etag: undefined,
      }),
    ).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store', location: '/v1/x' });
  });
});
