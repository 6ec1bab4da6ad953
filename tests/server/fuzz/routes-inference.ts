/**
 * Field lists for the inference routes (Ollama's and OpenAI's). Valid bodies carry a
 * small output limit so runs stay cheap; mutations drop or break it now and then, so
 * bodies without any limit are sent too (the server must cap those itself).
 */
import fc from 'fast-check';
import { bodyFor, pathSegment, type Fields } from './bodies';
import { anyName, lookupName, storiesName } from './names';
import type { RouteFuzz } from './runner';
import { templateBomb, unicodeString, weird } from './values';

const text = fc.oneof(
  { arbitrary: fc.constantFrom('Once upon a time', 'The cat', ''), weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
  { arbitrary: unicodeString, weight: 1 }
);
const smallLimit = fc.integer({ min: 1, max: 6 });
/** Limits the server must refuse or cap: none, "forever" (-1, -2) and absurd. */
const hostileLimit = fc.constantFrom(-1, -2, 0, 1_000_000, 2 ** 31);

const options = fc.oneof(
  {
    arbitrary: fc.record(
      {
        num_predict: smallLimit,
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        top_k: fc.integer({ min: 0, max: 100 }),
        top_p: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.integer(),
        stop: fc.oneof(fc.string({ maxLength: 4 }), fc.array(fc.string({ maxLength: 4 }))),
        num_ctx: fc.constantFrom(64, 128, 512),
        repeat_last_n: fc.integer({ min: -1, max: 64 }),
        mirostat: fc.constantFrom(0, 1, 2)
      },
      { requiredKeys: ['num_predict'] }
    ),
    weight: 12
  },
  // The option field itself hostile while the limit stays small.
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'temperature',
          'top_k',
          'num_ctx',
          'num_batch',
          'num_thread',
          'seed',
          'stop'
        ),
        weird
      )
      .map(([key, value]) => ({ num_predict: 2, [key]: value })),
    weight: 3
  },
  // No usable limit: the server's cap (10 × num_ctx) must end these. num_ctx stays small
  // (or absent: the fuzz server's default, see app.ts) so the cap ends them in seconds.
  {
    arbitrary: fc.record(
      { num_predict: hostileLimit, num_ctx: fc.constantFrom(16, 32, 64) },
      { requiredKeys: ['num_predict'] }
    ),
    weight: 1
  }
);

const format = fc.constantFrom(
  'json',
  '',
  { type: 'object' },
  {
    type: 'object',
    properties: { a: { type: 'string' } },
    required: ['a']
  }
);
const keepAlive = fc.constantFrom('5m', '1s', 0, -1, 30, '-1m');
const role = fc.constantFrom('system', 'user', 'assistant', 'tool');
const message = fc.record(
  { role, content: text, images: fc.constant([]), thinking: fc.string({ maxLength: 5 }) },
  { requiredKeys: ['role', 'content'] }
);
const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record({
    name: fc.constantFrom('get_weather', 'x'),
    description: fc.string({ maxLength: 10 }),
    parameters: fc.constant({ type: 'object', properties: { city: { type: 'string' } } })
  })
});

const generateFields: Fields = {
  model: anyName(lookupName),
  prompt: text,
  suffix: fc.string({ maxLength: 10 }),
  system: fc.string({ maxLength: 20 }),
  template: fc.oneof(fc.constantFrom('{{ .Prompt }}', '{{ .System }} {{ .Prompt }}'), templateBomb),
  context: fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 8 }),
  stream: fc.boolean(),
  raw: fc.boolean(),
  format,
  images: fc.constant([]),
  keep_alive: keepAlive,
  options,
  think: fc.constantFrom(false, true, 'high')
};

const chatFields: Fields = {
  model: anyName(lookupName),
  messages: fc.array(message, { minLength: 1, maxLength: 3 }),
  tools: fc.array(tool, { maxLength: 2 }),
  stream: fc.boolean(),
  format,
  keep_alive: keepAlive,
  options,
  think: fc.constantFrom(false, true)
};

const embedFields: Fields = {
  model: anyName(lookupName),
  input: fc.oneof(text, fc.array(text, { maxLength: 4 })),
  truncate: fc.boolean(),
  keep_alive: keepAlive,
  options,
  dimensions: fc.integer({ min: 1, max: 80 })
};

const embeddingsFields: Fields = {
  model: anyName(lookupName),
  prompt: text,
  keep_alive: keepAlive,
  options
};

const oaiMessage = fc.record(
  {
    role: fc.constantFrom('system', 'user', 'assistant', 'developer', 'tool'),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constantFrom('text', 'image_url', 'audio'), text }), {
        maxLength: 2
      })
    ),
    name: fc.string({ maxLength: 5 })
  },
  { requiredKeys: ['role', 'content'] }
);
const sampling: Fields = {
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.integer(),
  stop: fc.oneof(fc.string({ maxLength: 4 }), fc.array(fc.string({ maxLength: 4 }))),
  frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  stream: fc.boolean(),
  stream_options: fc.record({ include_usage: fc.boolean() })
};

const oaiChatFields: Fields = {
  model: anyName(lookupName),
  messages: fc.array(oaiMessage, { minLength: 1, maxLength: 3 }),
  max_tokens: smallLimit,
  max_completion_tokens: smallLimit,
  tools: fc.array(tool, { maxLength: 2 }),
  response_format: fc.constantFrom(
    { type: 'text' },
    { type: 'json_object' },
    { type: 'json_schema', json_schema: { schema: { type: 'object' } } },
    { type: 'json_schema', json_schema: {} }
  ),
  ...sampling
};

const oaiCompletionFields: Fields = {
  model: anyName(lookupName),
  prompt: fc.oneof(text, fc.array(text, { maxLength: 2 })),
  suffix: fc.string({ maxLength: 5 }),
  max_tokens: smallLimit,
  ...sampling
};

const oaiEmbeddingFields: Fields = {
  model: anyName(lookupName),
  input: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })),
  encoding_format: fc.constantFrom('float', 'base64'),
  dimensions: fc.integer({ min: 1, max: 80 })
};

function post(
  name: string,
  path: string,
  fields: Fields,
  required: string[],
  runs: number
): RouteFuzz {
  return {
    name,
    runs,
    request: bodyFor(fields, { required }).map((body) => ({ method: 'POST', path, body }))
  };
}

const query = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }).map((q) => `?${encodeURIComponent(q)}=${encodeURIComponent(q)}`),
  fc.constantFrom('?model=../x', '?%00', '?a[b]=c', '?' + 'a=1&'.repeat(2000))
);

const get = (name: string, path: string, runs: number): RouteFuzz => ({
  name,
  runs,
  request: query.map((q) => ({ method: 'GET', path: path + q }))
});

/** Every inference and listing route, with default run counts sized for a 2-core machine. */
export function inferenceRoutes(scale = 1): RouteFuzz[] {
  const n = (runs: number) => Math.max(10, Math.round(runs * scale));
  return [
    post(
      'POST /api/generate',
      '/api/generate',
      generateFields,
      ['model', 'options', 'prompt'],
      n(150)
    ),
    post('POST /api/chat', '/api/chat', chatFields, ['model', 'options', 'messages'], n(150)),
    post('POST /api/embed', '/api/embed', embedFields, ['model'], n(150)),
    post('POST /api/embeddings', '/api/embeddings', embeddingsFields, ['model'], n(150)),
    post(
      'POST /v1/chat/completions',
      '/v1/chat/completions',
      oaiChatFields,
      ['model', 'messages', 'max_tokens'],
      n(150)
    ),
    post(
      'POST /v1/completions',
      '/v1/completions',
      oaiCompletionFields,
      ['model', 'prompt', 'max_tokens'],
      n(150)
    ),
    post('POST /v1/embeddings', '/v1/embeddings', oaiEmbeddingFields, ['model', 'input'], n(150)),
    {
      name: 'GET /v1/models/:id',
      runs: n(200),
      request: fc
        .tuple(pathSegment(storiesName), fc.option(pathSegment(storiesName), { nil: undefined }))
        .map(([a, b]) => ({
          method: 'GET',
          path: `/v1/models/${a}${b === undefined ? '' : `/${b}`}`
        }))
    },
    get('GET /api/tags', '/api/tags', n(50)),
    get('GET /api/ps', '/api/ps', n(50)),
    get('GET /v1/models', '/v1/models', n(50))
  ];
}
