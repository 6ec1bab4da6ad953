/**
 * Field lists for model management (/api/show, create, copy, delete, pull, push, blobs)
 * and the registry read paths (/v2). Create, copy, delete, pull and blob uploads may
 * write models, so for those the folder check is "Ollama's layout only", not "unchanged".
 */
import fc from 'fast-check';
import { STORIES_DIGEST } from '../fixtures';
import { bodyFor, pathSegment, type Fields } from './bodies';
import type { FuzzRequest } from './invariants';
import { anyName, lookupName, storiesName, targetName } from './names';
import type { RouteFuzz } from './runner';
import { templateBomb, traversalName, weird } from './values';

type Credential = fc.Arbitrary<string | undefined>;

/** Hosts that fail fast: refused ports, names that do not resolve, traversal "hosts". */
const pullName = fc.oneof(
  { arbitrary: targetName, weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '127.0.0.1:1/ns/model:tag',
      'localhost:1/library/x',
      'http://127.0.0.1:1/ns/m',
      'registry.invalid/ns/m',
      'stories',
      '../ns/m',
      '..:1/ns/m'
    ),
    weight: 2
  }
);

const digest = fc.oneof(
  { arbitrary: fc.constant(STORIES_DIGEST), weight: 3 },
  { arbitrary: fc.stringMatching(/^sha256:[0-9a-f]{64}$/), weight: 1 },
  { arbitrary: traversalName, weight: 1 },
  { arbitrary: fc.constantFrom('sha256:../../x', 'sha256-' + 'A'.repeat(64), 'md5:abc'), weight: 1 }
);

const parameters = fc.oneof(
  fc.record({
    num_predict: fc.integer({ min: -2, max: 10 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    stop: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    num_ctx: fc.constantFrom(64, 512, 1e9)
  }),
  fc.dictionary(fc.string({ maxLength: 10 }), weird, { maxKeys: 3 })
);

const showFields: Fields = {
  model: anyName(lookupName),
  name: anyName(lookupName),
  verbose: fc.boolean()
};
const copyFields: Fields = {
  source: anyName(fc.oneof(storiesName, traversalName)),
  destination: anyName(targetName)
};
const deleteFields: Fields = { model: anyName(targetName), name: anyName(targetName) };
const createFields: Fields = {
  model: anyName(targetName),
  from: anyName(fc.oneof(storiesName, traversalName)),
  files: fc.dictionary(fc.oneof(fc.constant('model.gguf'), traversalName), digest, {
    minKeys: 1,
    maxKeys: 2
  }),
  adapters: fc.constant({}),
  template: fc.oneof(fc.constant('{{ .Prompt }}'), templateBomb),
  system: fc.string({ maxLength: 20 }),
  license: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }))),
  parameters,
  messages: fc.array(
    fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.string({ maxLength: 8 }) }),
    { maxLength: 2 }
  ),
  stream: fc.boolean()
};
const pullFields: Fields = {
  model: anyName(pullName),
  insecure: fc.boolean(),
  stream: fc.boolean()
};

function route(
  name: string,
  method: string,
  path: string,
  fields: Fields,
  required: string[],
  runs: number,
  as: Credential,
  extra: Partial<RouteFuzz> = {}
): RouteFuzz {
  return {
    name,
    runs,
    ...extra,
    request: fc
      .tuple(bodyFor(fields, { required }), as)
      .map(([body, cred]) => ({ method, path, body, as: cred }))
  };
}

const digestSegment = pathSegment(
  fc.oneof(fc.constant(STORIES_DIGEST), fc.stringMatching(/^sha256[:-][0-9a-f]{64}$/))
);
const repoSegment = pathSegment(fc.constantFrom('library', 'stories', 'ns', 'latest'));

/** Registry paths: the manifest and blob reads, and stray shapes under /v2. */
function registryRequests(as: Credential): fc.Arbitrary<FuzzRequest & { as?: string }> {
  const manifest = fc
    .tuple(repoSegment, repoSegment, repoSegment)
    .map(([ns, m, tag]) => `/v2/${ns}/${m}/manifests/${tag}`);
  const blob = fc
    .tuple(repoSegment, repoSegment, digestSegment)
    .map(([ns, m, d]) => `/v2/${ns}/${m}/blobs/${d}`);
  const stray = fc
    .array(repoSegment, { minLength: 0, maxLength: 6 })
    .map((parts) => `/v2/${parts.join('/')}`);
  return fc
    .tuple(
      fc.oneof({ arbitrary: manifest, weight: 3 }, { arbitrary: blob, weight: 3 }, stray),
      fc.constantFrom('GET', 'GET', 'HEAD'),
      fc.option(fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=99999999-', 'bytes=5-1', 'junk'), {
        nil: undefined
      }),
      as
    )
    .map(([path, method, range, cred]) => ({
      method,
      path,
      as: cred,
      headers: range ? { range } : undefined
    }));
}

/**
 * Model routes for one server; `as` draws the credential variant (constant undefined
 * with sign-in off). Delete comes last so the seeded model serves the others.
 */
export function modelRoutes(as: Credential, scale = 1): RouteFuzz[] {
  const n = (runs: number) => Math.max(10, Math.round(runs * scale));
  const writes = { writesModels: true };
  return [
    route('POST /api/show', 'POST', '/api/show', showFields, ['model'], n(200), as),
    route(
      'POST /api/create',
      'POST',
      '/api/create',
      createFields,
      ['model', 'files'],
      n(200),
      as,
      writes
    ),
    route(
      'POST /api/copy',
      'POST',
      '/api/copy',
      copyFields,
      ['source', 'destination'],
      n(200),
      as,
      writes
    ),
    route('POST /api/pull', 'POST', '/api/pull', pullFields, ['model'], n(150), as, {
      ...writes,
      // A registry that cannot be reached is the upstream's fault: 502, as Ollama says.
      upstreamStatuses: [502]
    }),
    route('POST /api/push', 'POST', '/api/push', pullFields, ['model'], n(30), as),
    {
      name: 'POST|HEAD /api/blobs/:digest',
      runs: n(100),
      writesModels: true,
      request: fc
        .tuple(digestSegment, fc.constantFrom('POST', 'HEAD'), fc.string({ maxLength: 40 }), as)
        .map(([d, method, text, cred]) => ({
          method,
          path: `/api/blobs/${d}`,
          body: method === 'POST' ? text : undefined,
          as: cred
        }))
    },
    { name: 'GET|HEAD /v2/…', runs: n(200), request: registryRequests(as) },
    route(
      'DELETE /api/delete',
      'DELETE',
      '/api/delete',
      deleteFields,
      ['model'],
      n(150),
      as,
      writes
    )
  ];
}

const KNOWN_PATHS = [
  '/api/generate',
  '/api/chat',
  '/api/embed',
  '/api/show',
  '/api/copy',
  '/api/delete',
  '/api/create',
  '/api/pull',
  '/api/tags',
  '/api/version',
  '/v1/chat/completions',
  '/v1/models',
  '/api/admin/users',
  '/api/auth/login',
  '/api',
  '/api/',
  '/api/nope',
  '/v1/nope',
  '/api//show',
  '/api/show/',
  '/api/%2e%2e/show',
  '/api/show%00'
];

/** Known and near-miss paths under the wrong method: every miss must still be a JSON error. */
export function methodRoutes(as: Credential, scale = 1): RouteFuzz {
  return {
    name: 'wrong methods and near-miss paths',
    runs: Math.max(10, Math.round(150 * scale)),
    request: fc
      .tuple(
        fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST'),
        fc.constantFrom(...KNOWN_PATHS),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
        as
      )
      .filter(([method, path]) => !(method === 'DELETE' && path === '/api/delete'))
      .map(([method, path, body, cred]) => ({
        method,
        path,
        body: method === 'GET' ? undefined : body,
        as: cred
      }))
  };
}
