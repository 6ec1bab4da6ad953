/**
 * Field lists for sign-in (/api/auth/*) and administration (/api/admin/*). Ids favour
 * the victim accounts the fuzz server creates; the admin's own user and key (id 1) are
 * left alone so a lucky request cannot lock the fuzzer out for the rest of the run.
 */
import fc from 'fast-check';
import { bodyFor, pathSegment, type Fields } from './bodies';
import { ADMIN } from './app';
import type { RouteFuzz } from './runner';
import { extremeNumber, unicodeString, weird } from './values';

type Credential = fc.Arbitrary<string | undefined>;

const username = fc.oneof(
  { arbitrary: fc.constantFrom(ADMIN.username, 'victim-one', 'nobody', 'Ｌｉｌｙ'), weight: 3 },
  { arbitrary: unicodeString, weight: 2 },
  { arbitrary: fc.string({ maxLength: 70 }), weight: 1 }
);
const password = fc.oneof(
  fc.constantFrom('short', 'a long enough password!', ''),
  fc.string({ minLength: 8, maxLength: 40 })
);
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), unicodeString);

function notOne(segment: string): boolean {
  try {
    return Number(decodeURIComponent(segment)) !== 1;
  } catch {
    return true;
  }
}
const idSegment = pathSegment(
  fc.oneof(
    fc.integer({ min: 2, max: 6 }).map(String),
    fc.constantFrom('0', '-3', '1e3', '99999999999999999999')
  )
).filter(notOne);
const id = fc.oneof(fc.integer({ min: 2, max: 6 }), extremeNumber).filter((n) => n !== 1);

const grant = fc.record({
  subjectType: fc.constantFrom('user', 'group'),
  subjectId: id,
  modelPattern: fc.oneof(fc.constantFrom('stories', '*', 'qwen*', 'ns/m:tag', '../x', '[a-'), name),
  canUse: fc.boolean(),
  canDownload: fc.boolean()
});

const setupFields: Fields = {
  username,
  password,
  displayName: name,
  setupToken: fc.string({ maxLength: 20 })
};
const loginFields: Fields = { username, password };
const passwordFields: Fields = { currentPassword: password, newPassword: password };
const keyFields: Fields = {
  name,
  rateLimitPerMin: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(null))
};
const userFields: Fields = {
  username,
  password,
  displayName: name,
  role: fc.constantFrom('admin', 'user', 'root'),
  disabled: fc.boolean()
};
const groupFields: Fields = {
  name,
  description: fc.string({ maxLength: 30 }),
  memberIds: fc.array(id, { maxLength: 4 })
};
const permissionFields: Fields = { grants: fc.array(grant, { minLength: 1, maxLength: 3 }) };
const modelSourceFields: Fields = {
  modelSource: fc.oneof(
    fc.constant(null),
    fc.record(
      {
        kind: fc.constantFrom('huggingface', 'hf-mirror', 'modelscope', 'lan', 'ftp'),
        url: fc.oneof(
          fc.constantFrom(
            'https://hf-mirror.com/',
            'javascript:alert(1)',
            'http://u:p@files.lan/',
            'http://files.lan/?a#b',
            ''
          ),
          unicodeString
        )
      },
      { requiredKeys: ['kind'] }
    )
  )
};

interface Spec {
  method: string;
  /** Path, or a path built from an id segment. */
  path: string | ((id: string) => string);
  fields?: Fields;
  required?: string[];
  runs: number;
}

const SPECS: Spec[] = [
  {
    method: 'POST',
    path: '/api/auth/setup',
    fields: setupFields,
    required: ['username', 'password'],
    runs: 60
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    fields: loginFields,
    required: ['username', 'password'],
    // Each sign-in hashes a password on purpose (slow); fewer runs keep the suite short.
    runs: 30
  },
  {
    method: 'POST',
    path: '/api/auth/password',
    fields: passwordFields,
    required: ['currentPassword', 'newPassword'],
    runs: 60
  },
  { method: 'POST', path: '/api/auth/keys', fields: { name }, required: ['name'], runs: 80 },
  { method: 'DELETE', path: (i) => `/api/auth/keys/${i}`, runs: 40 },
  {
    method: 'POST',
    path: '/api/admin/users',
    fields: userFields,
    required: ['username', 'password'],
    runs: 40
  },
  { method: 'PATCH', path: (i) => `/api/admin/users/${i}`, fields: userFields, runs: 80 },
  { method: 'DELETE', path: (i) => `/api/admin/users/${i}`, runs: 30 },
  {
    method: 'POST',
    path: (i) => `/api/admin/users/${i}/keys`,
    fields: keyFields,
    required: ['name'],
    runs: 60
  },
  { method: 'POST', path: '/api/admin/groups', fields: groupFields, required: ['name'], runs: 80 },
  { method: 'PATCH', path: (i) => `/api/admin/groups/${i}`, fields: groupFields, runs: 60 },
  { method: 'PUT', path: (i) => `/api/admin/groups/${i}/members/${i}`, runs: 30 },
  { method: 'DELETE', path: (i) => `/api/admin/groups/${i}/members/${i}`, runs: 30 },
  {
    method: 'PATCH',
    path: (i) => `/api/admin/keys/${i}`,
    fields: { rateLimitPerMin: keyFields.rateLimitPerMin },
    required: ['rateLimitPerMin'],
    runs: 60
  },
  { method: 'DELETE', path: (i) => `/api/admin/keys/${i}`, runs: 30 },
  {
    method: 'PUT',
    path: '/api/admin/permissions',
    fields: permissionFields,
    required: ['grants'],
    runs: 80
  },
  {
    method: 'PUT',
    path: '/api/admin/model-source',
    fields: modelSourceFields,
    required: ['modelSource'],
    runs: 40
  },
  { method: 'DELETE', path: (i) => `/api/admin/groups/${i}`, runs: 30 }
];

const GETS = [
  '/api/auth/session',
  '/api/auth/keys',
  '/api/admin/users',
  '/api/admin/groups',
  '/api/admin/permissions',
  '/api/admin/model-source',
  '/api/status'
];
const query = fc.oneof(
  fc.constant(''),
  fc
    .tuple(
      fc.constantFrom('userId', 'limit', 'before', 'x'),
      fc.oneof(fc.integer().map(String), fc.string({ maxLength: 10 }))
    )
    .map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
  fc.constantFrom(
    '?limit=0',
    '?limit=501',
    '?limit=NaN',
    '?before=-1',
    '?userId=1e99',
    '?limit=1&limit=2'
  )
);

export function accountRoutes(as: Credential, scale = 1): RouteFuzz[] {
  const n = (runs: number) => Math.max(10, Math.round(runs * scale));
  const routes: RouteFuzz[] = SPECS.map((spec) => {
    const label = typeof spec.path === 'string' ? spec.path : spec.path(':id');
    const body = spec.fields
      ? bodyFor(spec.fields, { required: spec.required })
      : fc.constant(undefined);
    return {
      name: `${spec.method} ${label}`,
      runs: n(spec.runs),
      request: fc.tuple(body, idSegment, as).map(([b, i, cred]) => ({
        method: spec.method,
        path: typeof spec.path === 'string' ? spec.path : spec.path(i),
        body: b,
        as: cred
      }))
    };
  });
  routes.push({
    name: 'GET account and admin listings',
    runs: n(80),
    request: fc
      .tuple(fc.constantFrom(...GETS, '/api/admin/keys', '/api/admin/audit'), query, as)
      .map(([path, q, cred]) => ({ method: 'GET', path: path + q, as: cred }))
  });
  // Logout last: with the admin's session it ends that session.
  routes.push({
    name: 'POST /api/auth/logout',
    runs: n(30),
    request: fc
      .tuple(fc.option(weird, { nil: undefined }), as)
      .map(([body, cred]) => ({ method: 'POST', path: '/api/auth/logout', body, as: cred }))
  });
  return routes;
}
