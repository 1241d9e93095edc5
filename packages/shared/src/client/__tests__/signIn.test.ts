import { describe, expect, it } from 'vitest';
import { currentReturnTo, loginUrl } from '../signIn.js';

describe('currentReturnTo', () => {
  it('is the current path and query', () => {
    expect(currentReturnTo({ pathname: '/notes', search: '?sort=new' })).toBe('/notes?sort=new');
    expect(currentReturnTo({ pathname: '/', search: '' })).toBe('/');
  });

  it('falls back to / for a path that could leave the origin', () => {
    expect(currentReturnTo({ pathname: '//evil.example', search: '' })).toBe('/');
  });
});

describe('loginUrl', () => {
  it('points at /auth/login with returnTo encoded', () => {
    expect(loginUrl('/notes?sort=new&x=1')).toBe('/auth/login?returnTo=%2Fnotes%3Fsort%3Dnew%26x%3D1');
    expect(new URLSearchParams(loginUrl('/notes?a=b').split('?')[1]).get('returnTo')).toBe('/notes?a=b');
  });

  it('never builds an open redirect', () => {
    expect(loginUrl('https://evil.example/')).toBe('/auth/login?returnTo=%2F');
    expect(loginUrl('/\\evil.example')).toBe('/auth/login?returnTo=%2F');
  });
});
