/**
 * The hostile values the fuzzer plants in request fields: wrong types, huge strings, deep
 * nesting, awkward unicode, extreme numbers, path-traversal names, Go-template bombs and
 * strings that look like numbers. Each family is small and explicit so a counterexample
 * reads as "which kind of input broke it", not as noise.
 */
import fc from 'fast-check';

/** A body sent as-is instead of through JSON.stringify (invalid JSON, extreme nesting). */
export class RawBody {
  constructor(readonly text: string) {}
  toJSON() {
    return `<raw ${this.text.length} chars: ${this.text.slice(0, 80)}>`;
  }
}

// Huge strings come in a few fixed sizes: random lengths would only slow every run down
// without finding anything the fixed sizes miss.
const HUGE_SIZES = [10_000, 100_000, 1_000_000];
export const hugeString = fc
  .tuple(fc.constantFrom(...HUGE_SIZES), fc.constantFrom('A', 'é', '{{', '🦙', '\u0000', ' '))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

export const deepNesting = fc
  .tuple(fc.integer({ min: 50, max: 2_000 }), fc.boolean())
  .map(([depth, asArray]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
    return value;
  });

export const unicodeString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Lone surrogates survive JSON.stringify as \ud800 escapes and reach the server as-is.
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u202e\u0644\u0627 rtl',
    '\ufeffbom',
    'zero\u200bwidth',
    'e\u0301\u0301\u0301',
    '👨‍👩‍👧‍👦',
    '\ud800',
    '\udfff\ud800',
    '张伟',
    '\u0000',
    'a\u0000b',
    '\r\n\r\n',
    '\t'
  )
);

export const extremeNumber = fc.oneof(
  fc.constantFrom(
    -1,
    -2,
    0,
    -0,
    0.5,
    -0.5,
    1e-300,
    2 ** 31,
    -(2 ** 31),
    2 ** 32,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER + 2,
    1e21,
    1e308,
    -1e308,
    Number.MAX_VALUE
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer()
);

export const traversalName = fc.constantFrom(
  '..',
  '.',
  '../x',
  '../../x',
  '../../../../../../etc/passwd',
  '../x/y',
  '../x/y:z',
  '../../manifests/a',
  'x/../../y',
  'a/../../../b:c',
  'stories:../x',
  'stories:..',
  '..:x',
  '.../x/y',
  '%2e%2e/x',
  '%2e%2e%2fx',
  'a%2Fb',
  '%2F',
  '..%2F..%2Fx',
  '/abs/path',
  '/etc/passwd',
  '..\\x',
  'C:\\x',
  'x\u0000y',
  '\u0000',
  'stories\u0000',
  'a/b/c/d',
  'host:1/..:x/y',
  '../blobs/sha256-' + 'a'.repeat(64),
  'blobs',
  'manifests',
  '~/x',
  'con',
  'a'.repeat(300)
);

export const nanIshString = fc.constantFrom(
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1',
  '0x10',
  '1_000',
  '',
  ' ',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '9'.repeat(400)
);

/** Go-template text that is expensive or recursive when rendered. */
export const templateBomb = fc.constantFrom(
  '{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}',
  '{{range $i, $x := .Messages}}{{range $j, $y := $.Messages}}{{range $k, $z := $.Messages}}{{$z.Content}}{{end}}{{end}}{{end}}',
  '{{range .Messages}}{{range $.Messages}}{{range $.Messages}}{{range $.Messages}}{{.Content}}{{.Content}}{{end}}{{end}}{{end}}{{end}}',
  '{{.Prompt}}'.repeat(20_000),
  '{{if}}',
  '{{',
  '}}{{',
  '{{.Nope.Deeper.Deepest}}',
  '{{range 100000000}}x{{end}}',
  '{{printf "%0999999999d" 1}}',
  '{{ .System | len }}',
  '{{template "missing"}}',
  '{{/* unterminated',
  '{{range .Messages}}' + '{{end}}'.repeat(3),
  '{{- range $i, $_ := .Messages }}{{ slice $.Prompt 0 99999999 }}{{ end }}'
);

/** Any JSON value but a pathological one; for "the field holds something else entirely". */
export const wrongType = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
);

/** The union of all hostile families, weighted so cheap ones dominate. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: wrongType, weight: 5 },
  { arbitrary: unicodeString, weight: 3 },
  { arbitrary: extremeNumber, weight: 3 },
  { arbitrary: traversalName, weight: 3 },
  { arbitrary: nanIshString, weight: 2 },
  { arbitrary: templateBomb, weight: 1 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: deepNesting, weight: 1 }
);

/** Field names a schema does not know, including prototype-pollution keys. */
export const extraKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '')
);

/** Raw text bodies that are not (or barely) JSON. */
export const rawBody = fc.oneof(
  fc.string({ maxLength: 60 }).map((t) => new RawBody(t)),
  fc.constantFrom(
    new RawBody(''),
    new RawBody('{'),
    new RawBody('{"model":'),
    new RawBody('{"model":"stories",}'),
    new RawBody('[1,2,'),
    new RawBody('NaN'),
    new RawBody('{"model": NaN}'),
    new RawBody('{"a":1e999999}'),
    new RawBody('\u0000'),
    new RawBody('{"__proto__":{"polluted":true},"model":"stories"}'),
    new RawBody('{"constructor":{"prototype":{"polluted":true}}}'),
    new RawBody('['.repeat(100_000) + ']'.repeat(100_000)),
    new RawBody('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)),
    new RawBody('"' + 'x'.repeat(200_000) + '"')
  )
);
