/**
 * Builds request bodies from a route's field list: mostly valid-ish bodies with some
 * fields swapped for hostile values, dropped, or joined by unknown fields, plus wholly
 * random JSON and raw non-JSON text. Starting from the schema keeps most runs deep
 * enough to reach the handler instead of dying in validation.
 */
import fc from 'fast-check';
import { extraKey, rawBody, weird } from './values';

export type Fields = Record<string, fc.Arbitrary<unknown>>;

/** Marks a field for removal in a mutation; never sent. */
const DROP = Symbol('drop');

interface BodyOptions {
  /** Fields every valid body has (others are each present or not). */
  required?: string[];
}

function validBody(fields: Fields, options: BodyOptions): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(fields, { requiredKeys: options.required ?? [] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** A valid body with 1–3 fields replaced, dropped or added. */
function mutatedBody(fields: Fields, options: BodyOptions): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  const target = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), extraKey) : extraKey;
  const change = fc.tuple(
    target,
    fc.oneof({ arbitrary: weird, weight: 4 }, { arbitrary: fc.constant(DROP), weight: 1 })
  );
  return fc
    .tuple(validBody(fields, options), fc.array(change, { minLength: 1, maxLength: 3 }))
    .map(([body, changes]) => {
      const out: Record<string, unknown> = { ...body };
      for (const [key, value] of changes) {
        if (value === DROP) delete out[key];
        // defineProperty, so a "__proto__" key is an own field and JSON.stringify sends it.
        else
          Object.defineProperty(out, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true
          });
      }
      return out;
    });
}

/**
 * Every kind of body for one route. Weights favour mutations: valid bodies are covered
 * by the route's own tests, and random JSON rarely gets past the first check.
 */
export function bodyFor(fields: Fields, options: BodyOptions = {}): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: validBody(fields, options), weight: 3 },
    { arbitrary: mutatedBody(fields, options), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: rawBody, weight: 1 }
  );
}

/** Path segments: mostly plausible, often hostile; already percent-encoded where needed. */
export function pathSegment(plausible: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: plausible.map(encodeURIComponent), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2E%2E%2F%2E%2E',
        '..%2F..%2Fx',
        '%2F',
        'a%2Fb',
        '%00',
        'a%00b',
        '%5C..%5C',
        '%C0%AE%C0%AE',
        '%ZZ',
        '%',
        '%E2%80%AE',
        '%F0%9F%A6%99',
        'x'.repeat(5000),
        '%2e%2e%2f%2e%2e%2fmanifests'
      ),
      weight: 2
    },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent), weight: 1 }
  );
}
