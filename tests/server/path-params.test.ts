/**
 * What arrives in a URL path or query string is checked strictly on the full app: ids
 * have one spelling (plain decimal), and a malformed %-escape anywhere is a 400 in the
 * route family's error shape, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal, parseId } from '#protocol/portal/decimal';
import { startAdminServer, type AdminServer } from './helpers';

const PASSWORD = 'a long enough password';

describe('parseId', () => {
  it.each(['1', '12', '9007199254740991'])('accepts %j', (text) => {
    expect(parseId(text)).toBe(Number(text));
  });
  it.each([
    '',
    '0',
    '01',
    ' 1',
    '1 ',
    '+1',
    '-1',
    '1.0',
    '1e1',
    '0x10',
    '0b1',
    '1_000',
    'Infinity',
    'NaN',
    '１',
    '9007199254740992',
    '99999999999999999999'
  ])('refuses %j', (text) => {
    expect(parseId(text)).toBeUndefined();
  });
  it('lets counts be zero', () => {
    expect(parseDecimal('0')).toBe(0);
    expect(parseDecimal('00')).toBeUndefined();
  });
});

describe('ids and escapes in paths, on the full app with sign-in on', () => {
  let server: AdminServer;
  let headers: Record<string, string>;
  let userId: number;
  let groupId: number;
  let keyId: number;
  const api = (method: string, route: string, body?: unknown) => server.api(method, route, body);

  beforeAll(async () => {
    server = await startAdminServer('root', PASSWORD);
    headers = server.headers;
    userId = (await api('POST', '/api/admin/users', { username: 'u', password: PASSWORD })).body
      .user.id;
    groupId = (await api('POST', '/api/admin/groups', { name: 'g' })).body.group.id;
    keyId = (await api('POST', `/api/admin/users/${userId}/keys`, { name: 'k' })).body.apiKey.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const BAD_IDS = ['0', '01', '%201', '1%20', '+1', '-1', '1.0', '1e1', '0x10', 'abc', '%25'];

  /** Each route family with its id slot(s) as a function of the id under test. */
  const families = () => [
    { method: 'PATCH', route: (id: string) => `/api/admin/users/${id}`, body: {} },
    { method: 'DELETE', route: (id: string) => `/api/admin/users/${id}` },
    { method: 'POST', route: (id: string) => `/api/admin/users/${id}/keys`, body: { name: 'x' } },
    { method: 'PATCH', route: (id: string) => `/api/admin/groups/${id}`, body: {} },
    { method: 'DELETE', route: (id: string) => `/api/admin/groups/${id}` },
    { method: 'PUT', route: (id: string) => `/api/admin/groups/${id}/members/${userId}` },
    { method: 'PUT', route: (id: string) => `/api/admin/groups/${groupId}/members/${id}` },
    { method: 'DELETE', route: (id: string) => `/api/admin/groups/${id}/members/${userId}` },
    { method: 'DELETE', route: (id: string) => `/api/admin/groups/${groupId}/members/${id}` },
    {
      method: 'PATCH',
      route: (id: string) => `/api/admin/keys/${id}`,
      body: { rateLimitPerMin: null }
    },
    { method: 'DELETE', route: (id: string) => `/api/admin/keys/${id}` },
    { method: 'DELETE', route: (id: string) => `/api/auth/keys/${id}` },
    { method: 'GET', route: (id: string) => `/api/admin/keys?userId=${id}` },
    { method: 'GET', route: (id: string) => `/api/admin/audit?before=${id}` }
  ];

  it('refuses every other spelling of an id with a 400 that says why', async () => {
    for (const { method, route, body } of families()) {
      for (const id of BAD_IDS) {
        const res = await api(method, route(id), body);
        expect(res.status, `${method} ${route(id)}`).toBe(400);
        expect(res.body.error, `${method} ${route(id)}`).toMatch(
          /(id|userId|before): must be a positive whole number in plain decimal/
        );
      }
    }
  });

  it('passes the plain spelling through to the route', async () => {
    for (const { method, route, body } of families()) {
      // A missing row may still be a 400 (adding a missing user to a group), but not this one.
      const res = await api(method, route('987654'), body);
      expect(JSON.stringify(res.body ?? {}), `${method} ${route('987654')}`).not.toMatch(
        /plain decimal/
      );
      expect(res.status).toBeLessThan(500);
    }
    expect((await api('PATCH', `/api/admin/keys/${keyId}`, { rateLimitPerMin: 5 })).status).toBe(
      200
    );
  });

  it('checks the audit page size the same way', async () => {
    expect((await api('GET', '/api/admin/audit?limit=10')).status).toBe(200);
    for (const limit of ['0', '501', '1e1', '010', '%2010', '0x10', '5.0'])
      expect((await api('GET', `/api/admin/audit?limit=${limit}`)).status, limit).toBe(400);
  });

  it('answers a malformed %-escape with a 400 in each family’s shape', async () => {
    const openai = await api('GET', '/v1/models/%25');
    expect(openai.status).toBe(400);
    expect(openai.body.error.type).toBe('invalid_request_error');
    const undecodable = await api('GET', '/v1/models/%ZZ');
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.error.message).toMatch(/malformed percent-encoding/);
    for (const [method, route] of [
      ['PATCH', '/api/admin/users/%ZZ'],
      ['DELETE', '/api/admin/groups/%E0%A4%A'],
      ['HEAD', '/api/blobs/%ZZ'],
      ['POST', '/api/blobs/sha256:%'],
      ['GET', '/mlc/%ZZ/resolve/main/x.json'],
      ['GET', '/api/admin/users/1/%ZZ']
    ]) {
      const res = await fetch(server.url + route, { method, headers });
      expect(res.status, `${method} ${route}`).toBe(400);
      if (method !== 'HEAD')
        expect((await res.json()).error, route).toMatch(/malformed percent-encoding/);
    }
  });

  it('answers a malformed %-escape under /v2/ in the registry shape, naming the part', async () => {
    for (const [route, code] of [
      ['/v2/library/%ZZ/manifests/latest', 'NAME_INVALID'],
      ['/v2/%E0%A4%A/stories/blobs/x', 'NAME_INVALID'],
      ['/v2/library/stories/manifests/%ZZ', 'TAG_INVALID'],
      ['/v2/library/stories/blobs/%C0%AF', 'DIGEST_INVALID']
    ]) {
      const res = await api('GET', route);
      expect(res.status, route).toBe(400);
      expect(res.body.errors[0], route).toEqual({
        code,
        message: expect.stringMatching(/malformed percent-encoding/)
      });
    }
  });

  it('refuses names and digests that decode to something invalid', async () => {
    expect((await api('GET', '/v2/library/%25/manifests/latest')).body.errors[0].code).toBe(
      'NAME_INVALID'
    );
    expect((await api('GET', '/v2/library/x/manifests/%25')).body.errors[0].code).toBe(
      'TAG_INVALID'
    );
    expect((await fetch(`${server.url}/api/blobs/%25`, { method: 'HEAD', headers })).status).toBe(
      400
    );
    expect((await api('GET', '/v1/models/..%2F..%2Fx')).status).toBe(400);
  });
});
