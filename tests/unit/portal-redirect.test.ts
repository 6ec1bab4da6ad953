/** The sign-in page follows ?next= only to a path on this site. */
import { describe, expect, it } from 'vitest';
import { loginHref, safeNext } from '../../src/lib/components/account/redirect';

describe('safeNext', () => {
  it('follows same-site paths with their query', () => {
    expect(safeNext('/admin/users?q=zhang', '/')).toBe('/admin/users?q=zhang');
    expect(safeNext('/account', '/')).toBe('/account');
  });

  it('refuses anything that leaves the site', () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'admin',
      '',
      null
    ])
      expect(safeNext(next, '/home')).toBe('/home');
  });
});

describe('loginHref', () => {
  it('carries the current page as next, except from home and from login itself', () => {
    expect(loginHref(new URL('http://h/admin/users?x=1'), '/login')).toBe(
      '/login?next=%2Fadmin%2Fusers%3Fx%3D1'
    );
    expect(loginHref(new URL('http://h/'), '/login')).toBe('/login');
    expect(loginHref(new URL('http://h/login?next=%2Fa'), '/login')).toBe('/login');
  });
});
